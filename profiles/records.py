"""Profile record. Table `vela-profiles` (PROFILES_TABLE_NAME): partition key `user_id` (S), no sort key."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from profiles.preferences import default_preferences
from vela.dynamodb.codec import MISSING
from vela.records import VerbatimRecord

Number = int | float


@dataclass(frozen=True, slots=True)
class Profile(VerbatimRecord):
    """Reference §5.7. Attributes an item lacks stay MISSING (an upserted profile may hold only a few);
    attributes this record does not know are kept in `extra` so a read returns the item verbatim."""

    user_id: str
    email: str | None = MISSING
    username: str | None = MISSING
    avatar_url: str | None = MISSING
    native_language: str = MISSING
    current_level: Number = MISSING
    total_experience: Number = MISSING
    learning_streak: Number = MISSING
    preferences: dict[str, Any] = MISSING
    created_at: str = MISSING
    updated_at: str = MISSING
    last_activity: str = MISSING
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def new(cls, *, user_id: str, email: str | None, username: str | None, now: str, **more: Any) -> Profile:
        return cls(
            user_id=user_id,
            email=email,
            username=username,
            native_language="en",
            current_level=1,
            total_experience=0,
            learning_streak=0,
            preferences=default_preferences(),
            created_at=now,
            updated_at=now,
            **more,
        )
