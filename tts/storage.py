"""The S3 side of TTS: cache keys, existence checks, uploads, presigned GET URLs (reference §5.8)."""

from __future__ import annotations

import hashlib
import logging
import threading
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings

from vela.aws import CLIENT_CONFIG
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


# SigV4 presigned URLs (X-Amz-Signature, X-Amz-Expires): the legacy SigV2 form is refused by newer regions.
_S3_CONFIG = CLIENT_CONFIG.merge(Config(signature_version="s3v4"))
_clients: dict[str, Any] = {}
_lock = threading.Lock()


def s3() -> Any:
    region = str(settings.AWS_REGION)
    found = _clients.get(region)
    if found is None:
        with _lock:
            found = _clients.setdefault(
                region, boto3.session.Session().client("s3", region_name=region, config=_S3_CONFIG)
            )
    return found


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
