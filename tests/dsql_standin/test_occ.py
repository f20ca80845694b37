"""Where the stand-in's optimistic concurrency differs from DSQL's, pinned (see dsql_standin/README.md, OCC).

On DSQL nothing blocks: both writers' statements succeed and the second to COMMIT fails there with 40001
``change conflicts with another transaction (OC000)``; a ``FOR UPDATE`` row counts as written. Over
PostgreSQL 15 (REPEATABLE READ) a row lock makes the second writer *wait* at its statement until the first
ends; if the first committed a change, the second fails at that statement (40001, with DSQL's text, and
PostgreSQL's own message in DETAIL); a lock that only locked (``FOR UPDATE`` without a write) lets it
through, so nobody fails. These tests pin exactly that, so a change in either direction is noticed.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import psycopg
import pytest
from psycopg import errors

from .conftest import Connect

OCC_TEXT = "change conflicts with another transaction (OC000)"


def _start(target: Any) -> tuple[threading.Thread, dict[str, Any]]:
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            out["value"] = target()
        except psycopg.Error as exc:
            out["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, out


def test_second_writer_waits_and_fails_at_its_statement_not_at_commit(
    connect: Connect, raw: psycopg.Connection[Any], table: str
) -> None:
    raw.execute(f"INSERT INTO {table} (id, v) VALUES (1, 'start')")
    a = connect("admin", autocommit=False)
    b = connect("admin", autocommit=False)
    assert b.execute(f"SELECT v FROM {table} WHERE id = 1").fetchone() == ("start",)  # b's snapshot
    a.execute(f"UPDATE {table} SET v = 'a' WHERE id = 1")
    thread, out = _start(lambda: b.execute(f"UPDATE {table} SET v = 'b' WHERE id = 1").statusmessage)
    thread.join(0.5)
    assert thread.is_alive(), "DSQL would answer at once; PostgreSQL's row lock makes b wait for a"
    a.commit()
    thread.join(10)
    assert not thread.is_alive()
    exc = out.get("error")
    assert isinstance(exc, errors.SerializationFailure), out
    assert exc.sqlstate == "40001"
    assert exc.diag.message_primary == OCC_TEXT  # DSQL's text ...
    assert "could not serialize access" in (exc.diag.message_detail or "")  # ... PostgreSQL's in DETAIL
    assert b.info.transaction_status == psycopg.pq.TransactionStatus.INERROR  # DSQL: still fine until COMMIT
    b.rollback()
    assert raw.execute(f"SELECT v FROM {table}").fetchone() == ("a",)


def test_for_update_locker_does_not_make_the_writer_lose(
    connect: Connect, raw: psycopg.Connection[Any], table: str
) -> None:
    raw.execute(f"INSERT INTO {table} (id, v) VALUES (1, 'start')")
    a = connect("admin", autocommit=False)
    b = connect("admin", autocommit=False)
    assert a.execute(f"SELECT v FROM {table} WHERE id = 1 FOR UPDATE").fetchone() == ("start",)
    thread, out = _start(lambda: b.execute(f"UPDATE {table} SET v = 'b' WHERE id = 1").statusmessage)
    thread.join(0.3)
    assert thread.is_alive()  # waits for a's row lock
    a.commit()
    thread.join(10)
    assert out == {"value": "UPDATE 1"}
    b.commit()  # DSQL fails this COMMIT (a's FOR UPDATE row was in its write set and a committed first)
    assert raw.execute(f"SELECT v FROM {table}").fetchone() == ("b",)


@pytest.mark.parametrize("first_commits", [True, False])
def test_disjoint_writers_and_rolled_back_winner_do_not_conflict(
    connect: Connect, raw: psycopg.Connection[Any], table: str, first_commits: bool
) -> None:
    raw.execute(f"INSERT INTO {table} (id, v) VALUES (1, 'x'), (2, 'y')")
    a = connect("admin", autocommit=False)
    b = connect("admin", autocommit=False)
    a.execute(f"UPDATE {table} SET v = 'a' WHERE id = 1")
    b.execute(f"UPDATE {table} SET v = 'b' WHERE id = 2")  # another row: no wait, as on DSQL
    started = time.monotonic()
    (a.commit if first_commits else a.rollback)()
    b.commit()
    assert time.monotonic() - started < 5
    expected = [(1, "a" if first_commits else "x"), (2, "b")]
    assert raw.execute(f"SELECT id, v FROM {table} ORDER BY id").fetchall() == expected
