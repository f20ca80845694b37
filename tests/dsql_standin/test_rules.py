"""DSQL rules enforced by the stand-in, and proof that PostgreSQL itself would have accepted the same SQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from psycopg import errors

from .conftest import Connect


@dataclass(frozen=True)
class Forbidden:
    name: str
    sql: str  # {t} = an existing table, {n} = a fresh name, {f} = a trigger function
    sqlstate: str
    message: str
    raw_setup: str = ""  # what raw PostgreSQL needs first (inside the same transaction)
    raw_autocommit: bool = False  # statement cannot run inside a transaction block on PostgreSQL
    raw_check: bool = True  # PostgreSQL runs it as is (False: DSQL-only syntax, or it would change the server)


SERIALIZABLE = "Unsupported isolation level: SERIALIZABLE"
NOT_VALID = "unsupported ALTER TABLE ADD CONSTRAINT statement"
FORBIDDEN = [
    Forbidden("savepoint", "SAVEPOINT sp1", "0A000", "unsupported transaction statement: SAVEPOINT"),
    Forbidden(
        "release", "RELEASE SAVEPOINT sp1", "0A000", "unsupported transaction statement: RELEASE", "SAVEPOINT sp1"
    ),
    Forbidden(
        "rollback_to",
        "ROLLBACK TO SAVEPOINT sp1",
        "0A000",
        "unsupported transaction statement: ROLLBACK TO",
        "SAVEPOINT sp1",
    ),
    Forbidden("truncate", "TRUNCATE {t}", "0A000", "unsupported statement: Truncate"),
    Forbidden(
        "create_database", "CREATE DATABASE {n}", "0A000", "unsupported statement: Createdb", raw_autocommit=True
    ),
    Forbidden(
        "create_trigger",
        "CREATE TRIGGER trg_{n} BEFORE INSERT ON {t} FOR EACH ROW EXECUTE FUNCTION {f}()",
        "0A000",
        "CREATE TRIGGER not supported",
    ),
    Forbidden(
        "create_extension", "CREATE EXTENSION IF NOT EXISTS plpgsql", "0A000", "unsupported statement: CreateExtension"
    ),
    Forbidden(
        "temp_table", "CREATE TEMP TABLE {n} (a int)", "0A000", "TEMPORARY or TEMP table not supported for CREATE TABLE"
    ),
    Forbidden(
        "temporary_table",
        "create temporary table {n} (a int)",
        "0A000",
        "TEMPORARY or TEMP table not supported for CREATE TABLE",
    ),
    Forbidden(
        "unlogged_table", "CREATE UNLOGGED TABLE {n} (a int)", "0A000", "UNLOGGED table not supported for CREATE TABLE"
    ),
    Forbidden("create_table_as", "CREATE TABLE {n} AS SELECT 1 AS x", "0A000", "unsupported statement: CreateTableAs"),
    Forbidden("select_into", "SELECT 1 AS x INTO {n}", "0A000", "unsupported statement: CreateTableAs"),
    Forbidden(
        "materialized_view",
        "CREATE MATERIALIZED VIEW {n} AS SELECT 1 AS x",
        "0A000",
        "unsupported statement: CreateTableAs",
    ),
    Forbidden("enum", "CREATE TYPE {n} AS ENUM ('a', 'b')", "0A000", "CREATE TYPE not supported"),
    Forbidden(
        "plpgsql",
        "CREATE FUNCTION {n}() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$",
        "0A000",
        "CREATE FUNCTION with language plpgsql not supported",
    ),
    Forbidden("do_block", "DO $$ BEGIN PERFORM 1; END $$", "0A000", "unsupported statement: Do"),
    Forbidden(
        "merge",
        "MERGE INTO {t} t USING (SELECT 1 AS id) s ON t.id = s.id WHEN MATCHED THEN DELETE",
        "0A000",
        "unsupported statement type: MERGE",
    ),
    Forbidden("vacuum", "VACUUM {t}", "0A000", "unsupported VACUUM statement", raw_autocommit=True),
    Forbidden(
        "alter_system",
        "ALTER SYSTEM SET work_mem = '4MB'",
        "0A000",
        "unsupported statement: AlterSystem",
        raw_check=False,
    ),
    Forbidden("lock", "LOCK TABLE {t}", "0A000", "unsupported statement: Lock"),
    Forbidden(
        "for_share",
        "SELECT id FROM {t} FOR SHARE",
        "0A000",
        "locking clauses other than FOR UPDATE/FOR KEY SHARE are not supported",
    ),
    Forbidden(
        "for_no_key_update",
        "SELECT id FROM {t} FOR NO KEY UPDATE",
        "0A000",
        "locking clauses other than FOR UPDATE/FOR KEY SHARE are not supported",
    ),
    Forbidden("tablesample", "SELECT id FROM {t} TABLESAMPLE SYSTEM (1)", "0A000", "TABLESAMPLE clause not supported"),
    Forbidden("serial", "CREATE TABLE {n} (id serial PRIMARY KEY, v text)", "42704", 'type "serial" does not exist'),
    Forbidden("bigserial", "CREATE TABLE {n} (id BIGSERIAL PRIMARY KEY)", "42704", 'type "bigserial" does not exist'),
    Forbidden("smallserial", "CREATE TABLE {n} (a int, b smallserial)", "42704", 'type "smallserial" does not exist'),
    Forbidden("add_serial_column", "ALTER TABLE {t} ADD COLUMN s serial", "42704", 'type "serial" does not exist'),
    Forbidden(
        "inet_column", "CREATE TABLE {n} (id uuid PRIMARY KEY, addr inet)", "0A000", "datatype inet not supported"
    ),
    Forbidden(
        "array_column",
        "CREATE TABLE {n} (id uuid PRIMARY KEY, tags varchar(10)[])",
        "0A000",
        "datatype varchar[] not supported",
    ),
    Forbidden("add_money_column", "ALTER TABLE {t} ADD COLUMN m money", "0A000", "datatype money not supported"),
    Forbidden(
        "add_column_not_null",
        "ALTER TABLE {t} ADD COLUMN c int NOT NULL",
        "0A000",
        "ALTER TABLE ADD COLUMN with constraint not supported",
    ),
    Forbidden(
        "add_column_default",
        "ALTER TABLE {t} ADD COLUMN c int DEFAULT 0",
        "0A000",
        "ALTER TABLE ADD COLUMN with constraint not supported",
    ),
    Forbidden(
        "add_column_unique",
        "ALTER TABLE {t} ADD COLUMN c int UNIQUE",
        "0A000",
        "ALTER TABLE ADD COLUMN with constraint not supported",
    ),
    Forbidden("add_check_valid", "ALTER TABLE {t} ADD CONSTRAINT c_{n} CHECK (id > 0)", "0A000", NOT_VALID),
    Forbidden("add_unique_constraint", "ALTER TABLE {t} ADD CONSTRAINT u_{n} UNIQUE (v)", "0A000", NOT_VALID),
    Forbidden(
        "alter_column_type",
        "ALTER TABLE {t} ALTER COLUMN v TYPE varchar(20)",
        "0A000",
        "unsupported ALTER TABLE ALTER COLUMN ... SET DATA TYPE statement",
    ),
    Forbidden(
        "alter_set_not_null",
        "ALTER TABLE {t} ALTER COLUMN v SET NOT NULL",
        "0A000",
        "unsupported ALTER TABLE ALTER COLUMN ... SET NOT NULL statement",
    ),
    Forbidden(
        "validate_sync",
        "ALTER TABLE {t} VALIDATE CONSTRAINT chk_{t}",
        "0A000",
        "unsupported ALTER TABLE VALIDATE CONSTRAINT statement",
        "ALTER TABLE {t} ADD CONSTRAINT chk_{t} CHECK (id > 0) NOT VALID",
    ),
    Forbidden(
        "identity_without_cache",
        "CREATE TABLE {n} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY)",
        "0A000",
        "identity column is not supported without an explicit cache size",
    ),
    Forbidden(
        "identity_small_cache",
        "CREATE TABLE {n} (id bigint GENERATED ALWAYS AS IDENTITY (CACHE 100))",
        "0A000",
        "identity column is not supported without an explicit cache size",
    ),
    Forbidden(
        "identity_integer",
        "CREATE TABLE {n} (id int GENERATED BY DEFAULT AS IDENTITY (CACHE 1))",
        "0A000",
        "datatype integer not supported, identity column type must be bigint",
    ),
    Forbidden(
        "sequence_without_cache",
        "CREATE SEQUENCE {n}",
        "0A000",
        "CREATE SEQUENCE is not supported without an explicit cache size",
    ),
    Forbidden("listen", "LISTEN chan_{n}", "0A000", "unsupported statement: Listen"),
    Forbidden("notify", "NOTIFY chan_{n}", "0A000", "unsupported statement: Notify"),
    Forbidden("set_transaction_isolation", "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", "0A000", SERIALIZABLE),
    Forbidden(
        "set_transaction_read_only",
        "SET TRANSACTION READ ONLY",
        "0A000",
        'setting configuration parameter "TRANSACTION" not supported',
    ),
    Forbidden(
        "set_session_characteristics",
        "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ COMMITTED",
        "0A000",
        "Unsupported isolation level: READ COMMITTED",
    ),
    Forbidden(
        "set_default_isolation",
        "SET default_transaction_isolation = 'serializable'",
        "0A000",
        'setting configuration parameter "default_transaction_isolation" not supported',
    ),
    Forbidden(
        "set_transaction_isolation_guc",
        "set transaction_isolation to 'read committed'",
        "0A000",
        'setting configuration parameter "transaction_isolation" not supported',
    ),
    Forbidden(
        "index_sync", "CREATE INDEX ix_{n} ON {t} (v)", "0A000", "unsupported mode. please use CREATE INDEX ASYNC."
    ),
    Forbidden(
        "index_concurrently",
        "CREATE INDEX CONCURRENTLY ix_{n} ON {t} (v)",
        "0A000",
        "unsupported mode. please use CREATE INDEX ASYNC.",
        raw_autocommit=True,
    ),
    Forbidden(
        "index_async_desc",
        "CREATE INDEX ASYNC ix_{n} ON {t} (v DESC)",
        "0A000",
        "DESC not supported for CREATE INDEX ASYNC",
        raw_check=False,
    ),
]
IDS = [f.name for f in FORBIDDEN]


@pytest.fixture
def trigger_function(raw: psycopg.Connection[Any]) -> Iterator[str]:
    name = f"fn_{uuid.uuid4().hex[:10]}"
    raw.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$")
    yield name
    raw.execute(f"DROP FUNCTION IF EXISTS {name}() CASCADE")


def render(case: Forbidden, table: str, function: str) -> str:
    return case.sql.format(t=table, n=f"x_{uuid.uuid4().hex[:10]}", f=function)


def execute(conn: psycopg.Connection[Any], sql: str, protocol: str) -> None:
    """Run ``sql`` with the simple protocol, the extended protocol, or as a named prepared statement."""
    if protocol == "simple":
        conn.execute(sql)
    elif protocol == "extended":
        conn.execute(sql, binary=True)
    else:
        conn.execute(sql, prepare=True)


PROTOCOLS = ["simple", "extended", "prepared"]


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("case", FORBIDDEN, ids=IDS)
def test_forbidden_in_autocommit(
    connect: Connect, table: str, trigger_function: str, case: Forbidden, protocol: str
) -> None:
    conn = connect("admin")
    with pytest.raises(psycopg.Error) as info:
        execute(conn, render(case, table, trigger_function), protocol)
    assert info.value.sqlstate == case.sqlstate
    assert case.message in str(info.value)
    assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    assert conn.execute("SELECT 1").fetchone() == (1,)
    assert conn.execute("SELECT %s::int", (2,)).fetchone() == (2,)


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("case", FORBIDDEN, ids=IDS)
def test_forbidden_in_transaction(
    connect: Connect, table: str, trigger_function: str, case: Forbidden, protocol: str
) -> None:
    conn = connect("admin", autocommit=False)
    assert conn.execute("SELECT count(*) FROM " + table).fetchone() == (0,)
    with pytest.raises(psycopg.Error) as info:
        execute(conn, render(case, table, trigger_function), protocol)
    assert info.value.sqlstate == case.sqlstate
    assert case.message in str(info.value)
    # like PostgreSQL/DSQL, the error aborted the transaction
    assert conn.info.transaction_status == psycopg.pq.TransactionStatus.INERROR
    with pytest.raises(errors.InFailedSqlTransaction):
        conn.execute("SELECT 1")
    conn.rollback()
    assert conn.execute("SELECT %s::int", (3,)).fetchone() == (3,)
    conn.execute(f"INSERT INTO {table} (id, v) VALUES (%s, %s)", (1, "after"))
    conn.commit()
    assert conn.execute(f"SELECT v FROM {table}").fetchall() == [("after",)]
    conn.commit()


@pytest.mark.parametrize("case", FORBIDDEN, ids=IDS)
def test_same_statement_is_accepted_by_raw_postgresql(
    raw: psycopg.Connection[Any], table: str, trigger_function: str, case: Forbidden
) -> None:
    if not case.raw_check:
        pytest.skip("DSQL-only syntax, or a statement that would change the shared PostgreSQL server")
    sql = render(case, table, trigger_function)
    if case.raw_autocommit:
        raw.execute(sql)
        if case.name == "create_database":
            raw.execute("DROP DATABASE " + sql.split()[-1])
        return
    with raw.transaction(force_rollback=True):
        if case.raw_setup:
            raw.execute(case.raw_setup.format(t=table))
        raw.execute(sql)


def test_forbidden_words_inside_literals_and_comments_are_fine(connect: Connect) -> None:
    conn = connect("admin")
    row = conn.execute("SELECT 'TRUNCATE t; SAVEPOINT x' AS a, $q$CREATE TEMP TABLE$q$ -- SAVEPOINT\n").fetchone()
    assert row == ("TRUNCATE t; SAVEPOINT x", "CREATE TEMP TABLE")
    assert conn.execute('/* LISTEN x; */ SELECT 1 AS "serial"').fetchone() == (1,)


def test_column_named_serial_is_fine(connect: Connect, raw: psycopg.Connection[Any]) -> None:
    name = f"x_{uuid.uuid4().hex[:10]}"
    try:
        connect("admin").execute(f"CREATE TABLE {name} (id uuid PRIMARY KEY, serial int)")
    finally:
        raw.execute(f"DROP TABLE IF EXISTS {name}")


# ---- transaction rules -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("protocol", ["simple", "extended"])
def test_ddl_then_dml_in_one_transaction_rejected(
    connect: Connect, raw: psycopg.Connection[Any], table: str, protocol: str
) -> None:
    conn = connect("admin", autocommit=False)
    name = f"x_{uuid.uuid4().hex[:10]}"
    execute(conn, f"CREATE TABLE {name} (id int PRIMARY KEY)", protocol)
    with pytest.raises(errors.FeatureNotSupported, match="ddl and dml are not supported in the same transaction"):
        execute(conn, f"INSERT INTO {table} (id) VALUES (1)", protocol)
    conn.rollback()
    assert raw.execute("SELECT to_regclass(%s)", (name,)).fetchone() == (None,)
    assert raw.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)


@pytest.mark.parametrize("protocol", ["simple", "extended"])
def test_dml_then_ddl_in_one_transaction_rejected(connect: Connect, table: str, protocol: str) -> None:
    conn = connect("admin", autocommit=False)
    execute(conn, f"INSERT INTO {table} (id) VALUES (1)", protocol)
    with pytest.raises(errors.FeatureNotSupported, match="ddl and dml are not supported in the same transaction"):
        execute(conn, f"CREATE INDEX ASYNC ix_{uuid.uuid4().hex[:8]} ON {table} (v)", protocol)
    conn.rollback()


@pytest.mark.parametrize("protocol", ["simple", "extended"])
def test_two_ddl_in_one_transaction_rejected(connect: Connect, raw: psycopg.Connection[Any], protocol: str) -> None:
    conn = connect("admin", autocommit=False)
    a, b = (f"x_{uuid.uuid4().hex[:10]}" for _ in range(2))
    execute(conn, f"CREATE TABLE {a} (id int PRIMARY KEY)", protocol)
    with pytest.raises(errors.FeatureNotSupported, match="multiple ddl statements not supported"):
        execute(conn, f"CREATE TABLE {b} (id int PRIMARY KEY)", protocol)
    conn.rollback()
    # one DDL per transaction is fine, and SELECTs may accompany it
    conn.execute(f"CREATE TABLE {a} (id int PRIMARY KEY)")
    conn.execute("SELECT 1")
    conn.commit()
    raw.execute(f"DROP TABLE {a}")


def test_multi_statement_query_is_one_implicit_transaction(connect: Connect, raw: psycopg.Connection[Any]) -> None:
    name = f"x_{uuid.uuid4().hex[:10]}"
    conn = connect("admin")
    with pytest.raises(errors.FeatureNotSupported, match="ddl and dml"):
        conn.execute(f"CREATE TABLE {name} (id int PRIMARY KEY); INSERT INTO {name} VALUES (1)")
    assert raw.execute("SELECT to_regclass(%s)", (name,)).fetchone() == (None,)
    # separately, in autocommit, both work
    conn.execute(f"CREATE TABLE {name} (id int PRIMARY KEY)")
    conn.execute(f"INSERT INTO {name} VALUES (1)")
    raw.execute(f"DROP TABLE {name}")


def test_postgresql_accepts_mixed_ddl_and_dml(raw: psycopg.Connection[Any], table: str) -> None:
    with raw.transaction(force_rollback=True):
        raw.execute("CREATE TABLE mixed_probe (id int)")
        raw.execute(f"INSERT INTO {table} (id) VALUES (1)")
        raw.execute("CREATE TABLE mixed_probe2 (id int)")


# ---- isolation ---------------------------------------------------------------------------------------------------
def test_default_isolation_is_repeatable_read(connect: Connect) -> None:
    conn = connect("admin", autocommit=False)
    assert conn.execute("SHOW transaction_isolation").fetchone() == ("repeatable read",)
    conn.rollback()


@pytest.mark.parametrize(
    "level",
    [
        psycopg.IsolationLevel.SERIALIZABLE,
        psycopg.IsolationLevel.READ_COMMITTED,
        psycopg.IsolationLevel.READ_UNCOMMITTED,
    ],
)
def test_other_isolation_levels_rejected(connect: Connect, level: psycopg.IsolationLevel) -> None:
    conn = connect("admin", autocommit=False)
    conn.isolation_level = level
    with pytest.raises(errors.FeatureNotSupported, match="Unsupported isolation level"):
        conn.execute("SELECT 1")
    conn.rollback()
    conn.isolation_level = None
    assert conn.execute("SELECT 1").fetchone() == (1,)


def test_repeatable_read_explicitly_is_fine(connect: Connect) -> None:
    conn = connect("admin", autocommit=False)
    conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    assert conn.execute("SHOW transaction_isolation").fetchone() == ("repeatable read",)
    conn.commit()
    auto = connect("admin")
    auto.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    auto.execute("COMMIT")
    # DSQL refuses SET TRANSACTION / SET default_transaction_isolation even for the level it runs
    for statement in (
        "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ",
        "SET default_transaction_isolation TO 'repeatable read'",
    ):
        with pytest.raises(errors.FeatureNotSupported, match="setting configuration parameter"):
            auto.execute(statement)
    assert auto.execute("SHOW default_transaction_isolation").fetchone() == ("repeatable read",)


# ---- row limit ---------------------------------------------------------------------------------------------------
def _count(raw: psycopg.Connection[Any], table: str) -> int:
    row = raw.execute(f"SELECT count(*) FROM {table}").fetchone()
    assert row is not None
    return int(row[0])


def _insert(n: int, table: str, start: int = 0) -> str:
    return f"INSERT INTO {table} (id, v) SELECT g, 'r' FROM generate_series({start + 1}, {start + n}) AS g"


@pytest.mark.parametrize("protocol", ["simple", "extended"])
def test_3000_rows_in_a_transaction_ok(
    connect: Connect, raw: psycopg.Connection[Any], table: str, protocol: str
) -> None:
    conn = connect("admin", autocommit=False)
    execute(conn, _insert(1000, table), protocol)
    execute(conn, _insert(2000, table, 1000), protocol)
    conn.commit()
    assert _count(raw, table) == 3000
    conn.execute(f"UPDATE {table} SET v = 'u'")  # 3,000 modified rows, again fine
    conn.commit()


@pytest.mark.parametrize("protocol", ["simple", "extended"])
def test_3001_rows_in_a_transaction_rejected_and_rolled_back(
    connect: Connect, raw: psycopg.Connection[Any], table: str, protocol: str
) -> None:
    conn = connect("admin", autocommit=False)
    execute(conn, _insert(2000, table), protocol)
    with pytest.raises(errors.ProgramLimitExceeded, match="transaction row limit exceeded") as info:
        execute(conn, _insert(1001, table, 2000), protocol)
    assert info.value.sqlstate == "54000"
    assert conn.info.transaction_status == psycopg.pq.TransactionStatus.INERROR
    with pytest.raises(errors.InFailedSqlTransaction):
        conn.execute("SELECT 1")
    conn.commit()  # COMMIT of a failed transaction rolls back, as on PostgreSQL
    assert _count(raw, table) == 0
    execute(conn, _insert(10, table), protocol)
    conn.commit()
    assert _count(raw, table) == 10


@pytest.mark.parametrize("protocol", ["simple", "extended"])
def test_3001_rows_in_one_autocommit_statement_rejected(
    connect: Connect, raw: psycopg.Connection[Any], table: str, protocol: str
) -> None:
    conn = connect("admin")
    with pytest.raises(errors.ProgramLimitExceeded, match="transaction row limit exceeded"):
        execute(conn, _insert(3001, table), protocol)
    assert _count(raw, table) == 0
    assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    execute(conn, _insert(3000, table), protocol)
    assert _count(raw, table) == 3000
    raw.execute(f"INSERT INTO {table} (id) VALUES (5000)")
    with pytest.raises(errors.ProgramLimitExceeded):
        execute(conn, f"DELETE FROM {table} WHERE id > 0 RETURNING id", protocol)
    assert _count(raw, table) == 3001


def test_executemany_over_the_limit_is_rolled_back(connect: Connect, raw: psycopg.Connection[Any], table: str) -> None:
    conn = connect("admin", autocommit=False)
    with conn.cursor() as cur, pytest.raises(errors.ProgramLimitExceeded):
        cur.executemany(f"INSERT INTO {table} (id, v) VALUES (%s, %s)", [(i, "m") for i in range(3001)])
    conn.rollback()
    assert _count(raw, table) == 0
    with conn.cursor() as cur:
        cur.executemany(f"INSERT INTO {table} (id, v) VALUES (%s, %s)", [(i, "m") for i in range(3000)])
    conn.commit()
    assert _count(raw, table) == 3000


def test_copy_counts_rows(connect: Connect, raw: psycopg.Connection[Any], table: str) -> None:
    conn = connect("admin")
    with conn.cursor() as cur, cur.copy(f"COPY {table} (id, v) FROM STDIN") as copy:
        for i in range(50):
            copy.write_row((i, "c"))
    assert _count(raw, table) == 50
    conn2 = connect("admin", autocommit=False)
    with (  # noqa: PT012 - raised when COPY ends, after the rows are written
        pytest.raises(errors.ProgramLimitExceeded),
        conn2.cursor() as cur,
        cur.copy(f"COPY {table} (id, v) FROM STDIN") as copy,
    ):
        for i in range(1000, 4001):
            copy.write_row((i, "c"))
    conn2.rollback()
    assert _count(raw, table) == 50


def test_row_limit_is_configurable(dsql_client: Any, raw: psycopg.Connection[Any], table: str) -> None:
    from dsql_standin import StandIn

    from .conftest import HOSTNAME, base_config, make_token

    with StandIn(base_config(row_limit=5)) as small:
        conn = psycopg.connect(
            host=HOSTNAME,
            hostaddr="127.0.0.1",
            port=small.port,
            user="admin",
            dbname="postgres",
            password=make_token(dsql_client, "admin"),
            sslmode="disable",
            autocommit=True,
        )
        with conn:
            conn.execute(_insert(5, table))
            with pytest.raises(errors.ProgramLimitExceeded, match="at most 5 rows"):
                conn.execute(f"UPDATE {table} SET v = 'x'; INSERT INTO {table} (id) VALUES (99)")
    assert raw.execute(f"SELECT count(*), min(v) FROM {table}").fetchone() == (5, "r")


def test_rules_follow_transaction_boundaries_inside_one_query(
    connect: Connect, raw: psycopg.Connection[Any], table: str
) -> None:
    conn = connect("admin")
    name = f"x_{uuid.uuid4().hex[:10]}"
    # COMMIT ends the first transaction, so the DDL runs in a second one: allowed
    conn.execute(f"BEGIN; INSERT INTO {table} (id) VALUES (1); COMMIT; BEGIN; CREATE TABLE {name} (id int); COMMIT")
    assert raw.execute("SELECT to_regclass(%s) IS NOT NULL", (name,)).fetchone() == (True,)
    # after a failed transaction, ROLLBACK resets the bookkeeping too
    conn.execute("BEGIN")
    with pytest.raises(errors.DivisionByZero):
        conn.execute("SELECT 1/0")
    conn.execute(f"ROLLBACK; BEGIN; DROP TABLE {name}; COMMIT")
    assert raw.execute("SELECT to_regclass(%s)", (name,)).fetchone() == (None,)
