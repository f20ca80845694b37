"""ElevenLabs text-to-speech: one POST, never retried, bounded as a whole by TTS_UPSTREAM_TIMEOUT."""

from __future__ import annotations

import json
import logging
import time
from urllib.parse import quote

import requests
from django.conf import settings

from vela import http
from vela.errors import ApplicationError, UpstreamTimeoutError

logger = logging.getLogger("vela.tts")

TIMEOUT_MESSAGE = "Request timeout: TTS generation took too long"
VOICE_SETTINGS = {"stability": 0.5, "similarity_boost": 0.75}
CHUNK_SIZE = 64 * 1024


def synthesize(*, api_key: str, voice_id: str, model: str, text: str) -> bytes:
    """MP3 bytes, or UpstreamTimeoutError (504) / ApplicationError (500) with the original messages."""
    bound = float(settings.TTS_UPSTREAM_TIMEOUT)
    deadline = time.monotonic() + bound
    url = f"{settings.ELEVENLABS_API_BASE_URL}/v1/text-to-speech/{quote(voice_id, safe='')}"
    body = json.dumps(
        {"text": text, "model_id": model, "voice_settings": VOICE_SETTINGS}, ensure_ascii=False, separators=(",", ":")
    ).encode()
    headers = {"Accept": "audio/mpeg", "Content-Type": "application/json", "xi-api-key": api_key}
    try:
        response = http.request("POST", url, data=body, headers=headers, timeout=(min(5.0, bound), bound), stream=True)
        with response:
            if not response.ok:
                logger.warning("ElevenLabs answered %s %s", response.status_code, response.reason)
                raise ApplicationError(
                    f"Failed to generate TTS audio: {response.reason or response.status_code}",
                    code="tts_upstream_error",
                )
            audio = bytearray()
            for chunk in response.iter_content(CHUNK_SIZE):
                audio += chunk
                if time.monotonic() > deadline:
                    raise UpstreamTimeoutError(TIMEOUT_MESSAGE)
    except requests.Timeout as exc:
        raise UpstreamTimeoutError(TIMEOUT_MESSAGE) from exc
    except requests.RequestException as exc:
        if time.monotonic() > deadline:  # a read timeout surfacing as a ConnectionError mid-body
            raise UpstreamTimeoutError(TIMEOUT_MESSAGE) from exc
        logger.warning("ElevenLabs request failed: %s", exc.__class__.__name__)
        raise ApplicationError("Failed to generate TTS", code="tts_upstream_error") from exc
    if not audio:
        raise ApplicationError("Failed to generate TTS audio: empty response", code="tts_upstream_error")
    return bytes(audio)
