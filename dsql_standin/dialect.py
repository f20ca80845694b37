"""DSQL-only statements rewritten into something PostgreSQL runs, answering as DSQL does.

- ``CREATE [UNIQUE] INDEX ASYNC ...`` / ``ALTER TABLE ASYNC ... VALIDATE CONSTRAINT ...``: run now through
  ``dsql_standin.run_async_job`` (which records the job in ``sys.jobs``); the client gets DSQL's answer, the
  command tag ``CREATE INDEX`` / ``ALTER TABLE`` with one row, one text column ``job_id``.
- ``ALTER TABLE ... ADD COLUMN c t STORAGE m`` (PostgreSQL 16 syntax): ``ADD COLUMN c t, ALTER COLUMN c SET
  STORAGE m`` on PostgreSQL 15.
- ``ALTER TABLE t DROP COLUMN c``: DSQL refuses dropping a primary-key column; a ``DO`` block checks the
  catalog first (tag ``ALTER TABLE``).
"""

from __future__ import annotations

import secrets
from itertools import pairwise

from .lexer import Statement, Token

__all__ = ["async_alter", "async_index", "guarded_drop_column", "storage_rewrite"]


def _dollar_quote(text: str) -> str:
    tag = "$standin_" + secrets.token_hex(4) + "$"
    return f"{tag}{text}{tag}"


def _without(text: str, *toks: Token) -> str:
    for tok in sorted(toks, key=lambda t: t.start, reverse=True):
        text = text[: tok.start] + text[tok.end :]
    return text


def _job_call(job_type: str, obj: str, sql: str) -> str:
    """The statement that runs ``sql`` now and records it as a finished job (the job id is made upstream)."""
    return (
        f"SELECT dsql_standin.run_async_job({_dollar_quote(job_type)}, {_dollar_quote(obj)}, "
        f"{_dollar_quote(sql)}) AS job_id"
    )


def async_index(stmt: Statement, async_tok: Token) -> None:
    sync_sql = _without(stmt.text, async_tok).strip().rstrip(";")
    name = ""
    rest = [t for t in stmt.tokens if t.start > async_tok.start]
    for a, b in pairwise(rest):
        if b.is_word("ON"):
            name = a.value if a.kind != "word" else stmt.text[a.start : a.end]
            if a.is_word("ASYNC", "EXISTS"):
                name = ""
            break
    stmt.rewrite = _job_call("INDEX_BUILD", name, sync_sql)
    stmt.tag = "CREATE INDEX"


def async_alter(stmt: Statement, async_tok: Token, target: Token | None) -> None:
    sync_sql = _without(stmt.text, async_tok).strip().rstrip(";")
    obj = stmt.text[target.start : target.end] if target is not None else ""
    stmt.rewrite = _job_call("VALIDATE", obj, sync_sql)
    stmt.tag = "ALTER TABLE"


def storage_rewrite(stmt: Statement, column: Token, storage: Token, mode: Token) -> None:
    """PostgreSQL 15 has no ``ADD COLUMN ... STORAGE``: add the column, then set its storage, in one ALTER."""
    base = _without(stmt.text, storage, mode).strip().rstrip(";")
    name = stmt.text[column.start : column.end]
    stmt.rewrite = f"{base}, ALTER COLUMN {name} SET STORAGE {mode.value}"


def guarded_drop_column(stmt: Statement, table: str, column: Token) -> None:
    """Refuse (as DSQL does) dropping a column of the primary key; otherwise run the DROP as is."""
    col = column.value[1:-1].replace('""', '"') if column.kind == "quoted" else column.value.lower()
    sql = stmt.text.strip().rstrip(";")
    check = (  # every value is dollar-quoted with a random tag
        "IF EXISTS (SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "  # noqa: S608
        f"AND a.attnum = ANY (i.indkey) WHERE i.indisprimary AND i.indrelid = to_regclass({_dollar_quote(table)}) "
        f"AND a.attname = {_dollar_quote(col)}) THEN "
        f"RAISE EXCEPTION USING ERRCODE = '0A000', MESSAGE = 'cannot drop primary key column ' || {_dollar_quote(col)};"
        " END IF;"
    )
    body = f"BEGIN {check} EXECUTE {_dollar_quote(sql)}; END"
    stmt.rewrite = f"DO {_dollar_quote(body)}"
    stmt.tag = "ALTER TABLE"
