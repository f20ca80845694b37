"""TTS rules (HEAD §8.7): settings per Cognito sub, audio from one of three providers, cached in S3.

Every answer names the settings it was made with (`effectiveSettings`). Error codes are HEAD's
(the mobile app maps them to UI states); DynamoDB failures are the boundary's (`vela.dynamodb`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from tts import storage
from tts.providers import DEFAULT_PROVIDER, PROVIDERS, TtsProvider, synthesize
from tts.records import EffectiveSettings, TtsSettings
from tts.repositories import TtsSettingsRepository
from vela.errors import ApplicationError, BadRequestError, NotFoundError
from vela.http import header_value_problem

logger = logging.getLogger("vela.tts")


@dataclass(frozen=True, slots=True)
class SettingsView:
    has_api_key: bool
    provider: str
    voice_id: str | None
    model: str | None


@dataclass(frozen=True, slots=True)
class AudioLink:
    audio_url: str
    cached: bool
    effective_settings: EffectiveSettings


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _provider_name(record: TtsSettings) -> str | None:
    """`provider || "elevenlabs"`, then checked against the enum (None: not a known provider)."""
    name = record.provider or DEFAULT_PROVIDER
    return name if name in PROVIDERS else None


def tts_settings_get(*, user_id: str, repo: TtsSettingsRepository | None = None) -> SettingsView:
    record = (repo or TtsSettingsRepository()).get(user_id=user_id)
    if record is None:
        return SettingsView(has_api_key=False, provider=DEFAULT_PROVIDER, voice_id=None, model=None)
    provider = _provider_name(record)
    if provider is None:
        logger.warning("Stored TTS provider is not a known provider; answering %s", DEFAULT_PROVIDER)
    return SettingsView(
        has_api_key=bool(record.api_key),
        provider=provider or DEFAULT_PROVIDER,
        voice_id=record.voice_id,
        model=record.model,
    )


def tts_settings_save(
    *,
    user_id: str,
    api_key: str,
    provider: str = DEFAULT_PROVIDER,
    voice_id: str | None = None,
    model: str | None = None,
    repo: TtsSettingsRepository | None = None,
) -> None:
    """Upsert; empty voice/model are stored as null; `created_at` survives later saves."""
    if provider not in PROVIDERS:  # the view validates; this keeps the rule in the service too
        raise BadRequestError("Invalid TTS provider", code="invalid")
    if problem := header_value_problem(api_key):
        raise BadRequestError(f"API key {problem}.", code="invalid")
    (repo or TtsSettingsRepository()).save(
        user_id=user_id,
        provider=provider,
        api_key=api_key,
        voice_id=voice_id or None,
        model=model or None,
        now_ms=_now_ms(),
    )


def _resolve(record: TtsSettings) -> tuple[TtsProvider, EffectiveSettings]:
    name = _provider_name(record)
    if name is None:
        raise BadRequestError("Invalid TTS provider configuration", code="tts_invalid_provider_configuration")
    return PROVIDERS[name], EffectiveSettings(provider=name, voice_id=record.voice_id, model=record.model)


def _key(user_id: str, vocabulary_id: str, effective: EffectiveSettings) -> str:
    return storage.audio_key(
        user_id=user_id,
        vocabulary_id=vocabulary_id,
        provider=effective.provider,
        voice_id=effective.voice_id,
        model=effective.model,
    )


def _guarded[T](fallback: str, step: Callable[[], T]) -> T:
    """HEAD's catch-all: anything unforeseen is a 500 `tts_unexpected_error` naming only its class."""
    try:
        return step()
    except ApplicationError:
        raise
    except Exception as exc:
        logger.error("TTS failed unexpectedly: %s", exc.__class__.__name__)
        raise ApplicationError(fallback, code="tts_unexpected_error") from exc


def tts_generate(
    *, user_id: str, vocabulary_id: str, text: str, repo: TtsSettingsRepository | None = None
) -> AudioLink:
    return _guarded(
        "Failed to generate TTS audio", lambda: _generate(user_id, vocabulary_id, text, repo or TtsSettingsRepository())
    )


def _generate(user_id: str, vocabulary_id: str, text: str, repo: TtsSettingsRepository) -> AudioLink:
    record = repo.get(user_id=user_id)
    if record is None or not record.api_key:
        raise BadRequestError("TTS API key not configured. Please configure in Settings.", code="tts_not_configured")
    storage.bucket()  # 500 before any upstream work when the bucket is not configured
    provider, effective = _resolve(record)
    if header_value_problem(record.api_key):  # a row saved before keys were checked at save time
        raise BadRequestError(
            "The stored TTS API key cannot be used. Please configure it again in Settings.", code="tts_not_configured"
        )
    key = _key(user_id, vocabulary_id, effective)
    try:
        if storage.exists(key):
            return AudioLink(audio_url=storage.presigned_url(key), cached=True, effective_settings=effective)
    except storage.StorageError as exc:
        logger.error("Checking the TTS audio cache failed: %s", exc)
        raise ApplicationError(
            "Audio service temporarily unavailable. Please try again.",
            code="tts_audio_service_unavailable",
            status_code=503,
        ) from exc

    audio = synthesize(provider, api_key=record.api_key, text=text, voice_id=record.voice_id, model=record.model)
    try:
        storage.upload(key, audio.data, audio.content_type)
    except storage.StorageError as exc:
        logger.error("Storing TTS audio failed: %s", exc)
        raise ApplicationError(
            "Audio was generated but could not be saved. Please try again.", code="tts_audio_storage_failed"
        ) from exc
    try:
        url = storage.presigned_url(key)
    except storage.StorageError as exc:
        logger.error("Presigning TTS audio failed: %s", exc)
        raise ApplicationError(
            "Audio was saved but could not be accessed. Please try again.", code="tts_audio_access_failed"
        ) from exc
    return AudioLink(audio_url=url, cached=False, effective_settings=effective)


def tts_audio_url(*, user_id: str, vocabulary_id: str, repo: TtsSettingsRepository | None = None) -> AudioLink:
    return _guarded(
        "Failed to get audio URL", lambda: _audio_url(user_id, vocabulary_id, repo or TtsSettingsRepository())
    )


def _audio_url(user_id: str, vocabulary_id: str, repo: TtsSettingsRepository) -> AudioLink:
    record = repo.get(user_id=user_id)
    if record is None:  # an empty api_key still proceeds, as HEAD
        raise BadRequestError("TTS settings not found. Please configure in Settings.", code="tts_not_configured")
    storage.bucket()
    _, effective = _resolve(record)
    key = _key(user_id, vocabulary_id, effective)
    try:
        found = storage.exists(key)
        url = storage.presigned_url(key) if found else ""
    except storage.StorageError as exc:
        logger.error("Reading TTS audio failed: %s", exc)
        raise ApplicationError("Failed to retrieve audio", code="tts_audio_access_failed") from exc
    if not found:
        raise NotFoundError("Audio not found. Please generate it first.", code="tts_audio_not_found")
    return AudioLink(audio_url=url, cached=True, effective_settings=effective)
