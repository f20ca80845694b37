"""The S3 side of TTS: cache keys, existence checks, uploads, presigned GET URLs (reference §5.8)."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings

from vela.aws import client
from vela.errors import ServiceMisconfiguredError

logger = logging.getLogger("vela.tts")

PRESIGN_EXPIRES_IN = 3600
_MISSING_CODES = frozenset({"404", "NotFound", "NoSuchKey"})


class StorageError(Exception):
    """S3 failed for a reason other than "no such object"."""


def audio_key(*, user_id: str, vocabulary_id: str, voice_id: str, model: str) -> str:
    digest = hashlib.sha256(f"{voice_id}:{model}".encode()).hexdigest()[:16]
    return f"tts/{user_id}/{vocabulary_id}/{digest}.mp3"


def bucket() -> str:
    if not settings.TTS_AUDIO_BUCKET_NAME:
        raise ServiceMisconfiguredError("TTS audio bucket not configured", code="bucket_not_configured")
    return str(settings.TTS_AUDIO_BUCKET_NAME)


def s3() -> Any:
    return client("s3")


def exists(key: str) -> bool:
    """HeadObject: True/False, StorageError for anything but a 404."""
    try:
        s3().head_object(Bucket=bucket(), Key=key)
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in _MISSING_CODES:
            return False
        raise StorageError(code or "ClientError") from exc
    except BotoCoreError as exc:
        raise StorageError(exc.__class__.__name__) from exc
    return True


def upload(key: str, audio: bytes) -> None:
    s3().put_object(Bucket=bucket(), Key=key, Body=audio, ContentType="audio/mpeg")


def presigned_url(key: str) -> str:
    return str(
        s3().generate_presigned_url("get_object", Params={"Bucket": bucket(), "Key": key}, ExpiresIn=PRESIGN_EXPIRES_IN)
    )
