"""The TTS providers of HEAD §8.7 behind one protocol (`tts.providers.base.TtsProvider`)."""

from __future__ import annotations

from tts.providers.base import Audio, TtsProvider, synthesize
from tts.providers.elevenlabs import ElevenLabsProvider
from tts.providers.gemini import GeminiProvider
from tts.providers.openai import OpenAIProvider

PROVIDERS: dict[str, TtsProvider] = {p.name: p for p in (ElevenLabsProvider(), OpenAIProvider(), GeminiProvider())}
PROVIDER_NAMES = tuple(PROVIDERS)  # ("elevenlabs", "openai", "gemini"): HEAD's enum, in its order
DEFAULT_PROVIDER = "elevenlabs"  # rows and December requests without `provider`

__all__ = ["DEFAULT_PROVIDER", "PROVIDERS", "PROVIDER_NAMES", "Audio", "TtsProvider", "synthesize"]
