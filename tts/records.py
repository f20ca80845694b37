"""TTS settings of one user. Table tts-settings: PK `user_id` (Cognito sub)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class TtsSettings:
    """`api_key` is the user's provider key: stored, used upstream, never returned or logged.

    `provider` is as stored (None for rows written before providers existed, or by the December API);
    empty voice/model strings read as None.
    """

    user_id: str
    provider: str | None
    api_key: str | None
    voice_id: str | None
    model: str | None
    created_at: int
    updated_at: int

    def __repr__(self) -> str:
        return f"TtsSettings(provider={self.provider!r}, voice_id={self.voice_id!r}, model={self.model!r})"

    @classmethod
    def from_dict(cls, item: Mapping[str, Any]) -> TtsSettings:
        def text(name: str) -> str | None:
            value = item.get(name)
            return value if isinstance(value, str) and value else None

        def number(name: str) -> int:
            value = item.get(name)
            return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0

        return cls(
            user_id=str(item.get("user_id", "")),
            provider=text("provider"),
            api_key=text("api_key"),
            voice_id=text("voice_id"),
            model=text("model"),
            created_at=number("created_at"),
            updated_at=number("updated_at"),
        )


@dataclass(frozen=True, slots=True)
class EffectiveSettings:
    """What a generate/audio answer was made with (HEAD `effectiveSettings`): stored voice/model or None."""

    provider: str
    voice_id: str | None
    model: str | None
