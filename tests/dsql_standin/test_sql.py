"""The SQL lexer and statement classification (pure unit tests)."""

from __future__ import annotations

import pytest

from dsql_standin.sql import Kind, split_statements


def kinds(sql: str) -> list[Kind]:
    return [s.kind for s in split_statements(sql)]


def test_split_respects_literals_comments_and_dollar_quotes() -> None:
    sql = "SELECT ';' ; SELECT $a$ ; $a$; /* ; /* nested ; */ */ SELECT E'\\';'; SELECT \"a;b\" -- ;\n; SELECT $1"
    texts = [s.text.strip().rstrip(";").strip() for s in split_statements(sql)]
    assert texts == ["SELECT ';'", "SELECT $a$ ; $a$", "/* ; /* nested ; */ */ SELECT E'\\';'",
                     'SELECT "a;b" -- ;', "SELECT $1"]


@pytest.mark.parametrize(("sql", "kind"), [
    ("begin", Kind.BEGIN), ("START TRANSACTION READ ONLY", Kind.BEGIN), ("commit", Kind.END), ("END", Kind.END),
    ("rollback", Kind.END), ("abort", Kind.END), ("COMMIT PREPARED 'x'", Kind.OTHER),
    ("create table t (a int)", Kind.DDL), ("ALTER TABLE t ADD COLUMN b int", Kind.DDL), ("drop index i", Kind.DDL),
    ("COMMENT ON TABLE t IS 'x'", Kind.DDL), ("insert into t values (1)", Kind.DML), ("update t set a=1", Kind.DML),
    ("delete from t", Kind.DML), ("MERGE INTO t USING s ON true WHEN MATCHED THEN DELETE", Kind.DML),
    ("COPY t FROM STDIN", Kind.DML), ("COPY t TO STDOUT", Kind.OTHER),
    ("WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", Kind.DML), ("WITH x AS (SELECT 1) SELECT 1", Kind.OTHER),
    ("(SELECT 1)", Kind.OTHER), ("CALL sys.wait_for_job('x')", Kind.OTHER),
])
def test_classification(sql: str, kind: Kind) -> None:
    assert kinds(sql) == [kind]


def test_async_index_rewrite_keeps_the_statement() -> None:
    (stmt,) = split_statements("CREATE UNIQUE INDEX ASYNC IF NOT EXISTS \"Ix\" ON public.t (a, lower(b));")
    assert stmt.violation is None
    assert stmt.rewrite is not None
    assert "dsql_standin.run_async_job(" in stmt.rewrite
    assert stmt.rewrite.endswith("AS job_id")
    assert "CREATE UNIQUE INDEX  IF NOT EXISTS \"Ix\" ON public.t (a, lower(b))" in stmt.rewrite
    assert "ASYNC" not in stmt.rewrite


@pytest.mark.parametrize("sql", [
    "BEGIN ISOLATION LEVEL REPEATABLE READ", "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY",
    "SET default_transaction_isolation TO DEFAULT", "SET LOCAL transaction_isolation = 'repeatable read'",
    "CREATE TABLE t (serial_no int, \"serial\" int, id uuid)", "SELECT 'SAVEPOINT x'",
    "CREATE INDEX ix ON t (a)", "CREATE TABLE t (s text DEFAULT 'serial')",
])
def test_allowed(sql: str) -> None:
    (stmt,) = split_statements(sql)
    assert stmt.violation is None


def test_comments_only_give_no_statement() -> None:
    assert split_statements("  -- only a comment\n /* and this */ ;; ") == []
