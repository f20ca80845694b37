"""SRS reviews (HEAD delta §5), with no lost reviews (CONTRACT §3a).

A review is read-compute-write: the row is read (consistently), SM-2 computes the next state, and
the write is conditional on the row being unchanged. When another review got there first the
condition fails, nothing is written, and the review is recomputed from the new state, with
jittered back-off, a bounded number of times. So N concurrent reviews are N reviews, in some order.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from srs.records import Progress
from srs.repositories import DeckVocabularyRepository, ProgressRepository
from srs.scheduler import EASE_FACTOR, calculate_next_review
from srs.services._stored import stored_number
from vela.clock import iso, now
from vela.dynamodb import MISSING, backoff_delay, failure_prefix
from vela.errors import ApplicationError, ConflictError, NotFoundError

MAX_BATCH_REVIEWS = 100
BATCH_WORKERS = 10
REVIEW_ATTEMPTS = 25
BACKOFF_BASE, BACKOFF_CAP = 0.005, 0.1  # seconds (vela.dynamodb.backoff_delay): short waits, many tries

Sleep = Callable[[float], None]


def _reviewed_values(current: Progress, quality: int, moment: datetime) -> dict[str, Any]:
    """The attributes a review sets (HEAD's `updateAfterReview`), computed from `current`."""
    ease = stored_number(current.ease_factor)
    step = calculate_next_review(
        quality=quality,
        ease_factor=EASE_FACTOR if ease is None else ease,
        interval=stored_number(current.interval) or 0,
        repetitions=int(stored_number(current.repetitions) or 0),
        now=moment,
    )
    return {
        "next_review_date": iso(step.next_review_date),
        "ease_factor": step.ease_factor,
        "interval": step.interval,
        "repetitions": step.repetitions,
        "last_quality": quality,
        "last_reviewed_at": iso(moment),
        "total_reviews": (stored_number(current.total_reviews) or 0) + 1,
        "correct_count": (stored_number(current.correct_count) or 0) + (1 if quality >= 3 else 0),
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
