"""Progress records.

- Game sessions, table `vela-game-sessions`: partition key `user_id` (S), sort key `session_id` (S).
- Daily progress, table `vela-daily-progress`: partition key `user_id` (S), sort key `date` (S, UTC YYYY-MM-DD).
  Besides the original's attributes it keeps `accuracy_sum` (sum of unrounded per-game accuracies) so
  `accuracy_percentage` = round(accuracy_sum / games_played) can be kept without lost updates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

Number = int | float


@dataclass(frozen=True, slots=True)
class GameSession:
    user_id: str
    session_id: str
    game_type: str
    score: Number
    duration_seconds: Number
    questions_answered: Number
    correct_answers: Number
    experience_gained: Number
    created_at: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "game_type": self.game_type,
            "score": self.score,
            "duration_seconds": self.duration_seconds,
            "questions_answered": self.questions_answered,
            "correct_answers": self.correct_answers,
            "experience_gained": self.experience_gained,
            "created_at": self.created_at,
            "session_id": self.session_id,
        }

    @classmethod
    def from_dict(cls, item: Mapping[str, Any]) -> GameSession:
        return cls(**{name: item[name] for name in cls.__slots__})  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class DailyProgress:
    user_id: str
    date: str
    vocabulary_studied: Number = 0
    sentences_completed: Number = 0
    time_spent_minutes: Number = 0
    experience_gained: Number = 0
    games_played: Number = 0
    accuracy_percentage: Number = 0
    accuracy_sum: Number | None = None  # None: a row written by the original API (no sum yet)

    @classmethod
    def from_dict(cls, item: Mapping[str, Any]) -> DailyProgress:
        return cls(**{name: item[name] for name in cls.__slots__ if name in item})  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class GameProgressDelta:
    """What one finished game adds to its day."""

    vocabulary_studied: Number
    sentences_completed: Number
    time_spent_minutes: Number
    experience_gained: Number
    accuracy: float  # this game's unrounded accuracy, 0..100
