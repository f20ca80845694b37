"""SRS rules (HEAD delta §5) and vocabulary from-word (§7), with no lost reviews (CONTRACT §3a).

A review is read-compute-write: the row is read (consistently), SM-2 computes the next state, and
the write is conditional on the row being unchanged. When another review got there first the
condition fails, nothing is written, and the review is recomputed from the new state, with
jittered back-off, a bounded number of times. So N concurrent reviews are N reviews, in some order.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from games.records import normalized_word, vocabulary_id_for
from srs.records import Progress
from srs.repositories import STATS_PROJECTION, DeckVocabularyRepository, ProgressRepository
from srs.scheduler import EASE_FACTOR, calculate_next_review, round_half_up
from vela.clock import iso, now
from vela.dynamodb import MISSING, backoff_delay, failure_prefix
from vela.errors import ApplicationError, ConflictError, NotFoundError

DEFAULT_DUE_LIMIT = 20
MAX_DUE_LIMIT = 100
JLPT_CHUNK = 50  # HEAD walks the due list in chunks of 50 when filtering by JLPT level
MAX_JLPT_WALK = 1000  # bound of that walk; beyond it `total` is estimated, as HEAD does when it stops early
MAX_COUNT = 10_000  # bound of the due count (a Select=COUNT Query)
MAX_READ_ITEMS = 10_000  # bound of `/all` and `/stats` reads per user
MAX_BATCH_REVIEWS = 100
BATCH_WORKERS = 10
REVIEW_ATTEMPTS = 25
BACKOFF_BASE, BACKOFF_CAP = 0.005, 0.1  # seconds (vela.dynamodb.backoff_delay): short waits, many tries

Sleep = Callable[[float], None]


def _number(value: Any) -> int | float | None:
    """A stored JSON number (never a bool), else None."""
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


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
    level = _number((vocabulary or {}).get("jlpt_level"))
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
        interval = _number(row.interval) or 0
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
        ease_sum += _number(row.ease_factor) or 0
        # A row without counters counts as 0 reviews (HEAD's sum would turn into NaN, i.e. null).
        reviews += _number(row.total_reviews) or 0
        correct += _number(row.correct_count) or 0
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


# --- review ---------------------------------------------------------------------------------------
def _reviewed_values(current: Progress, quality: int, moment: datetime) -> dict[str, Any]:
    """The attributes a review sets (HEAD's `updateAfterReview`), computed from `current`."""
    ease = _number(current.ease_factor)
    step = calculate_next_review(
        quality=quality,
        ease_factor=EASE_FACTOR if ease is None else ease,
        interval=_number(current.interval) or 0,
        repetitions=int(_number(current.repetitions) or 0),
        now=moment,
    )
    return {
        "next_review_date": iso(step.next_review_date),
        "ease_factor": step.ease_factor,
        "interval": step.interval,
        "repetitions": step.repetitions,
        "last_quality": quality,
        "last_reviewed_at": iso(moment),
        "total_reviews": (_number(current.total_reviews) or 0) + 1,
        "correct_count": (_number(current.correct_count) or 0) + (1 if quality >= 3 else 0),
    }


def progress_apply_review(
    *,
    user_id: str,
    vocabulary_id: str,
    quality: int,
    current: Progress | None = MISSING,
    repo: ProgressRepository | None = None,
    clock: Callable[[], datetime] = now,
    sleep: Sleep = time.sleep,
) -> Progress:
    """Apply one review atomically; returns the stored row. `current` is the row already read (None:
    no row), MISSING to read it here. Raises NotFoundError if the row vanished (deleted) meanwhile,
    ConflictError if it kept changing for REVIEW_ATTEMPTS attempts."""
    repo = repo or ProgressRepository()
    existed = False
    for attempt in range(REVIEW_ATTEMPTS):
        if attempt or current is MISSING:
            current = repo.get(user_id=user_id, vocabulary_id=vocabulary_id)
        moment = clock()
        if current is None:
            if existed:  # deleted while we reviewed it (HEAD's 404 after its re-read)
                raise NotFoundError("Progress not found for vocabulary item", code="progress_not_found")
            stamp = iso(moment)
            fresh = Progress.new(user_id=user_id, vocabulary_id=vocabulary_id, now=stamp, next_review_date=stamp)
            row = Progress.from_dict({**fresh.to_dict(), **_reviewed_values(fresh, quality, moment)})
            if repo.create_if_absent(row):
                return row
        else:
            existed = True
            stored = repo.replace_review_state(current, _reviewed_values(current, quality, moment))
            if stored is not None:
                return stored
        sleep(backoff_delay(attempt + 1, base=BACKOFF_BASE, cap=BACKOFF_CAP))
    raise ConflictError("Failed to update progress due to race condition", code="review_conflict")


def srs_review(
    *,
    user_id: str,
    vocabulary_id: str,
    quality: int,
    repo: ProgressRepository | None = None,
    vocabulary: DeckVocabularyRepository | None = None,
    clock: Callable[[], datetime] = now,
    sleep: Sleep = time.sleep,
) -> Progress:
    """Record one review: 404 for an unknown word (progress untouched), else the stored row."""
    repo, vocabulary = repo or ProgressRepository(), vocabulary or DeckVocabularyRepository()
    with failure_prefix("Failed to record review"):
        # The word's existence and the caller's row in one BatchGetItem.
        exists, current = repo.get_with_vocabulary(user_id=user_id, vocabulary_id=vocabulary_id, vocabulary=vocabulary)
        if not exists:
            raise NotFoundError("Vocabulary not found", code="vocabulary_not_found")
        return progress_apply_review(
            user_id=user_id,
            vocabulary_id=vocabulary_id,
            quality=quality,
            current=current,
            repo=repo,
            clock=clock,
            sleep=sleep,
        )


def srs_batch_review(
    *,
    user_id: str,
    reviews: list[tuple[str, int]],
    repo: ProgressRepository | None = None,
    vocabulary: DeckVocabularyRepository | None = None,
    sleep: Sleep = time.sleep,
) -> dict[str, Any]:
    """HEAD's batch: de-duplicated by word (first position, last quality), one BatchGetItem of the
    words and one of the caller's rows, then each review as `srs_review` (atomic, retried) with at
    most 10 at a time."""
    repo, vocabulary = repo or ProgressRepository(), vocabulary or DeckVocabularyRepository()
    qualities: dict[str, int] = {}
    for vocabulary_id, quality in reviews:
        qualities[vocabulary_id] = quality  # dict keeps the first position, the assignment the last quality
    with failure_prefix("Failed to record batch reviews"):
        words = vocabulary.get_many(list(qualities), projection="id") if qualities else {}
        known = [vocabulary_id for vocabulary_id in qualities if vocabulary_id in words]
        rows = repo.get_many(user_id=user_id, vocabulary_ids=known) if known else {}

    def one(vocabulary_id: str) -> dict[str, Any]:
        if vocabulary_id not in words:
            return {"vocabulary_id": vocabulary_id, "success": False, "error": "Vocabulary not found"}
        try:
            progress_apply_review(
                user_id=user_id,
                vocabulary_id=vocabulary_id,
                quality=qualities[vocabulary_id],
                current=rows.get(vocabulary_id),
                repo=repo,
                sleep=sleep,
            )
        except (NotFoundError, ConflictError):
            error = f"Failed to update progress for vocabulary {vocabulary_id}"
            return {"vocabulary_id": vocabulary_id, "success": False, "error": error}
        except ApplicationError as exc:
            return {"vocabulary_id": vocabulary_id, "success": False, "error": exc.message}
        return {"vocabulary_id": vocabulary_id, "success": True}

    if len(qualities) <= 1:
        results = [one(vocabulary_id) for vocabulary_id in qualities]
    else:
        with ThreadPoolExecutor(max_workers=min(BATCH_WORKERS, len(qualities))) as pool:
            results = list(pool.map(one, qualities))
    successful = sum(1 for result in results if result["success"])
    return {
        "success": True,
        "processed": len(results),
        "successful": successful,
        "failed": len(results) - successful,
        "results": results,
    }


# --- single rows ------------------------------------------------------------------------------------
def srs_progress_get(*, user_id: str, vocabulary_id: str, repo: ProgressRepository | None = None) -> Progress | None:
    with failure_prefix("Failed to fetch progress"):
        return (repo or ProgressRepository()).get(user_id=user_id, vocabulary_id=vocabulary_id)


def srs_progress_all(*, user_id: str, repo: ProgressRepository | None = None) -> list[Progress]:
    """Every row of the user, in `vocabulary_id` order (at most MAX_READ_ITEMS)."""
    with failure_prefix("Failed to fetch progress"):
        rows, _complete = (repo or ProgressRepository()).user_rows(user_id=user_id, max_items=MAX_READ_ITEMS)
        return rows


def srs_progress_delete(*, user_id: str, vocabulary_id: str, repo: ProgressRepository | None = None) -> None:
    with failure_prefix("Failed to delete progress"):
        (repo or ProgressRepository()).delete(user_id=user_id, vocabulary_id=vocabulary_id)


# --- vocabulary from-word -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class FromWordResult:
    vocabulary_id: str
    created: bool
    already_in_srs: bool


def vocabulary_from_word(
    *,
    user_id: str,
    japanese_word: str,
    english_translation: str,
    reading: str | None = None,
    jlpt_level: int | None = None,
    repo: ProgressRepository | None = None,
    vocabulary: DeckVocabularyRepository | None = None,
    clock: Callable[[], datetime] = now,
) -> FromWordResult:
    """Add the word to the shared vocabulary table unless its id exists, and to the caller's deck.

    The deterministic id is the table key, so an existing row is found by the key itself: a
    conditional PutItem (`attribute_not_exists(id)`) writes a new row or, failing its condition,
    tells us the row exists (left unchanged: the first writer's translation wins). No Scan.
    """
    repo, vocabulary = repo or ProgressRepository(), vocabulary or DeckVocabularyRepository()
    vocabulary_id = vocabulary_id_for(japanese_word, reading)
    moment = clock()
    item: dict[str, Any] = {"japanese_word": japanese_word}
    if reading:
        item["hiragana"] = reading
    item["english_translation"] = english_translation
    if jlpt_level is not None:
        item["jlpt_level"] = jlpt_level
    item |= {"created_at": iso(moment), "id": vocabulary_id, "normalized_japanese_word": normalized_word(japanese_word)}
    with failure_prefix("Failed to save vocabulary entry"):
        created = vocabulary.create_if_absent(item)
    progress = Progress.new(
        user_id=user_id,
        vocabulary_id=vocabulary_id,
        now=iso(moment),
        next_review_date=iso(moment + timedelta(days=1)),
    )
    with failure_prefix("Failed to initialize SRS progress"):
        added = repo.create_if_absent(progress)
    return FromWordResult(vocabulary_id=vocabulary_id, created=created, already_in_srs=not added)


# --- demo data (`make run`) ----------------------------------------------------------------------------
def srs_demo_seed(
    *, user_id: str, words: int = 12, at: datetime | None = None, repo: ProgressRepository | None = None
) -> int:
    """Put the first `words` demo words (games/seed/demo.json) in the user's deck at varied SM-2 stages:
    about half due now (most overdue first), the rest due over the coming weeks. Existing rows are kept."""
    from games.services import demo_data

    repo, moment = repo or ProgressRepository(), at or now()
    ids = [item["id"] for item in demo_data()["vocabulary"]][:words]
    stages = [(0, 0, 2.5, -2), (1, 1, 2.5, -1), (6, 2, 2.6, -3), (15, 3, 2.46, 0), (1, 0, 2.32, -5), (35, 4, 2.32, 9)]
    written = 0
    for index, vocabulary_id in enumerate(ids):
        interval, repetitions, ease, due_in = stages[index % len(stages)]
        reviews = repetitions + index % 3
        row = Progress(
            user_id=user_id,
            vocabulary_id=vocabulary_id,
            # Due rows a few minutes apart so the due list has a stable order.
            next_review_date=iso(moment + timedelta(days=due_in or index + 1, minutes=-index)),
            ease_factor=ease,
            interval=interval,
            repetitions=repetitions,
            first_learned_at=iso(moment - timedelta(days=30 + index)),
            total_reviews=reviews,
            correct_count=max(0, reviews - index % 2),
            last_quality=4 if reviews else MISSING,
            last_reviewed_at=iso(moment - timedelta(days=1)) if reviews else MISSING,
        )
        written += repo.create_if_absent(row)
    return written
