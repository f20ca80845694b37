"""SRS reads (HEAD delta §5): the due list, the statistics and the caller's rows, each a bounded Query (no Scan)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from srs.records import Progress
from srs.repositories import STATS_PROJECTION, DeckVocabularyRepository, ProgressRepository
from srs.scheduler import round_half_up
from srs.services._stored import stored_number
from vela.clock import iso, now
from vela.dynamodb import failure_prefix

DEFAULT_DUE_LIMIT = 20
MAX_DUE_LIMIT = 100
JLPT_CHUNK = 50  # HEAD walks the due list in chunks of 50 when filtering by JLPT level
MAX_JLPT_WALK = 1000  # bound of that walk; beyond it `total` is estimated, as HEAD does when it stops early
MAX_COUNT = 10_000  # bound of the due count (a Select=COUNT Query)
MAX_READ_ITEMS = 10_000  # bound of `/all` and `/stats` reads per user


def _parse_date(text: Any) -> datetime | None:
    """JavaScript `new Date(text)` for the ISO forms stored here; a date alone is midnight UTC."""
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _jlpt_matches(vocabulary: dict[str, Any] | None, levels: list[int]) -> bool:
    # Numbers only: a stored string "5" never matches level 5 (HEAD delta §13.9).
    level = stored_number((vocabulary or {}).get("jlpt_level"))
    return level is not None and level in levels


# --- due ------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class DueItem:
    progress: Progress
    vocabulary: dict[str, Any] | None


def srs_due(
    *,
    user_id: str,
    limit: int = DEFAULT_DUE_LIMIT,
    jlpt_levels: list[int] | None = None,
    at: datetime | None = None,
    repo: ProgressRepository | None = None,
    vocabulary: DeckVocabularyRepository | None = None,
) -> tuple[list[DueItem], int]:
    """The most overdue `limit` items with their vocabulary, and how many are due in all.

    Read from the `NextReviewDateIndex` (sorted by next review, so the first page is the most
    overdue), one page of `limit + 1`; beyond that the rest is only counted (Select=COUNT). With a
    JLPT filter the due list is walked in chunks of 50 as HEAD does, at most MAX_JLPT_WALK rows,
    `total` estimated when it stops early.
    """
    repo, vocabulary = repo or ProgressRepository(), vocabulary or DeckVocabularyRepository()
    moment = iso(at or now())
    with failure_prefix("Failed to fetch due items"):
        if jlpt_levels:
            return _due_by_level(user_id, limit, jlpt_levels, moment, repo, vocabulary)
        # One row more than asked: if it is not there, the Query itself says the list is complete
        # (no LastEvaluatedKey) and no count is needed, the usual case of a short due list.
        rows: list[Progress] = []
        last = None
        for page, after in repo.due_pages(user_id=user_id, now=moment, page_size=limit + 1):
            rows.extend(page)
            last = after
            if len(rows) > limit:
                break
        total = len(rows)
        if last is not None:
            more, _complete = repo.count_due(user_id=user_id, now=moment, start=last, max_items=MAX_COUNT)
            total += more
        rows = rows[:limit]
        words = vocabulary.get_many([row.vocabulary_id for row in rows]) if rows else {}
        return [DueItem(row, words.get(row.vocabulary_id)) for row in rows], total


def _due_by_level(
    user_id: str,
    limit: int,
    levels: list[int],
    moment: str,
    repo: ProgressRepository,
    vocabulary: DeckVocabularyRepository,
) -> tuple[list[DueItem], int]:
    matched: list[DueItem] = []
    scanned = 0
    last = None
    for page, after in repo.due_pages(user_id=user_id, now=moment, page_size=JLPT_CHUNK):
        last = after
        scanned += len(page)
        words = vocabulary.get_many([row.vocabulary_id for row in page]) if page else {}
        for row in page:
            word = words.get(row.vocabulary_id)
            if _jlpt_matches(word, levels):
                matched.append(DueItem(row, word))
        if len(matched) >= limit or scanned >= MAX_JLPT_WALK:
            break
    if last is None:  # the due list is exhausted: every match was seen
        return matched[:limit], len(matched)
    more, _complete = repo.count_due(user_id=user_id, now=moment, start=last, max_items=MAX_COUNT)
    due_count = scanned + more
    estimate = round_half_up(due_count * len(matched) / scanned) if scanned else 0
    return matched[:limit], max(estimate, len(matched))


# --- stats ----------------------------------------------------------------------------------------
def srs_stats(
    *,
    user_id: str,
    jlpt_levels: list[int] | None = None,
    at: datetime | None = None,
    repo: ProgressRepository | None = None,
    vocabulary: DeckVocabularyRepository | None = None,
) -> dict[str, Any]:
    """HEAD's statistics over the user's rows (a Query of the user's partition, bounded)."""
    repo, vocabulary = repo or ProgressRepository(), vocabulary or DeckVocabularyRepository()
    moment = at or now()
    with failure_prefix("Failed to fetch statistics"):
        rows, _complete = repo.user_rows(user_id=user_id, max_items=MAX_READ_ITEMS, projection=STATS_PROJECTION)
        if jlpt_levels and rows:
            words = vocabulary.get_many([row.vocabulary_id for row in rows], projection="id, jlpt_level")
            rows = [row for row in rows if _jlpt_matches(words.get(row.vocabulary_id), jlpt_levels)]
    breakdown = {"new": 0, "learning": 0, "reviewing": 0, "mastered": 0}
    due = 0
    reviews: int | float = 0
    correct: int | float = 0
    ease_sum = 0.0
    for row in rows:
        interval = stored_number(row.interval) or 0
        if interval == 0:
            breakdown["new"] += 1
        elif interval < 21:
            breakdown["learning"] += 1
        elif interval < 60:
            breakdown["reviewing"] += 1
        else:
            breakdown["mastered"] += 1
        review_at = _parse_date(row.next_review_date)
        if review_at is not None and review_at <= moment:
            due += 1
        ease_sum += stored_number(row.ease_factor) or 0
        # A row without counters counts as 0 reviews (HEAD's sum would turn into NaN, i.e. null).
        reviews += stored_number(row.total_reviews) or 0
        correct += stored_number(row.correct_count) or 0
    average = round_half_up(ease_sum / len(rows) * 100) / 100 if rows else 0
    return {
        "total_items": len(rows),
        "due_today": due,
        "mastery_breakdown": breakdown,
        "average_ease_factor": _js_number(average),
        "total_reviews": _js_number(reviews),
        "accuracy_rate": round_half_up(correct / reviews * 100) if reviews else 0,
    }


def _js_number(value: int | float) -> int | float:
    """Integral floats as ints, so JSON shows `3` where JavaScript would (not `3.0`)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


# --- single rows ------------------------------------------------------------------------------------
def srs_progress_get(*, user_id: str, vocabulary_id: str, repo: ProgressRepository | None = None) -> Progress | None:
    with failure_prefix("Failed to fetch progress"):
        return (repo or ProgressRepository()).get(user_id=user_id, vocabulary_id=vocabulary_id)


def srs_progress_all(*, user_id: str, repo: ProgressRepository | None = None) -> list[Progress]:
    """Every row of the user, in `vocabulary_id` order (at most MAX_READ_ITEMS)."""
    with failure_prefix("Failed to fetch progress"):
        rows, _complete = (repo or ProgressRepository()).user_rows(user_id=user_id, max_items=MAX_READ_ITEMS)
        return rows
