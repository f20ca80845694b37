"""Running DSQL's async DDL: `CREATE [UNIQUE] INDEX ASYNC` / `ALTER TABLE ASYNC` answer with a job id,
and the change is in place only when `CALL sys.wait_for_job(<job id>)` answers true.

A failed job fails the migration here (AWS's adapter records the migration as applied and leaves a
broken index), and the INVALID index a failed build leaves behind is dropped so a rerun can create it.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from django.db.utils import DatabaseError

logger = logging.getLogger("dsql_backend")

WAIT_FOR_JOB_SQL = "CALL sys.wait_for_job(%s)"
_INDEX_NAME = re.compile(
    r'^\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+ASYNC\s+(?:IF\s+NOT\s+EXISTS\s+)?(?P<name>"(?:[^"]|"")+"|[A-Za-z_][\w$]*)\s+ON\b',
    re.IGNORECASE,
)


def run_async_job(connection: Any, text: str) -> None:
    """Send one async DDL statement and wait for its job; raise DatabaseError unless the job succeeded."""
    if connection.in_atomic_block:
        from django.db.transaction import TransactionManagementError

        raise TransactionManagementError("DSQL runs DDL outside transactions: leave the atomic() block.")
    drop_invalid_index(connection, text)
    with connection.cursor() as cursor:
        cursor.execute(text)
        row = cursor.fetchone() if cursor.description else None
        if not row or not row[0]:
            raise DatabaseError(f"DSQL returned no job id for: {text}")
        job_id = row[0]
        try:
            cursor.execute(WAIT_FOR_JOB_SQL, [job_id])
            result = cursor.fetchone() if cursor.description else None
        except DatabaseError as exc:
            reason = " ".join(str(exc).split())
            drop_failed_index(cursor, text)
            raise DatabaseError(f"DSQL async job {job_id} failed ({reason}) for: {text}") from exc
        if result is None or result[0] is not True:
            # False (the job failed or was cancelled) or no answer at all: the change is not in place.
            drop_failed_index(cursor, text)
            raise DatabaseError(
                f"DSQL async job {job_id} did not succeed (sys.wait_for_job answered "
                f"{'no row' if result is None else repr(result[0])}) for: {text}"
            )


def drop_failed_index(cursor: Any, text: str) -> None:
    """A failed ASYNC index build leaves an INVALID index behind; drop it so a rerun can create it."""
    match = _INDEX_NAME.match(text)
    if match is None:
        return
    try:
        cursor.execute(f"DROP INDEX IF EXISTS {match['name']}")
    except DatabaseError:
        logger.exception("could not drop the index of a failed DSQL job: %s", text)


def drop_invalid_index(connection: Any, text: str) -> None:
    """An INVALID index left by an earlier failed run (say, a crash before the cleanup) blocks a rerun."""
    match = _INDEX_NAME.match(text)
    if match is None:
        return
    name = match["name"]
    unquoted = name[1:-1].replace('""', '"') if name.startswith('"') else name.lower()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relname = %s AND n.nspname = current_schema() AND NOT i.indisvalid",
            [unquoted],
        )
        if cursor.fetchone() is not None:
            logger.warning("dropping the INVALID index %s left by an earlier failed build", name)
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
