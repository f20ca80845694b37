"""Progress rules (reference §5.5), with atomic counters (CONTRACT §2.3)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any

from profiles.services import profile_add_experience, profile_get
from progress.records import DailyProgress, GameProgressDelta, GameSession, js_round
from progress.repositories import DailyProgressRepository, GameSessionRepository
from vela.clock import epoch_ms, iso, now, timestamped_id
from vela.dynamodb import ERRORS, Transaction, TransactionCancelled, backoff_delay
from vela.errors import ConflictError

MIGRATION_ATTEMPTS = 8
CONFLICT_ATTEMPTS = 6  # commits of the session + experience transaction that collide with another one
LAST_SEEN_SIZE = 10_000


class SeenDays:
    """The last state this process saw of each (user, date) row, so the next game of the day can be
    one conditional write. Bounded (LRU); a stale entry only costs a failed condition and the
    step-by-step path."""

    def __init__(self, size: int = LAST_SEEN_SIZE) -> None:
        self._rows: OrderedDict[tuple[str, str], DailyProgress] = OrderedDict()
        self._lock = threading.Lock()
        self._size = size

    def get(self, user_id: str, date: str) -> DailyProgress | None:
        return self._rows.get((user_id, date))

    def remember(self, day: DailyProgress) -> None:
        key = (day.user_id, day.date)
        with self._lock:
            self._rows[key] = day
            self._rows.move_to_end(key)
            while len(self._rows) > self._size:
                self._rows.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._rows.clear()


seen_days = SeenDays()


def forget_seen_rows() -> None:
    seen_days.clear()


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


def _planned_day(
    user_id: str, date: str, delta: GameProgressDelta
) -> tuple[DailyProgress | None, DailyProgress] | None:
    """(the row this process last saw or None, the row after this game) when one conditional write can
    add the game; None when it cannot (a row of the original API, without a sum)."""
    known = seen_days.get(user_id, date)
    if known is None:
        return None, DailyProgress.first_game(user_id=user_id, date=date, delta=delta)
    if known.accuracy_sum is None:
        return None
    return known, known.plus(delta)


def daily_progress_add_game(
    *,
    user_id: str,
    date: str,
    delta: GameProgressDelta,
    session_id: str,
    days: DailyProgressRepository | None = None,
) -> DailyProgress:
    """Add one game (the session `session_id`) to the day, atomically and once, in one write when this
    process knows the row.

    - Unknown row: create it in one conditional write (it must not exist yet).
    - Row seen by this process: ADD the game and SET the new `accuracy_percentage` in one write,
      conditional on `games_played` being what we saw.
    - Otherwise, or when a condition fails (another writer, or an earlier send of this very write,
      got there first): the two-step path, whose ADD skips a session the row already counts.
    Every counter only ever changes by ADD, so no path can lose an update, nor count one twice.
    """
    days = days or DailyProgressRepository()
    day: DailyProgress | None = None
    planned = _planned_day(user_id, date, delta)
    if planned is not None:
        known, after = planned
        if known is None:
            day = after if days.create(after, session_id=session_id) else None
        else:
            day = days.add_game_if_unchanged(known=known, delta=delta, after=after, session_id=session_id)
    if day is None:
        day = _add_then_settle(days, user_id, date, delta, session_id)
    seen_days.remember(day)
    return day


def _add_then_settle(
    days: DailyProgressRepository, user_id: str, date: str, delta: GameProgressDelta, session_id: str
) -> DailyProgress:
    """One atomic ADD, then settle `accuracy_percentage`.

    The ADD needs the row to carry `accuracy_sum` (or not to exist yet); a row written by the
    original API is first given its sum (accuracy_percentage x games_played), once.
    """
    for _ in range(MIGRATION_ATTEMPTS):
        added = days.add_game(user_id=user_id, date=date, delta=delta, session_id=session_id)
        if added is not None:
            break
        row = days.get(user_id=user_id, date=date)
        if row is not None and row.accuracy_sum is None:
            days.set_sum_if_missing(
                user_id=user_id, date=date, games_played=row.games_played, accuracy_sum=row.legacy_sum()
            )
    else:  # pragma: no cover - needs a row that keeps changing shape under us
        raise ConflictError(f"Daily progress {date} kept changing; try again", code="progress_conflict")
    totals, has_percentage = added
    settled = totals.settled()
    if has_percentage and totals.accuracy_percentage == settled.accuracy_percentage:
        # Already right for these totals (a running average rarely moves by a whole point): no write.
        return totals
    # Only while no later game has been added: that game's writer settles the value itself.
    days.set_percentage(
        user_id=user_id, date=date, games_played=totals.games_played, percentage=settled.accuracy_percentage
    )
    return settled


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
    """Store the session, add it to today's (UTC) progress and to the profile's experience, once.

    Usually one transaction: all three writes or none, each an atomic conditional write. When the
    transaction is cancelled (this process's view of the day is stale, another game of the same
    user committed first, or there is no profile) nothing was written, and the steps run one by one
    instead; each is still atomic, so concurrent sessions never lose an update either way.

    The session id, minted once per request, makes every write safe to send twice (botocore
    re-sends a write whose answer it lost; real DynamoDB also dedupes transactions by their
    `ClientRequestToken`, moto does not): the session is only put while it does not exist, and the
    day only adds a session it has not counted. A cancelled transaction whose session already exists
    was applied by an earlier send of itself.
    """
    moment = now()
    stamp = iso(moment)
    date = stamp[:10]
    sessions, days = sessions or GameSessionRepository(), days or DailyProgressRepository()
    session = GameSession(
        user_id=user_id,
        session_id=timestamped_id(epoch_ms(moment)),
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
    planned = _planned_day(user_id, date, delta)
    if planned is not None and _record_in_one_transaction(sessions, days, session, delta, *planned):
        seen_days.remember(planned[1])
        return planned[1]
    _store_with_experience(sessions, session)
    return daily_progress_add_game(user_id=user_id, date=date, delta=delta, session_id=session.session_id, days=days)


def _record_in_one_transaction(
    sessions: GameSessionRepository,
    days: DailyProgressRepository,
    session: GameSession,
    delta: GameProgressDelta,
    known: DailyProgress | None,
    after: DailyProgress,
) -> bool:
    """The three writes in one transaction; False when DynamoDB cancelled it (nothing written)."""
    tx = Transaction()
    sessions.add(session, tx=tx)  # first, so its cancellation reason is the first
    if known is None:
        days.create(after, session_id=session.session_id, tx=tx)
    else:
        days.add_game_if_unchanged(known=known, delta=delta, after=after, session_id=session.session_id, tx=tx)
    profile_add_experience(user_id=session.user_id, amount=session.experience_gained, at=session.created_at, tx=tx)
    try:
        tx.commit(token=session.session_id)
    except TransactionCancelled as cancelled:
        # The session stored already: an earlier send of this same transaction was applied.
        return cancelled.failed(0)
    return True


def _store_with_experience(sessions: GameSessionRepository, session: GameSession) -> None:
    """Put the session and add its experience to the profile in one transaction (a re-send finds the
    session stored and writes nothing); without a profile, the session alone (no profile is made, as
    the original). A transaction that collided with another one on the profile (or was throttled) is
    tried again; any other cancellation is a 502."""
    for attempt in range(CONFLICT_ATTEMPTS):
        if attempt:
            time.sleep(backoff_delay(attempt))
        tx = Transaction()
        sessions.add(session, tx=tx)
        profile_add_experience(user_id=session.user_id, amount=session.experience_gained, at=session.created_at, tx=tx)
        try:
            # A token per attempt: a new commit after a cancelled one is a new request, not a re-send of it.
            tx.commit(token=f"{session.session_id}-xp{attempt}")
        except TransactionCancelled as cancelled:
            if cancelled.failed(0):
                return  # stored, with its experience, by an earlier send of this transaction
            if cancelled.failed(1):
                sessions.add(session)  # no profile (False: a re-send of this put stored it)
                return
            if not cancelled.retryable:
                raise ERRORS["client_error"].build(aws_code="TransactionCanceledException") from cancelled
        else:
            return
    raise ConflictError("The game kept colliding with other writes of the profile; try again", code="progress_conflict")


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
