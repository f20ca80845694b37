"""SRS progress record (HEAD delta §5.1).

Table `vela-user-vocabulary-progress` (USER_VOCABULARY_PROGRESS_TABLE_NAME): partition key `user_id`
(S, the Cognito sub), sort key `vocabulary_id` (S, an id of the vocabulary table). GSI
`NextReviewDateIndex`: `user_id` (S) + `next_review_date` (S, ISO-8601 UTC with ms, compared as a
string), projection ALL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from srs.scheduler import EASE_FACTOR
from vela.dynamodb import MISSING
from vela.records import VerbatimRecord

Number = int | float

# The wire keys of a progress object in `/api/srs/due`, in HEAD's order.
WIRE_KEYS = (
    "user_id",
    "vocabulary_id",
    "next_review_date",
    "ease_factor",
    "interval",
    "repetitions",
    "last_quality",
    "last_reviewed_at",
    "first_learned_at",
    "total_reviews",
    "correct_count",
)


@dataclass(frozen=True, slots=True)
class Progress(VerbatimRecord):
    """One user's SM-2 state for one word. Absent attributes stay MISSING; unknown ones go to `extra`."""

    user_id: str
    vocabulary_id: str
    next_review_date: str = MISSING
    ease_factor: Number = MISSING
    interval: Number = MISSING
    repetitions: Number = MISSING
    last_quality: Number = MISSING
    last_reviewed_at: str = MISSING
    first_learned_at: str = MISSING
    total_reviews: Number = MISSING
    correct_count: Number = MISSING
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def new(cls, *, user_id: str, vocabulary_id: str, now: str, next_review_date: str) -> Progress:
        """A never-reviewed word (HEAD's `initializeProgress` / `initializeProgressIfNotExists`)."""
        return cls(
            user_id=user_id,
            vocabulary_id=vocabulary_id,
            next_review_date=next_review_date,
            ease_factor=EASE_FACTOR,
            interval=0,
            repetitions=0,
            first_learned_at=now,
            total_reviews=0,
            correct_count=0,
        )

    def wire(self) -> dict[str, Any]:
        """HEAD's progress object: exactly WIRE_KEYS in order, absent ones left out, nothing else."""
        data = {name: getattr(self, name) for name in WIRE_KEYS}
        return {k: v for k, v in data.items() if v is not MISSING}
