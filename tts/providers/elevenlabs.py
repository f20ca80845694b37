"""ElevenLabs: `POST /v1/text-to-speech/<voice>`, key in `xi-api-key`, MP3 bytes back."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote

from django.conf import settings

from tts.providers.base import Audio, UpstreamRequest, json_body

VOICE_SETTINGS = {"stability": 0.5, "similarity_boost": 0.75}


class ElevenLabsProvider:
    name = "elevenlabs"
    label = "ElevenLabs"
    default_voice = "ErXwobaYiN019PkySvjV"
    default_model = "eleven_multilingual_v2"

    def build_request(self, *, api_key: str, text: str, voice: str, model: str) -> UpstreamRequest:
        return UpstreamRequest(
            url=f"{settings.ELEVENLABS_API_BASE_URL}/v1/text-to-speech/{quote(voice, safe='')}",
            headers={"Accept": "audio/mpeg", "Content-Type": "application/json", "xi-api-key": api_key},
            body=json_body({"text": text, "model_id": model, "voice_settings": VOICE_SETTINGS}),
        )

    def parse_response(self, *, status: int, headers: Mapping[str, str], body: bytes) -> Audio:
        return Audio(data=body, content_type="audio/mpeg")
