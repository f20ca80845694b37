"""Rows added to and removed from a deck: delete, vocabulary from-word (HEAD delta §7) and the demo seed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from games.records import normalized_word, vocabulary_id_for
from srs.records import Progress
from srs.repositories import DeckVocabularyRepository, ProgressRepository
from vela.clock import iso, now
from vela.dynamodb import MISSING, failure_prefix


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
