# ruff: noqa: S608 - test tables with generated names
"""OCC retries through the DSQL stand-in: real connections, real 40001 conflicts (annotated OC000)."""

from __future__ import annotations

import logging
import threading
import uuid

import psycopg
import pytest
from django.db import connections, transaction

from dsql_backend import transaction as dsql_tx
from tests.conftest import PG_HOST, PG_PORT, PG_SUPERUSER
from tests.dsql_support import STANDIN_UPSTREAM_DB


@pytest.fixture
def counter_table(use_standin):
    use_standin()
    name = f"occ_{uuid.uuid4().hex[:10]}"
    with connections["dsql"].cursor() as cursor:
        cursor.execute(f"CREATE TABLE {name} (id bigint PRIMARY KEY, n bigint NOT NULL)")
        cursor.execute(f"INSERT INTO {name} VALUES (1, 0)")
    yield name
    with psycopg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_SUPERUSER, dbname=STANDIN_UPSTREAM_DB, autocommit=True
    ) as raw:
        raw.execute(f"DROP TABLE IF EXISTS {name}")


def _read(table: str) -> int:
    with connections["dsql"].cursor() as cursor:
        cursor.execute(f"SELECT n FROM {table} WHERE id = 1")
        return cursor.fetchone()[0]


def _write(table: str, value: int) -> None:
    with connections["dsql"].cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET n = %s WHERE id = 1", [value])


def test_two_concurrent_read_modify_writes_one_retried_no_lost_update(counter_table, use_standin, caplog):
    settings_dict = connections.settings["dsql"]
    barrier = threading.Barrier(2)
    attempts: dict[str, int] = {}
    hooks: list[str] = []
    errors: list[BaseException] = []

    def increment(name: str) -> None:
        connections.settings["dsql"] = settings_dict
        try:

            @dsql_tx.atomic(using="dsql", retries=3, base_delay=0.01, max_delay=0.05)
            def body() -> None:
                attempts[name] = attempts.get(name, 0) + 1
                seen = _read(counter_table)  # both snapshots see 0 on the first attempt
                if attempts[name] == 1:
                    barrier.wait(timeout=5)
                _write(counter_table, seen + 1)  # a lost update without OCC
                transaction.on_commit(lambda: hooks.append(name), using="dsql")

            body()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=increment, args=(f"t{i}",)) for i in range(2)]
    with caplog.at_level(logging.WARNING, logger="dsql_backend.occ"):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

    assert errors == []
    assert _read(counter_table) == 2  # both effects
    assert sorted(attempts.values()) == [1, 2]  # exactly one transaction ran twice
    assert sorted(hooks) == ["t0", "t1"]  # on_commit ran once per committed transaction, not per attempt
    retries = [r.getMessage() for r in caplog.records if "retrying" in r.getMessage()]
    assert len(retries) == 1
    assert "OC000" in retries[0]
    assert "attempt 1/4" in retries[0]


def test_gives_up_after_the_configured_attempts(counter_table, caplog):
    # Every attempt loses: after its snapshot, another client commits a change to the same row.
    attempts = 0
    hooks: list[int] = []

    def body() -> None:
        nonlocal attempts
        attempts += 1
        seen = _read(counter_table)
        with psycopg.connect(
            host=PG_HOST, port=PG_PORT, user=PG_SUPERUSER, dbname=STANDIN_UPSTREAM_DB, autocommit=True
        ) as other:
            other.execute(f"UPDATE {counter_table} SET n = n + 100 WHERE id = 1")
        transaction.on_commit(lambda: hooks.append(attempts), using="dsql")
        _write(counter_table, seen + 1)

    with pytest.raises(dsql_tx.OCCRetriesExhausted) as excinfo, caplog.at_level(logging.WARNING, "dsql_backend.occ"):
        dsql_tx.run(body, "dsql", retries=2, base_delay=0.001, max_delay=0.002)

    assert attempts == 3
    assert excinfo.value.attempts == 3
    assert excinfo.value.code == "OC000"
    assert "still conflicted after 3 attempts" in str(excinfo.value)
    assert hooks == []  # nothing committed, so no hook ran
    assert _read(counter_table) == 300  # only the other client's writes landed
    retries = [r.getMessage() for r in caplog.records if "retrying" in r.getMessage()]
    assert len(retries) == 2
    assert "OC000 on 'dsql' (attempt 1/3)" in retries[0]
    assert "(attempt 2/3)" in retries[1]
    assert any("gave up after 3 attempts" in r.getMessage() for r in caplog.records)


def test_non_conflict_errors_are_not_retried(counter_table):
    calls = 0

    def body() -> None:
        nonlocal calls
        calls += 1
        raise ValueError("application bug")

    with pytest.raises(ValueError, match="application bug"):
        dsql_tx.run(body, "dsql", retries=5)
    assert calls == 1


def test_inside_an_outer_transaction_it_joins_without_retrying(counter_table):
    with transaction.atomic(using="dsql"):
        result = dsql_tx.run(lambda: _read(counter_table), "dsql")
        assert connections["dsql"].in_atomic_block
    assert result == 0


def test_backoff_is_exponential_capped_and_jittered():
    delays = [dsql_tx.backoff(n, 0.01, 0.05) for n in range(1, 7) for _ in range(50)]
    by_attempt = [delays[i * 50 : (i + 1) * 50] for i in range(6)]

    assert all(0.005 <= d <= 0.01 for d in by_attempt[0])
    assert all(0.01 <= d <= 0.02 for d in by_attempt[1])
    assert all(0.025 <= d <= 0.05 for d in by_attempt[5])  # capped at max_delay
    assert len({round(d, 9) for d in by_attempt[0]}) > 1  # jittered


@pytest.mark.parametrize(
    ("message", "sqlstate", "expected"),
    [
        ("change conflicts with another transaction, please retry: (OC000)", "40001", "OC000"),
        ("schema has been updated by another transaction, please retry: (OC001)", "40001", "OC001"),
        ("could not serialize access", "40001", "40001"),
        ("conflict", "OC000", "OC000"),
        ("duplicate key", "23505", None),
    ],
)
def test_occ_code_detection(message, sqlstate, expected):
    class DriverError(Exception):
        pass

    driver = DriverError(message)
    driver.sqlstate = sqlstate
    wrapped = Exception(message)
    wrapped.__cause__ = driver

    assert dsql_tx.occ_code(wrapped) == expected


def test_conflict_reported_at_commit_is_retried_and_hooks_run_once(counter_table, monkeypatch):
    # On DSQL most conflicts surface at COMMIT; PostgreSQL (behind the stand-in) reports them at the
    # statement instead, so the first COMMIT is made to fail the way DSQL does.
    from django.db import DatabaseError

    db = connections["dsql"]
    real_commit = db.commit
    commits = 0

    def commit_like_dsql():
        nonlocal commits
        commits += 1
        if commits == 1:
            db.rollback()
            raise DatabaseError("change conflicts with another transaction, please retry: (OC000)")
        real_commit()

    monkeypatch.setattr(db, "commit", commit_like_dsql)
    hooks: list[int] = []
    attempts = 0

    @dsql_tx.atomic(using="dsql", retries=2, base_delay=0.001, max_delay=0.001)
    def body() -> int:
        nonlocal attempts
        attempts += 1
        _write(counter_table, attempts * 10)
        transaction.on_commit(lambda: hooks.append(attempts), using="dsql")
        return attempts

    assert body() == 2
    assert hooks == [2]
    assert _read(counter_table) == 20
