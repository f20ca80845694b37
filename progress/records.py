"""Progress records.

- Game sessions, table `vela-game-sessions`: partition key `user_id` (S), sort key `session_id` (S).
- Daily progress, table `vela-daily-progress`: partition key `user_id` (S), sort key `date` (S, UTC YYYY-MM-DD).
  Besides the original's attributes it keeps `accuracy_sum` (sum of unrounded per-game accuracies) so
  `accuracy_percentage` = round(accuracy_sum / games_played) can be kept without lost updates, and
  `counted_sessions` (string set of the session ids it counted, so a re-sent write is not counted
  twice; storage only, `progress.repositories` reads it, the record does not carry it).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

Number = int | float


def js_round(value: float) -> int:
    """JavaScript Math.round (half toward +infinity), not Python's banker's rounding."""
    return math.floor(value + 0.5)


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
        return cls(**{name: item[name] for name in _SESSION_FIELDS})


_SESSION_FIELDS = tuple(field.name for field in dataclasses.fields(GameSession))


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
        return cls(**{name: item[name] for name in _DAY_FIELDS if name in item})

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _DAY_FIELDS}

    @classmethod
    def first_game(cls, *, user_id: str, date: str, delta: GameProgressDelta) -> DailyProgress:
        """The day's row after its first game."""
        return cls(
            user_id=user_id,
            date=date,
            vocabulary_studied=delta.vocabulary_studied,
            sentences_completed=delta.sentences_completed,
            time_spent_minutes=delta.time_spent_minutes,
            experience_gained=delta.experience_gained,
            games_played=1,
            accuracy_percentage=js_round(delta.accuracy),
            accuracy_sum=delta.accuracy,
        )

    def plus(self, delta: GameProgressDelta) -> DailyProgress:
        """This row with one more game: sums added, `accuracy_percentage` the rounded true average."""
        day = dataclasses.replace(
            self,
            vocabulary_studied=self.vocabulary_studied + delta.vocabulary_studied,
            sentences_completed=self.sentences_completed + delta.sentences_completed,
            time_spent_minutes=self.time_spent_minutes + delta.time_spent_minutes,
            experience_gained=self.experience_gained + delta.experience_gained,
            games_played=self.games_played + 1,
            accuracy_sum=(self.accuracy_sum or 0) + delta.accuracy,
        )
        return day.settled()

    def settled(self) -> DailyProgress:
        """`accuracy_percentage` recomputed from the sum: round(accuracy_sum / games_played), 0 without games."""
        games = self.games_played
        return dataclasses.replace(self, accuracy_percentage=js_round((self.accuracy_sum or 0) / games) if games else 0)

    def legacy_sum(self) -> Number:
        """The sum a row of the original API (percentage only) stands for: percentage x games."""
        return (self.accuracy_percentage or 0) * self.games_played


@dataclass(frozen=True, slots=True)
class GameProgressDelta:
    """What one finished game adds to its day."""

    vocabulary_studied: Number
    sentences_completed: Number
    time_spent_minutes: Number
    experience_gained: Number
    accuracy: float  # this game's unrounded accuracy, 0..100


_DAY_FIELDS = tuple(field.name for field in dataclasses.fields(DailyProgress))
