"""OpenAI: `POST /v1/audio/speech`, `Authorization: Bearer <key>`, MP3 bytes back."""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings

from tts.providers.base import Audio, UpstreamRequest, json_body

VOICES = ("alloy", "echo", "fable", "onyx", "nova", "shimmer")  # informational: voices are not validated


class OpenAIProvider:
    name = "openai"
    label = "OpenAI TTS"
    default_voice = "alloy"
    default_model = "tts-1"

    def build_request(self, *, api_key: str, text: str, voice: str, model: str) -> UpstreamRequest:
        return UpstreamRequest(
            url=f"{settings.OPENAI_API_BASE_URL}/v1/audio/speech",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {api_key}"},
            body=json_body({"model": model, "input": text, "voice": voice, "response_format": "mp3"}),
        )

    def parse_response(self, *, status: int, headers: Mapping[str, str], body: bytes) -> Audio:
        return Audio(data=body, content_type="audio/mpeg")
