"""Optimistic-concurrency retries for DSQL transactions.

DSQL never blocks on row locks: a transaction that lost a write conflict fails at COMMIT (or at the
statement) with SQLSTATE 40001 and `OC000` (data conflict) or `OC001` (schema changed) in the message;
the connectors also report OC000/OC001 as the SQLSTATE. The only correct reaction is to run the whole
transaction again, so the helpers below re-run the *block*, not a statement:

    from dsql_backend import transaction as dsql_tx

    @dsql_tx.atomic(using="dsql", retries=5)
    def transfer(...):
        ...                                 # runs again from the top after a conflict

    for attempt in dsql_tx.attempts(using="dsql"):
        with attempt:
            ...                             # the same, for an inline block

`on_commit` hooks registered in a failed attempt are dropped with its rollback, so they run exactly
once, after the attempt that committed. The block must be safe to re-run (no side effects outside the
database before commit; put those in `transaction.on_commit`). Called inside an outer atomic block the
helper joins it without retrying (DSQL has no savepoints): the outermost helper owns the retries.
"""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable, Iterator
from typing import Any, Literal

from django.db import DatabaseError, connections
from django.db import transaction as django_transaction

from . import signals
from .errors import sqlstate

logger = logging.getLogger("dsql_backend.occ")

OCC_SQLSTATES = frozenset({"40001", "OC000", "OC001"})
DEFAULT_RETRIES = 5
DEFAULT_BASE_DELAY = 0.005
DEFAULT_MAX_DELAY = 0.5


class OCCRetriesExhausted(DatabaseError):
    """The transaction kept conflicting with concurrent ones; the last conflict is the __cause__."""

    def __init__(self, message: str, *, attempts: int, code: str | None) -> None:
        super().__init__(message)
        self.attempts = attempts
        self.code = code


def occ_code(exc: BaseException) -> str | None:
    """`40001`/`OC000`/`OC001` if `exc` is an optimistic-concurrency conflict, else None."""
    code = sqlstate(exc)
    text = str(exc)
    for occ in ("OC000", "OC001"):
        if occ in text:
            return occ
    if code in OCC_SQLSTATES:
        return code
    return None


def backoff(attempt: int, base_delay: float, max_delay: float) -> float:
    """Exponential backoff with 'equal jitter': between half and all of min(max, base * 2**(attempt-1))."""
    ceiling = min(max_delay, base_delay * (2 ** (attempt - 1)))
    return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 - jitter, not crypto


class Attempt:
    """One try: a context manager wrapping Django's atomic(); records an OCC failure instead of raising."""

    def __init__(self, using: str, number: int) -> None:
        self.using = using
        self.number = number
        self.error: BaseException | None = None
        self.code: str | None = None
        self._atomic = django_transaction.atomic(using=using)

    def __enter__(self) -> Attempt:
        self._atomic.__enter__()
        return self

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> bool:
        try:
            self._atomic.__exit__(exc_type, exc, tb)  # commits, or rolls back on exc
        except DatabaseError as commit_error:  # the conflict surfaced at COMMIT
            exc = commit_error
        if exc is not None and (code := occ_code(exc)) is not None:
            self.error, self.code = exc, code
            return True  # swallowed: attempts() decides to retry or give up
        if exc is not None and exc_type is None:
            raise exc  # a non-OCC COMMIT failure
        return False


def attempts(
    using: str = "dsql",
    *,
    retries: int = DEFAULT_RETRIES,
    base_delay: float = DEFAULT_BASE_DELAY,
    max_delay: float = DEFAULT_MAX_DELAY,
) -> Iterator[Attempt]:
    """Yield attempts until one commits; back off between them; raise OCCRetriesExhausted at the end."""
    connection = connections[using]
    if connection.in_atomic_block:  # joined an outer transaction: it owns the retries
        yield _Joined(using)
        return
    total = retries + 1
    last: Attempt | None = None
    for number in range(1, total + 1):
        attempt = Attempt(using, number)
        yield attempt
        if attempt.error is None:
            return
        last = attempt
        if number == total:
            break
        signals.occ_conflict.send(None, using=using, code=attempt.code, attempt=number, exhausted=False)
        delay = backoff(number, base_delay, max_delay)
        logger.warning(
            "DSQL optimistic-concurrency conflict %s on %r (attempt %d/%d); retrying in %.3f s",
            attempt.code,
            using,
            number,
            total,
            delay,
        )
        time.sleep(delay)
    if last is None:  # pragma: no cover - the loop always runs at least once
        raise ValueError("retries must be >= 0")
    logger.error("DSQL transaction on %r gave up after %d attempts (last conflict %s)", using, total, last.code)
    signals.occ_conflict.send(None, using=using, code=last.code, attempt=total, exhausted=True)
    raise OCCRetriesExhausted(
        f"DSQL transaction on {using!r} still conflicted after {total} attempts (last SQLSTATE/code "
        f"{last.code}); concurrent writers keep changing the same rows. Reduce contention on those rows "
        "or raise `retries`.",
        attempts=total,
        code=last.code,
    ) from last.error


class _Joined(Attempt):
    def __init__(self, using: str) -> None:
        super().__init__(using, 1)

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> Literal[False]:
        self._atomic.__exit__(exc_type, exc, tb)
        return False


def run(
    func: Callable[[], Any],
    using: str = "dsql",
    *,
    retries: int = DEFAULT_RETRIES,
    base_delay: float = DEFAULT_BASE_DELAY,
    max_delay: float = DEFAULT_MAX_DELAY,
) -> Any:
    """Run `func()` in a transaction on `using`, re-running it on OCC conflicts; return its result."""
    result = None
    for attempt in attempts(using, retries=retries, base_delay=base_delay, max_delay=max_delay):
        with attempt:
            result = func()
    return result


def atomic[**P, R](
    func: Callable[P, R] | None = None,
    *,
    using: str = "dsql",
    retries: int = DEFAULT_RETRIES,
    base_delay: float = DEFAULT_BASE_DELAY,
    max_delay: float = DEFAULT_MAX_DELAY,
) -> Any:
    """Decorator: `@atomic` or `@atomic(using=..., retries=..., base_delay=..., max_delay=...)`."""

    def decorate(inner: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(inner)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            return run(
                lambda: inner(*args, **kwargs), using, retries=retries, base_delay=base_delay, max_delay=max_delay
            )

        return wrapper

    return decorate(func) if func is not None else decorate
