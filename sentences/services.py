"""Saved sentences (reference §5.10): the caller's email is the partition key (legacy data)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from sentences.records import SavedSentence
from sentences.repositories import SavedSentenceRepository
from vela.clock import now_ms, timestamped_id
from vela.dynamodb import check_storable, failure_prefix
from vela.errors import BadRequestError, ConflictError

DEFAULT_LIMIT = 50
MAX_LIMIT = 100
MAX_SENTENCE_CHARS = 10_000
# DynamoDB items are at most 400 KB; keep the optional JSON well inside that.
MAX_EXTRAS_BYTES = 100_000
# DynamoDB sort keys are at most 1024 bytes: no stored sentence can have a longer id.
MAX_SENTENCE_ID_BYTES = 1024
_ID_ATTEMPTS = 3


def saved_sentence_create(
    *,
    email: str,
    sentence: Any,
    extras: Mapping[str, Any],
    repo: SavedSentenceRepository | None = None,
    clock: Callable[[], int] = now_ms,
) -> SavedSentence:
    """Store a trimmed sentence with the optional `source_url`/`context` exactly as sent."""
    if not isinstance(sentence, str) or not sentence.strip():
        raise BadRequestError("Sentence is required", code="sentence_required")
    text = check_storable(sentence.strip(), "sentence")
    if len(text) > MAX_SENTENCE_CHARS:
        raise BadRequestError(f"Sentence is too long (at most {MAX_SENTENCE_CHARS} characters)", code="too_long")
    if len(json.dumps(dict(extras), ensure_ascii=False).encode("utf-8", "surrogatepass")) > MAX_EXTRAS_BYTES:
        raise BadRequestError(
            f"sourceUrl and context are too large (at most {MAX_EXTRAS_BYTES} bytes)", code="too_long"
        )
    repo = repo or SavedSentenceRepository()
    with failure_prefix("Failed to save sentence"):
        for attempt in range(_ID_ATTEMPTS):
            now = clock()
            record = SavedSentence(
                user_id=email,
                sentence_id=timestamped_id(now),
                sentence=text,
                created_at=now,
                updated_at=now,
                extras=dict(extras),
            )
            try:
                repo.create(record)
                return record
            except ConflictError:
                if attempt == _ID_ATTEMPTS - 1:
                    raise
    raise AssertionError("unreachable")  # pragma: no cover


def saved_sentence_list(
    *, email: str, limit: int = DEFAULT_LIMIT, repo: SavedSentenceRepository | None = None
) -> list[SavedSentence]:
    """The caller's sentences, newest first, at most `limit` (1..MAX_LIMIT)."""
    repo = repo or SavedSentenceRepository()
    with failure_prefix("Failed to fetch saved sentences"):
        return repo.list_newest_first(user_id=email, limit=max(1, min(limit, MAX_LIMIT)))


def saved_sentence_delete(*, email: str, sentence_id: str, repo: SavedSentenceRepository | None = None) -> None:
    """Delete one of the caller's sentences; idempotent. Other users' sentences are out of reach by key."""
    if not sentence_id or len(sentence_id.encode()) > MAX_SENTENCE_ID_BYTES:
        raise BadRequestError("Sentence ID is invalid", code="invalid_sentence_id")
    repo = repo or SavedSentenceRepository()
    with failure_prefix("Failed to delete sentence"):
        repo.delete(user_id=email, sentence_id=sentence_id)
