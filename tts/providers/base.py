"""The provider protocol (HEAD §8.7 "Provider wire calls") and the one call every provider goes through.

A provider only knows its wire format: `build_request` (URL, headers, body for the user's key, text,
voice and model) and `parse_response` (status, headers, body -> audio bytes + content type).
`synthesize` sends it through `vela.http` once (never retried), bounded as a whole by
TTS_UPSTREAM_TIMEOUT, and turns every failure into the route's error with a stable code.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings

from vela import http
from vela.errors import UpstreamError, UpstreamTimeoutError

logger = logging.getLogger("vela.tts")

MAX_AUDIO_BYTES = 25 * 1024 * 1024  # a 5,000-character text is ~5 MB of MP3 or ~20 MB of 24 kHz PCM


@dataclass(frozen=True, slots=True)
class UpstreamRequest:
    url: str
    headers: dict[str, str]
    body: bytes
    method: str = "POST"

    def __repr__(self) -> str:  # headers carry the key
        return f"UpstreamRequest({self.method} {self.url.split('?')[0]})"


@dataclass(frozen=True, slots=True)
class Audio:
    data: bytes
    content_type: str


class ProviderError(Exception):
    """The upstream answered, but not with audio (HEAD: `<Provider> API error <status>`, no audio data)."""


class TtsProvider(Protocol):
    name: str
    label: str
    default_voice: str
    default_model: str

    def build_request(self, *, api_key: str, text: str, voice: str, model: str) -> UpstreamRequest: ...

    def parse_response(self, *, status: int, headers: Mapping[str, str], body: bytes) -> Audio: ...


def json_body(value: Any) -> bytes:
    """The bytes JavaScript's JSON.stringify sends (UTF-8, no spaces)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def synthesize(provider: TtsProvider, *, api_key: str, text: str, voice_id: str | None, model: str | None) -> Audio:
    """Audio for `text`; stored voice/model (None -> the provider's defaults). Raises UpstreamTimeoutError
    (504 `tts_generation_timeout`) or UpstreamError (502 `tts_generation_failed`); the upstream's body and
    the key never reach the error or a log."""
    request = provider.build_request(
        api_key=api_key, text=text, voice=voice_id or provider.default_voice, model=model or provider.default_model
    )
    try:
        fetched = http.fetch(
            request.method,
            request.url,
            bound=float(settings.TTS_UPSTREAM_TIMEOUT),
            max_bytes=MAX_AUDIO_BYTES,
            headers=request.headers,
            data=request.body,
        )
    except http.FetchTimedOut as exc:
        logger.warning("%s TTS request timed out", provider.label)
        raise UpstreamTimeoutError("TTS generation timed out", code="tts_generation_timeout") from exc
    except http.FetchFailed as exc:
        logger.warning("%s TTS request failed: %s", provider.label, exc)
        raise UpstreamError("Failed to generate TTS audio", code="tts_generation_failed") from exc
    try:
        if not fetched.ok:
            raise ProviderError(f"{provider.label} API error {fetched.status}")
        audio = provider.parse_response(status=fetched.status, headers=fetched.headers, body=fetched.body)
        if not audio.data:
            raise ProviderError(f"{provider.label}: empty audio")
    except ProviderError as exc:
        logger.warning("%s", exc)
        raise UpstreamError("Failed to generate TTS audio", code="tts_generation_failed") from exc
    return audio
