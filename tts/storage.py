"""The S3 side of TTS: cache keys, existence checks, uploads, presigned GET URLs (HEAD §8.7).

Failures are raised as `StorageError` (carrying only the S3 error code); the service picks the
route's answer for each step. Nothing here logs the bucket or an object key.
"""

from __future__ import annotations

import hashlib

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings

from vela.aws import client_error_code, s3_client
from vela.errors import ServiceMisconfiguredError

PRESIGN_EXPIRES_IN = 900  # HEAD: 15 minutes (December: 3600)
_MISSING_CODES = frozenset({"404", "NotFound", "NoSuchKey"})


class StorageError(Exception):
    """S3 failed for a reason other than "no such object"."""


def audio_key(*, user_id: str, vocabulary_id: str, provider: str, voice_id: str | None, model: str | None) -> str:
    """`tts/<sub>/<vocabularyId>/<h>`, h = sha256("<provider>:<stored voice or ''>:<stored model or ''>")[:16]."""
    digest = hashlib.sha256(f"{provider}:{voice_id or ''}:{model or ''}".encode()).hexdigest()[:16]
    return f"tts/{user_id}/{vocabulary_id}/{digest}"


def bucket() -> str:
    if not settings.TTS_AUDIO_BUCKET_NAME:
        raise ServiceMisconfiguredError("TTS audio bucket not configured", code="tts_audio_bucket_not_configured")
    return str(settings.TTS_AUDIO_BUCKET_NAME)


def _code(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        return client_error_code(exc) or "ClientError"
    return exc.__class__.__name__


def exists(key: str) -> bool:
    """HeadObject: True/False, StorageError for anything but a 404."""
    try:
        s3_client().head_object(Bucket=bucket(), Key=key)
    except ClientError as exc:
        if _code(exc) in _MISSING_CODES:
            return False
        raise StorageError(_code(exc)) from exc
    except BotoCoreError as exc:
        raise StorageError(_code(exc)) from exc
    return True


def upload(key: str, audio: bytes, content_type: str) -> None:
    try:
        s3_client().put_object(Bucket=bucket(), Key=key, Body=audio, ContentType=content_type)
    except (ClientError, BotoCoreError) as exc:
        raise StorageError(_code(exc)) from exc


def presigned_url(key: str) -> str:
    try:
        return str(
            s3_client().generate_presigned_url(
                "get_object", Params={"Bucket": bucket(), "Key": key}, ExpiresIn=PRESIGN_EXPIRES_IN
            )
        )
    except (ClientError, BotoCoreError) as exc:
        raise StorageError(_code(exc)) from exc
