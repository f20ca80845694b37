"""TTS rules (reference §5.8): settings per Cognito sub, S3-cached ElevenLabs audio."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from botocore.exceptions import BotoCoreError, ClientError

from tts import elevenlabs, storage
from tts.records import TtsSettings
from tts.repositories import TtsSettingsRepository
from vela.errors import ApplicationError, BadRequestError, NotFoundError

logger = logging.getLogger("vela.tts")

DEFAULT_VOICE_ID = "ErXwobaYiN019PkySvjV"
DEFAULT_MODEL = "eleven_multilingual_v2"


@dataclass(frozen=True, slots=True)
class AudioLink:
    audio_url: str
    cached: bool


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _load(repo: TtsSettingsRepository | None, user_id: str, failure: str) -> TtsSettings | None:
    try:
        return (repo or TtsSettingsRepository()).get(user_id=user_id)
    except (ClientError, BotoCoreError) as exc:
        logger.error("Reading TTS settings failed: %s", exc.__class__.__name__)
        raise ApplicationError(failure, code="storage_error") from exc


def tts_settings_get(*, user_id: str, repo: TtsSettingsRepository | None = None) -> TtsSettings | None:
    return _load(repo, user_id, "Failed to get TTS settings")


def tts_settings_save(
    *, user_id: str, api_key: str, voice_id: str | None, model: str | None, repo: TtsSettingsRepository | None = None
) -> None:
    """Overwrites the item; `created_at` is reset on every save, as in the original."""
    now = _now_ms()
    record = TtsSettings(
        user_id=user_id, api_key=api_key, voice_id=voice_id or None, model=model or None, created_at=now, updated_at=now
    )
    try:
        (repo or TtsSettingsRepository()).put(record)
    except (ClientError, BotoCoreError) as exc:
        logger.error("Saving TTS settings failed: %s", exc.__class__.__name__)
        raise ApplicationError("Failed to save TTS settings", code="storage_error") from exc


def _key(user_id: str, vocabulary_id: str, record: TtsSettings) -> str:
    return storage.audio_key(
        user_id=user_id,
        vocabulary_id=vocabulary_id,
        voice_id=record.voice_id or DEFAULT_VOICE_ID,
        model=record.model or DEFAULT_MODEL,
    )


def tts_generate(
    *, user_id: str, vocabulary_id: str, text: str, repo: TtsSettingsRepository | None = None
) -> AudioLink:
    record = _load(repo, user_id, "Failed to generate TTS")
    if record is None or not record.api_key:
        raise BadRequestError("TTS API key not configured. Please configure in Settings.", code="tts_not_configured")
    storage.bucket()  # 500 before any upstream work when the bucket is not configured
    key = _key(user_id, vocabulary_id, record)
    try:
        if storage.exists(key):
            return AudioLink(audio_url=storage.presigned_url(key), cached=True)
    except storage.StorageError as exc:
        logger.warning("HeadObject on cached TTS audio failed (%s); generating afresh", exc)

    audio = elevenlabs.synthesize(
        api_key=record.api_key,
        voice_id=record.voice_id or DEFAULT_VOICE_ID,
        model=record.model or DEFAULT_MODEL,
        text=text,
    )
    try:
        storage.upload(key, audio)
        return AudioLink(audio_url=storage.presigned_url(key), cached=False)
    except (ClientError, BotoCoreError) as exc:
        logger.error("Storing TTS audio failed: %s", exc.__class__.__name__)
        raise ApplicationError("Failed to generate TTS", code="storage_error") from exc


def tts_audio_url(*, user_id: str, vocabulary_id: str, repo: TtsSettingsRepository | None = None) -> str:
    record = _load(repo, user_id, "Failed to get audio URL")
    if record is None:
        raise BadRequestError("TTS settings not found. Please configure in Settings.", code="tts_not_configured")
    storage.bucket()
    key = _key(user_id, vocabulary_id, record)
    try:
        found = storage.exists(key)
    except storage.StorageError as exc:
        logger.error("HeadObject on TTS audio failed: %s", exc)
        raise ApplicationError("Failed to retrieve audio", code="storage_error") from exc
    if not found:
        raise NotFoundError("Audio not found. Please generate it first.", code="audio_not_found")
    try:
        return storage.presigned_url(key)
    except (ClientError, BotoCoreError) as exc:
        raise ApplicationError("Failed to get audio URL", code="storage_error") from exc
