"""Shared by the progress tests: record one game through the service, today's UTC date."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from progress.repositories import DailyProgressRepository, GameSessionRepository
from progress.services import progress_record_game_session


def today() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d")


def record(user_id: str = "u", xp: int = 10, correct: int = 5) -> Any:
    return progress_record_game_session(
        user_id=user_id,
        game_type="vocabulary",
        score=1,
        duration_seconds=60,
        questions_answered=10,
        correct_answers=correct,
        experience_gained=xp,
        sessions=GameSessionRepository(),
        days=DailyProgressRepository(),
    )
