"""What the schema editor does to DDL text before DSQL sees it: rewrites, refusals and column types.

Pure functions of the SQL text (and of a field, for column types), so the system check (`validation.py`)
and the schema editor give the same answer without a connection.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import NotSupportedError

_ASYNC_JOB = re.compile(r"^\s*(?:CREATE\s+(?:UNIQUE\s+)?INDEX\s+ASYNC|ALTER\s+TABLE\s+ASYNC)\b", re.IGNORECASE)
_CONCURRENTLY = re.compile(r"^(\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+)CONCURRENTLY\b", re.IGNORECASE)
_DROP_CONCURRENTLY = re.compile(r"^(\s*DROP\s+INDEX\s+)CONCURRENTLY\s+", re.IGNORECASE)
# Safety net for SQL that reaches execute() from RunSQL or third-party operations.
_UNSUPPORTED = [
    (re.compile(r"\bALTER\s+COLUMN\s+\S+\s+(?:SET\s+DATA\s+)?TYPE\b", re.IGNORECASE), "ALTER COLUMN ... TYPE"),
    (re.compile(r"\bALTER\s+COLUMN\s+\S+\s+SET\s+NOT\s+NULL\b", re.IGNORECASE), "ALTER COLUMN ... SET NOT NULL"),
    (re.compile(r"^\s*TRUNCATE\b", re.IGNORECASE), "TRUNCATE"),
    (re.compile(r"^\s*SAVEPOINT\b", re.IGNORECASE), "SAVEPOINT"),
    (re.compile(r"^\s*CREATE\s+(?:TEMP|TEMPORARY)\b", re.IGNORECASE), "temporary tables"),
    (re.compile(r"^\s*CREATE\s+(?:OR\s+REPLACE\s+)?TRIGGER\b", re.IGNORECASE), "triggers"),
    (re.compile(r"^\s*CREATE\s+EXTENSION\b", re.IGNORECASE), "extensions"),
    (re.compile(r'"\s+(?:small|big)?serial[248]?\b', re.IGNORECASE), "SERIAL columns"),
]

# Column types DSQL refuses (`datatype ... not supported`), with what to use instead.
_REFUSED_TYPES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\[\]\s*$"), "use a JSONField holding a list, or a child table"),
    (re.compile(r"^(?:inet|cidr)\b"), "use a CharField(max_length=45) (GenericIPAddressField already maps to varchar)"),
    (re.compile(r"^macaddr8?\b"), "use a CharField(max_length=17)"),
    (re.compile(r"^money\b"), "use a DecimalField"),
    (re.compile(r"^xml\b"), "use a TextField"),
    (re.compile(r"^(?:point|line|lseg|box|path|polygon|circle)\b"), "store coordinates as numbers or JSON"),
    (re.compile(r"^(?:int4|int8|num|ts|tstz|date)(?:multi)?range\b"), "use two columns (lower and upper bound)"),
    (re.compile(r"^(?:tsvector|tsquery)\b"), "search outside the database (DSQL has no full-text search)"),
    (re.compile(r"^(?:bit|varbit|bit varying)\b"), "use a BinaryField or an integer"),
    (re.compile(r"^(?:hstore|citext)\b"), "use a JSONField / a TextField (DSQL has no extensions)"),
    (re.compile(r"^(?:small|big)?serial\b"), "use an AutoField/BigAutoField (bigint identity with CACHE)"),
]


def is_async_job(sql: str) -> bool:
    """`CREATE [UNIQUE] INDEX ASYNC` and `ALTER TABLE ASYNC` answer with a job id that must be waited for."""
    return _ASYNC_JOB.match(sql) is not None


def to_dsql(sql: str) -> str:
    """`CONCURRENTLY` becomes `ASYNC` (DROP INDEX just loses it); SQL DSQL cannot run is refused unsent."""
    sql = _CONCURRENTLY.sub(r"\1ASYNC", sql)
    sql = _DROP_CONCURRENTLY.sub(r"\1", sql)
    for pattern, what in _UNSUPPORTED:
        if pattern.search(sql):
            raise NotSupportedError(
                f"Aurora DSQL does not support {what}; refusing to send: {sql}. "
                "See dsql_backend/README.md for the supported way to make this change."
            )
    return sql


def refuse_unsupported_type(model: Any, field: Any, db_type: str) -> None:
    """Raise NotSupportedError naming the field if DSQL refuses its column type."""
    lowered = db_type.strip().lower()
    for pattern, instead in _REFUSED_TYPES:
        if pattern.search(lowered):
            raise NotSupportedError(
                f"{model._meta.label}.{field.name} ({type(field).__name__}) needs the column type {db_type!r}, "
                f"which Aurora DSQL does not support: {instead}."
            )


def widen_fk_type(field: Any, sql: str) -> str:
    """A FK to an AutoField is `integer` in Django; on DSQL the AutoField column is a bigint identity."""
    target = field
    for _ in range(8):  # follow FK -> OneToOne parent link -> ... to the column that is finally referenced
        if not (target.is_relation and getattr(target, "target_field", None) is not None):
            break
        target = target.target_field
    if target is not field and target.get_internal_type() in ("AutoField", "SmallAutoField"):
        return re.sub(r"^(integer|smallint)\b", "bigint", sql)
    return sql
