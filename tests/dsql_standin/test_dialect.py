"""DSQL dialect (CREATE INDEX ASYNC, sys.jobs, sys.wait_for_job), OCC conflicts and protocol corner cases."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import psycopg
import pytest
from psycopg import errors

from .conftest import Connect

JOB_ID = re.compile(r"^[a-z2-7]{26}$")


def _index_exists(raw: psycopg.Connection[Any], name: str) -> bool:
    return raw.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", (name,)).fetchone() is not None


def test_postgresql_rejects_the_dsql_dialect(raw: psycopg.Connection[Any], table: str) -> None:
    with pytest.raises(errors.SyntaxError):
        raw.execute(f"CREATE INDEX ASYNC ix_raw ON {table} (v)")
    with pytest.raises(errors.UndefinedFunction):  # sys.wait_for_job exists only as the stand-in's shim signature
        raw.execute("CALL sys.wait_for_job(42, 43)")


@pytest.mark.parametrize("protocol", ["simple", "extended"])
def test_create_index_async_returns_a_job_and_wait_succeeds(
    connect: Connect, raw: psycopg.Connection[Any], table: str, protocol: str
) -> None:
    conn = connect("admin")
    name = f"ix_{uuid.uuid4().hex[:10]}"
    cur = conn.execute(f"CREATE INDEX ASYNC {name} ON {table} (v)", binary=protocol == "extended")
    assert cur.description is not None
    assert [c.name for c in cur.description] == ["job_id"]
    rows = cur.fetchall()
    assert len(rows) == 1
    assert JOB_ID.match(rows[0][0])
    job_id = rows[0][0]
    assert conn.execute("CALL sys.wait_for_job(%s)", (job_id,)).fetchone() == (True,)
    assert conn.execute("SELECT status, details FROM sys.jobs WHERE job_id = %s", (job_id,)).fetchone() == (
        "completed",
        None,
    )
    assert _index_exists(raw, name)


def _valid(raw: psycopg.Connection[Any], name: str) -> bool:
    row = raw.execute("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass(%s)", (name,)).fetchone()
    assert row is not None
    return bool(row[0])


def test_async_index_is_invalid_until_its_job_is_over(
    connect: Connect, raw: psycopg.Connection[Any], table: str
) -> None:
    conn = connect("admin")
    waited, idle = f"ix_{uuid.uuid4().hex[:10]}", f"ix_{uuid.uuid4().hex[:10]}"
    row = conn.execute(f"CREATE UNIQUE INDEX ASYNC {waited} ON {table} (v)").fetchone()
    assert row is not None
    assert conn.execute("SELECT status FROM sys.jobs WHERE job_id = %s", (row[0],)).fetchone() == ("processing",)
    assert not _valid(raw, waited)
    with pytest.raises(errors.ObjectNotInPrerequisiteState, match=f'index "{waited}" is not valid'):
        conn.execute(f"ALTER TABLE {table} ADD CONSTRAINT {waited} UNIQUE USING INDEX {waited}")  # as on DSQL
    assert conn.execute("CALL sys.wait_for_job(%s)", (row[0],)).fetchone() == (True,)
    assert _valid(raw, waited)
    conn.execute(f"ALTER TABLE {table} ADD CONSTRAINT {waited} UNIQUE USING INDEX {waited}")
    # a job nobody waits for finishes by itself after async_job_seconds (1 s)
    conn.execute(f"CREATE INDEX ASYNC {idle} ON {table} (id, v)")
    assert not _valid(raw, idle)
    deadline = time.monotonic() + 10
    while not _valid(raw, idle) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _valid(raw, idle)


def test_failing_unique_index_job_makes_wait_answer_false(
    connect: Connect, raw: psycopg.Connection[Any], table: str
) -> None:
    raw.execute(f"INSERT INTO {table} (id, v) VALUES (1, 'dup'), (2, 'dup')")
    conn = connect("admin")
    name = f"ux_{uuid.uuid4().hex[:10]}"
    row = conn.execute(f"CREATE UNIQUE INDEX ASYNC {name} ON {table} (v)").fetchone()
    assert row is not None
    job_id = row[0]
    # DSQL: "Returns a Boolean value indicating success or failure" -- false, not an error
    assert conn.execute(f"CALL sys.wait_for_job('{job_id}')").fetchone() == (False,)
    status = conn.execute("SELECT status, job_type, object_name, details FROM sys.jobs WHERE job_id = %s", (job_id,))
    row = status.fetchone()
    assert row is not None
    assert row[:3] == ("failed", "INDEX_BUILD", name)
    assert "could not create unique index" in row[3]
    assert not _index_exists(raw, name)
    assert conn.execute("CALL sys.wait_for_job('abcdefghijklmnopqrstuvwxyz')").fetchone() == (False,)  # unknown
    with pytest.raises(errors.InvalidTextRepresentation, match="Unable to convert text to UUID"):
        conn.execute("CALL sys.wait_for_job('nosuchjob')")


def test_async_index_in_a_transaction_counts_as_the_one_ddl(
    connect: Connect, raw: psycopg.Connection[Any], table: str
) -> None:
    conn = connect("admin", autocommit=False)
    name = f"ix_{uuid.uuid4().hex[:10]}"
    row = conn.execute(f"CREATE UNIQUE INDEX ASYNC IF NOT EXISTS {name} ON {table} (v, id)").fetchone()
    assert row is not None
    assert JOB_ID.match(row[0])
    with pytest.raises(errors.FeatureNotSupported, match="multiple ddl"):
        conn.execute(f"CREATE INDEX ASYNC {name}_2 ON {table} (id)")
    conn.rollback()
    assert not _index_exists(raw, name)


def test_alter_table_async_validate_constraint(connect: Connect, raw: psycopg.Connection[Any], table: str) -> None:
    raw.execute(f"INSERT INTO {table} (id, v) VALUES (1, 'ok')")
    conn = connect("admin")
    conn.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_v_chk CHECK (v <> '') NOT VALID")
    row = conn.execute(f"ALTER TABLE ASYNC {table} VALIDATE CONSTRAINT {table}_v_chk").fetchone()
    assert row is not None
    assert conn.execute("CALL sys.wait_for_job(%s)", (row[0],)).fetchone() == (True,)
    validated = raw.execute("SELECT convalidated FROM pg_constraint WHERE conname = %s", (f"{table}_v_chk",))
    assert validated.fetchone() == (True,)
    # a constraint the data violates: the job fails
    raw.execute(f"INSERT INTO {table} (id, v) VALUES (2, 'bad')")
    conn.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_v_chk2 CHECK (v <> 'bad') NOT VALID")
    row = conn.execute(f"ALTER TABLE ASYNC {table} VALIDATE CONSTRAINT {table}_v_chk2").fetchone()
    assert row is not None
    assert conn.execute("CALL sys.wait_for_job(%s)", (row[0],)).fetchone() == (False,)


def test_write_write_conflict_is_40001(connect: Connect, raw: psycopg.Connection[Any], table: str) -> None:
    raw.execute(f"INSERT INTO {table} (id, v) VALUES (1, 'start')")
    a = connect("admin", autocommit=False)
    b = connect("vela_app", autocommit=False)
    assert b.execute(f"SELECT v FROM {table} WHERE id = 1").fetchone() == ("start",)  # b's snapshot
    a.execute(f"UPDATE {table} SET v = 'a' WHERE id = 1")
    a.commit()
    with pytest.raises(errors.SerializationFailure) as info:
        b.execute(f"UPDATE {table} SET v = 'b' WHERE id = %s", (1,))
    assert info.value.sqlstate == "40001"
    assert "(OC000)" in str(info.value)
    b.rollback()
    b.execute(f"UPDATE {table} SET v = 'b' WHERE id = 1")  # retry succeeds
    b.commit()
    assert raw.execute(f"SELECT v FROM {table}").fetchone() == ("b",)


def test_pipeline_mode_with_errors(connect: Connect, raw: psycopg.Connection[Any], table: str) -> None:
    conn = connect("admin", autocommit=False)
    with conn.pipeline() as p:
        conn.execute(f"INSERT INTO {table} (id, v) VALUES (%s, %s)", (1, "p"))
        cur = conn.execute(f"SELECT count(*) FROM {table} WHERE id = %s", (1,))
        p.sync()
        assert cur.fetchone() == (1,)
    conn.commit()
    with pytest.raises(errors.FeatureNotSupported), conn.pipeline():  # noqa: PT012 - the error surfaces at pipeline sync
        conn.execute(f"INSERT INTO {table} (id, v) VALUES (%s, %s)", (2, "p"))
        conn.execute("SAVEPOINT nope", binary=True)
    conn.rollback()
    assert raw.execute(f"SELECT array_agg(id) FROM {table}").fetchone() == ([1],)


def test_large_results_and_no_server_side_cursors(connect: Connect, raw: psycopg.Connection[Any], table: str) -> None:
    raw.execute(f"INSERT INTO {table} (id, v) SELECT g, repeat('x', 500) FROM generate_series(1, 20000) g")
    conn = connect("admin", autocommit=False)
    rows = conn.execute(f"SELECT id, v FROM {table} ORDER BY id").fetchall()
    assert len(rows) == 20000
    assert rows[-1][0] == 20000
    conn.commit()
    with (
        conn.cursor(name="named") as cur,
        pytest.raises(errors.FeatureNotSupported, match="unsupported statement: DeclareCursor"),
    ):
        cur.execute(f"SELECT id FROM {table} ORDER BY id")  # DSQL has no server-side cursors
    conn.rollback()


def test_copy_over_the_extended_protocol(connect: Connect, raw: psycopg.Connection[Any], table: str) -> None:
    """libpq sends Sync before the copy data and again after CopyDone; only one ReadyForQuery must result.

    Uses psycopg's non-blocking generators: a blocking libpq call would hold the GIL the in-process stand-in needs.
    """
    from psycopg import generators

    conn = connect("admin")
    pgconn = conn.pgconn
    pgconn.send_query_params(f"COPY {table} (id, v) FROM STDIN".encode(), None)  # extended protocol
    results = conn.wait(generators.execute(pgconn))
    assert [r.status for r in results] == [psycopg.pq.ExecStatus.COPY_IN]
    conn.wait(generators.copy_to(pgconn, b"1\ta\n2\tb\n"))
    res = conn.wait(generators.copy_end(pgconn, None))
    assert res.status == psycopg.pq.ExecStatus.COMMAND_OK, res.error_message
    assert res.command_status == b"COPY 2"
    assert conn.execute("SELECT count(*) FROM " + table, binary=True).fetchone() == (2,)
    assert conn.execute("SELECT 1").fetchone() == (1,)
    assert raw.execute(f"SELECT count(*) FROM {table}").fetchone() == (2,)
    # over the row limit: the implicit transaction is rolled back
    pgconn.send_query_params(f"COPY {table} (id, v) FROM STDIN".encode(), None)
    assert [r.status for r in conn.wait(generators.execute(pgconn))] == [psycopg.pq.ExecStatus.COPY_IN]
    conn.wait(generators.copy_to(pgconn, b"".join(b"%d\tx\n" % i for i in range(100, 3101))))
    with pytest.raises(errors.ProgramLimitExceeded):
        conn.wait(generators.copy_end(pgconn, None))
    assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    assert conn.execute("SELECT count(*) FROM " + table, binary=True).fetchone() == (2,)
    assert raw.execute(f"SELECT count(*) FROM {table}").fetchone() == (2,)


def test_prepared_async_index_gets_a_new_job_each_time(connect: Connect, table: str) -> None:
    conn = connect("admin")
    sql = f"CREATE INDEX ASYNC IF NOT EXISTS ix_{table} ON {table} (v)"
    jobs = [conn.execute(sql, prepare=True).fetchone() for _ in range(3)]
    assert len({job for job in jobs}) == 3
    for job in jobs:
        assert job is not None
        assert conn.execute("CALL sys.wait_for_job(%s)", job).fetchone() == (True,)
