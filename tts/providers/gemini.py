"""Gemini: `POST /v1beta/models/<model>:generateContent` with the AUDIO modality, key in `x-goog-api-key`;
base64 audio in `candidates[0].content.parts[0].inlineData`.

The content type is HEAD's mapping of `inlineData.outputFormat`, else `mimeType` (unknown -> audio/mpeg).
Raw PCM (`audio/L16`, `audio/pcm`), which HEAD stored as is and browsers cannot play, is wrapped as
WAV (`tts.wav`) and stored as `audio/wav`.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from django.conf import settings

from tts.providers.base import Audio, ProviderError, UpstreamRequest, json_body
from tts.wav import pcm16_to_wav

# Informational: voices are not validated.
VOICES = (
    *("Zephyr", "Puck", "Charon", "Kore", "Fenrir", "Leda"),
    *("Orus", "Aoede", "Callirrhoe", "Autonoe", "Enceladus", "Iocaste"),
)

CONTENT_TYPES = {
    **dict.fromkeys(("MP3", "MPEG", "AUDIO_MPEG"), "audio/mpeg"),
    **dict.fromkeys(("OGG_OPUS", "OGG", "AUDIO_OGG", "AUDIO_OPUS"), "audio/ogg"),
    **dict.fromkeys(("WAV", "AUDIO_WAV", "WAV_L16"), "audio/wav"),
    **dict.fromkeys(("L16", "AUDIO_L16"), "audio/L16"),
    **dict.fromkeys(("PCM", "AUDIO_PCM", "PCM_L16"), "audio/pcm"),
    **dict.fromkeys(("ALAW", "AUDIO_PCMA"), "audio/PCMA"),
    **dict.fromkeys(("MULAW", "MU_LAW", "AUDIO_PCMU"), "audio/PCMU"),
}
RAW_PCM = frozenset({"audio/L16", "audio/pcm"})
NO_AUDIO = "Gemini TTS: no audio data in response"


def content_type(format_name: str) -> str:
    """HEAD's mapping: the part before `;`, trimmed, upper-cased, non-[A-Z0-9] runs -> `_`."""
    normalised = re.sub(r"[^A-Z0-9]+", "_", format_name.split(";", 1)[0].strip().upper())
    return CONTENT_TYPES.get(normalised, "audio/mpeg")


class GeminiProvider:
    name = "gemini"
    label = "Gemini TTS"
    default_voice = "Kore"
    default_model = "gemini-2.5-flash-preview-tts"

    def build_request(self, *, api_key: str, text: str, voice: str, model: str) -> UpstreamRequest:
        return UpstreamRequest(
            url=f"{settings.GEMINI_API_BASE_URL}/v1beta/models/{quote(model, safe='')}:generateContent",
            headers={"Content-Type": "application/json", "x-goog-api-key": api_key},
            body=json_body(
                {
                    "contents": [{"parts": [{"text": text}]}],
                    "generationConfig": {
                        "responseModalities": ["AUDIO"],
                        "speechConfig": {"voiceConfig": {"prebuiltVoiceConfig": {"voiceName": voice}}},
                    },
                }
            ),
        )

    def parse_response(self, *, status: int, headers: Mapping[str, str], body: bytes) -> Audio:
        try:
            inline = _inline_data(json.loads(body))
            data = base64.b64decode(inline["data"], validate=True)
        except (ValueError, binascii.Error, KeyError, TypeError, IndexError) as exc:
            raise ProviderError(NO_AUDIO) from exc
        fmt = next((v for v in (inline.get("outputFormat"), inline.get("mimeType")) if isinstance(v, str) and v), "")
        kind = content_type(fmt)
        if kind in RAW_PCM:
            return Audio(data=pcm16_to_wav(data, mime=fmt), content_type="audio/wav")
        return Audio(data=data, content_type=kind)


def _inline_data(payload: Any) -> dict[str, Any]:
    inline = payload["candidates"][0]["content"]["parts"][0]["inlineData"]
    if not isinstance(inline, dict) or not isinstance(inline.get("data"), str) or not inline["data"]:
        raise KeyError("data")
    return inline
