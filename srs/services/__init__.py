"""SRS rules (HEAD delta §5) and vocabulary from-word (§7): the reads in `reads`, reviews and their
conflict retries in `reviews`, rows added to or removed from a deck in `deck`. Import from here."""

from srs.services.deck import FromWordResult, srs_demo_seed, srs_progress_delete, vocabulary_from_word
from srs.services.reads import (
    DEFAULT_DUE_LIMIT,
    JLPT_CHUNK,
    MAX_COUNT,
    MAX_DUE_LIMIT,
    MAX_JLPT_WALK,
    MAX_READ_ITEMS,
    DueItem,
    srs_due,
    srs_progress_all,
    srs_progress_get,
    srs_stats,
)
from srs.services.reviews import (
    BACKOFF_BASE,
    BACKOFF_CAP,
    BATCH_WORKERS,
    MAX_BATCH_REVIEWS,
    REVIEW_ATTEMPTS,
    Sleep,
    progress_apply_review,
    srs_batch_review,
    srs_review,
)

__all__ = [
    "BACKOFF_BASE",
    "BACKOFF_CAP",
    "BATCH_WORKERS",
    "DEFAULT_DUE_LIMIT",
    "JLPT_CHUNK",
    "MAX_BATCH_REVIEWS",
    "MAX_COUNT",
    "MAX_DUE_LIMIT",
    "MAX_JLPT_WALK",
    "MAX_READ_ITEMS",
    "REVIEW_ATTEMPTS",
    "DueItem",
    "FromWordResult",
    "Sleep",
    "progress_apply_review",
    "srs_batch_review",
    "srs_demo_seed",
    "srs_due",
    "srs_progress_all",
    "srs_progress_delete",
    "srs_progress_get",
    "srs_review",
    "srs_stats",
    "vocabulary_from_word",
]
