"""Pipelined batches (psycopg pipeline mode: several Parse/Bind/Execute before one Sync) that fail.

PostgreSQL answers the failing message with an ErrorResponse, discards every message after it up to the
Sync and then sends ReadyForQuery. The stand-in must not wait for answers to the discarded messages (it
used to: a pipelined ``executemany`` failing on its first statement hung). Every client call here runs on a
thread bounded by a timeout, so a hang fails the test instead of blocking the suite.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from psycopg import errors

from .conftest import Connect

TIMEOUT = 10.0


def bounded(call: Callable[[], Any]) -> Any:
    """Run ``call`` on a thread; fail if it does not finish within TIMEOUT; re-raise what it raised."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except BaseException as exc:  # handed back to the test thread
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(TIMEOUT)
    assert not thread.is_alive(), f"the client got no answer within {TIMEOUT}s (the stand-in hangs)"
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def _count(raw: psycopg.Connection[Any], table: str) -> int:
    row = raw.execute(f"SELECT count(*) FROM {table}").fetchone()
    assert row is not None
    return int(row[0])


@pytest.mark.parametrize("autocommit", [True, False])
def test_executemany_failing_on_its_first_statement(
    connect: Connect, raw: psycopg.Connection[Any], table: str, autocommit: bool
) -> None:
    raw.execute(f"INSERT INTO {table} (id, v) VALUES (1, 'taken')")
    conn = connect("admin", autocommit=autocommit)
    rows = [(i, "new") for i in range(1, 200)]  # the first row violates the primary key

    def many() -> None:
        with conn.cursor() as cur:
            cur.executemany(f"INSERT INTO {table} (id, v) VALUES (%s, %s)", rows)

    with pytest.raises(errors.UniqueViolation):
        bounded(many)
    if not autocommit:
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.INERROR
        bounded(conn.rollback)
    assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    assert _count(raw, table) == 1  # the batch is one transaction: nothing after the error ran
    assert bounded(lambda: conn.execute("SELECT %s::int", (7,)).fetchone()) == (7,)
    with conn.cursor() as cur:
        bounded(lambda: cur.executemany(f"INSERT INTO {table} (id, v) VALUES (%s, %s)", rows[1:]))
    if not autocommit:
        bounded(conn.commit)
    assert _count(raw, table) == len(rows)


def test_pipeline_error_in_the_middle_discards_the_rest_until_sync(
    connect: Connect, raw: psycopg.Connection[Any], table: str
) -> None:
    conn = connect("admin")

    def pipeline() -> None:
        with conn.pipeline():
            conn.execute(f"INSERT INTO {table} (id, v) VALUES (%s, %s)", (1, "a"))
            conn.execute("SELECT 1 / %s::int", (0,))  # fails
            for i in range(2, 50):
                conn.execute(f"INSERT INTO {table} (id, v) VALUES (%s, %s)", (i, "b"))

    with pytest.raises(errors.DivisionByZero):
        bounded(pipeline)
    assert _count(raw, table) == 0
    assert bounded(lambda: conn.execute("SELECT count(*) FROM " + table, binary=True).fetchone()) == (0,)


def test_pipeline_dsql_refusal_first_discards_the_rest(
    connect: Connect, raw: psycopg.Connection[Any], table: str
) -> None:
    """A statement the stand-in refuses (DSQL's rule) first in a batch: the same skip-until-Sync."""
    conn = connect("admin")

    def pipeline() -> None:
        with conn.pipeline():
            conn.execute(f"TRUNCATE {table}", binary=True)
            for i in range(1, 50):
                conn.execute(f"INSERT INTO {table} (id, v) VALUES (%s, %s)", (i, "b"))

    with pytest.raises(errors.FeatureNotSupported, match="unsupported statement: Truncate"):
        bounded(pipeline)
    assert _count(raw, table) == 0
    assert bounded(lambda: conn.execute("SELECT 1").fetchone()) == (1,)
