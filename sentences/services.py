"""Saved sentences (reference §5.10): the caller's email is the partition key (legacy data)."""

from __future__ import annotations

import json
import math
import re
import secrets
from collections.abc import Callable, Mapping
from typing import Any

from sentences.records import SavedSentence
from sentences.repositories import SavedSentenceRepository
from vela.clock import now_ms
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
_PARSE_INT_10 = re.compile(r"^[\s\ufeff]*([+-]?[0-9]+)")


def new_sentence_id(now_ms: int) -> str:
    """`<epoch-ms>-<8 random hex chars>`, as HEAD generates them (§8.8; the base used base 36)."""
    return f"{now_ms}-{secrets.token_hex(4)}"


def idempotent_sentence_id(key: str, timestamp: Any) -> str:
    """HEAD §8.8: `<timestamp, or 0 when it is not a number>-<idempotencyKey>`."""
    return f"{_js_number(timestamp) if _is_number(timestamp) else '0'}-{key}"


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _js_number(value: int | float) -> str:
    """A number as a JavaScript template literal writes it (1.0 -> "1", 1.5 -> "1.5")."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return str(value) if isinstance(value, int) else repr(value)


def list_limit(raw: str | None) -> int:
    """HEAD §8.8: `parseInt(limit || "50", 10)`; a finite n > 0 gives min(n, 100), anything else 50."""
    match = _PARSE_INT_10.match(raw or str(DEFAULT_LIMIT))
    if not match:
        return DEFAULT_LIMIT
    value = int(match.group(1))
    if value <= 0 or len(match.group(1)) > 309:  # JS: NaN, <= 0 or Infinity
        return DEFAULT_LIMIT
    return min(value, MAX_LIMIT)


def saved_sentence_create(
    *,
    email: str,
    sentence: Any,
    extras: Mapping[str, Any],
    idempotency_key: str | None = None,
    timestamp: Any = None,
    repo: SavedSentenceRepository | None = None,
    clock: Callable[[], int] = now_ms,
) -> SavedSentence:
    """Store a trimmed sentence with the optional `source_url`/`context` exactly as sent.

    With an `idempotency_key` the id is derived from it (and `timestamp`) and the write is
    conditional on that id: a replayed offline save stores nothing new and answers with the sentence
    the first save stored (HEAD §8.8), also when both arrive at once.
    """
    if not isinstance(sentence, str) or not sentence.strip():
        raise BadRequestError("Sentence is required", code="sentence_required")
    text = check_storable(sentence.strip(), "sentence")
    if len(text) > MAX_SENTENCE_CHARS:
        raise BadRequestError(f"Sentence is too long (at most {MAX_SENTENCE_CHARS} characters)", code="too_long")
    if len(json.dumps(dict(extras), ensure_ascii=False).encode("utf-8", "surrogatepass")) > MAX_EXTRAS_BYTES:
        raise BadRequestError(
            f"sourceUrl and context are too large (at most {MAX_EXTRAS_BYTES} bytes)", code="too_long"
        )
    fixed_id = None
    if idempotency_key:
        fixed_id = idempotent_sentence_id(check_storable(idempotency_key, "idempotencyKey"), timestamp)
        if len(fixed_id.encode()) > MAX_SENTENCE_ID_BYTES:  # HEAD: a DynamoDB ValidationException, 500
            error = BadRequestError("Invalid input.", code="invalid")
            too_long = f"Too long: the sentence id is at most {MAX_SENTENCE_ID_BYTES} bytes."
            error.extra = {"fields": {"idempotencyKey": [too_long]}}
            raise error
    repo = repo or SavedSentenceRepository()
    with failure_prefix("Failed to save sentence"):
        for attempt in range(_ID_ATTEMPTS):
            now = clock()
            record = SavedSentence(
                user_id=email,
                sentence_id=fixed_id or new_sentence_id(now),
                sentence=text,
                created_at=now,
                updated_at=now,
                extras=dict(extras),
            )
            try:
                repo.create(record)
                return record
            except ConflictError:
                if fixed_id is not None and (stored := repo.get(user_id=email, sentence_id=fixed_id)) is not None:
                    return stored  # the replay: the first save's sentence, unchanged
                if attempt == _ID_ATTEMPTS - 1:
                    raise
    raise AssertionError("unreachable")  # pragma: no cover


def saved_sentence_list(
    *, email: str, limit: int = DEFAULT_LIMIT, repo: SavedSentenceRepository | None = None
) -> list[SavedSentence]:
    """The caller's sentences, newest first, at most `limit` (1..MAX_LIMIT; see `list_limit`)."""
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
