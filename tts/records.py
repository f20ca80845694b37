"""TTS settings of one user. Table tts-settings: PK `user_id` (Cognito sub)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class TtsSettings:
    """`api_key` is the user's ElevenLabs key: stored, used upstream, never returned or logged."""

    user_id: str
    api_key: str | None
    voice_id: str | None
    model: str | None
    created_at: int
    updated_at: int

    def __repr__(self) -> str:
        return f"TtsSettings(user_id={self.user_id!r}, voice_id={self.voice_id!r}, model={self.model!r})"

    def to_item(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "api_key": self.api_key,
            "voice_id": self.voice_id,
            "model": self.model,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> TtsSettings:
        def text(name: str) -> str | None:
            value = item.get(name)
            return value if isinstance(value, str) and value else None

        return cls(
            user_id=str(item["user_id"]),
            api_key=text("api_key"),
            voice_id=text("voice_id"),
            model=text("model"),
            created_at=int(item.get("created_at") or 0),
            updated_at=int(item.get("updated_at") or 0),
        )
