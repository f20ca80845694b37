"""Progress rules (reference §5.5), with atomic counters (CONTRACT §2.3)."""

from __future__ import annotations

import secrets
import time
from typing import Any

from profiles.services import profile_add_experience, profile_experience_entry, profile_get
from progress.records import DailyProgress, GameProgressDelta, GameSession
from progress.repositories import DailyProgressRepository, GameSessionRepository, js_round
from vela.clock import iso, now
from vela.dynamodb import TransactionCancelled, transact_write

_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def new_session_id(epoch_ms: int | None = None) -> str:
    """`<epoch-ms>-<random base-36, 9 chars>`, as the original's ids."""
    epoch_ms = int(time.time() * 1000) if epoch_ms is None else epoch_ms
    return f"{epoch_ms}-{''.join(secrets.choice(_BASE36) for _ in range(9))}"


def game_delta(
    *, game_type: str, duration_seconds: float, questions_answered: float, correct_answers: float, experience: float
) -> GameProgressDelta:
    return GameProgressDelta(
        vocabulary_studied=questions_answered if game_type == "vocabulary" else 0,
        # "sentence", singular, as the original.
        sentences_completed=questions_answered if game_type == "sentence" else 0,
        time_spent_minutes=js_round(duration_seconds / 60),
        experience_gained=experience,
        accuracy=correct_answers / questions_answered * 100 if questions_answered > 0 else 0,
    )


def progress_record_game_session(
    *,
    user_id: str,
    game_type: str,
    score: float,
    duration_seconds: float,
    questions_answered: float,
    correct_answers: float,
    experience_gained: float,
    sessions: GameSessionRepository | None = None,
    days: DailyProgressRepository | None = None,
) -> DailyProgress:
    """Store the session, add it to today's (UTC) progress and to the profile's experience.

    Usually one TransactWriteItems call: all three writes or none, each an atomic conditional write.
    When the transaction is cancelled (this process's view of the day is stale, another game of the
    same user committed first, or there is no profile) nothing was written, and the three steps run
    one by one instead, in the original's order; each is still atomic, so concurrent sessions never
    lose an update either way.
    """
    moment = now()
    stamp = iso(moment)
    sessions, days = sessions or GameSessionRepository(), days or DailyProgressRepository()
    session = GameSession(
        user_id=user_id,
        session_id=new_session_id(int(moment.timestamp() * 1000)),
        game_type=game_type,
        score=score,
        duration_seconds=duration_seconds,
        questions_answered=questions_answered,
        correct_answers=correct_answers,
        experience_gained=experience_gained,
        created_at=stamp,
    )
    delta = game_delta(
        game_type=game_type,
        duration_seconds=duration_seconds,
        questions_answered=questions_answered,
        correct_answers=correct_answers,
        experience=experience_gained,
    )
    planned = days.plan_game(user_id=user_id, date=stamp[:10], delta=delta)
    if planned is not None:
        day_entry, day = planned
        entries = [
            sessions.add_entry(session),
            day_entry,
            profile_experience_entry(user_id=user_id, amount=experience_gained, at=stamp),
        ]
        try:
            transact_write(entries, token=session.session_id)
        except TransactionCancelled:
            pass  # nothing was written: take the step-by-step path below
        else:
            days.remember(day)
            return day
    sessions.add(session)
    day = days.add_game(user_id=user_id, date=stamp[:10], delta=delta)
    profile_add_experience(user_id=user_id, amount=experience_gained, at=stamp)
    return day


def _js_or(value: Any, fallback: Any) -> Any:
    """JavaScript `value || fallback` for the scalars a profile holds (None, 0, "" fall back)."""
    return value if value else fallback


def progress_analytics(*, user_id: str) -> dict[str, Any]:
    """The original's analytics object: profile-derived, other figures fixed (no streak computation)."""
    profile = profile_get(user_id=user_id)
    streak = _js_or(profile.learning_streak, 0)
    return {
        "totalExperience": _js_or(profile.total_experience, 0),
        "experienceToNextLevel": 100,
        "currentLevel": _js_or(profile.current_level, 1),
        "wordsLearned": 0,
        "sentencesCompleted": 0,
        "averageAccuracy": 0,
        "dailyProgress": [],
        "learningStreak": {
            "current_streak": streak,
            "longest_streak": streak,
            "start_date": _js_or(profile.last_activity, None) or iso(now()),
            "is_active": True,
        },
        "achievements": [],
    }
