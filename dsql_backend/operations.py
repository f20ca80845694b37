"""SQL the ORM generates that must differ on DSQL: flush without TRUNCATE, bigint auto fields."""

from __future__ import annotations

import re
from typing import Any

from django.db import IntegrityError
from django.db.backends.postgresql import operations

from .errors import sqlstate

# DSQL caps a transaction at 3,000 modified rows.
MAX_ROWS_PER_TRANSACTION = 3000
_BIGINT_RANGE = (-9223372036854775808, 9223372036854775807)
_FLUSH_STATEMENT = re.compile(r'^DELETE FROM (?P<table>"(?:[^"]|"")+");?$')
_FK_VIOLATION = "23503"


class DatabaseOperations(operations.DatabaseOperations):
    # Every auto field is a bigint identity on DSQL (see base.data_types), so lookups must accept
    # bigint values: identity values with CACHE 65536 are unique but not dense, and pass 2**31 early.
    integer_field_ranges = {
        **operations.DatabaseOperations.integer_field_ranges,
        "AutoField": _BIGINT_RANGE,
        "SmallAutoField": _BIGINT_RANGE,
    }

    def sql_flush(
        self, style: Any, tables: list[str], *, reset_sequences: bool = False, allow_cascade: bool = False
    ) -> list[str]:
        """`DELETE FROM` per table (DSQL has no TRUNCATE); execute_sql_flush runs them in batches.

        Identity sequences are not reset: DSQL identity values with a cache are not dense anyway.
        """
        return [
            f"{style.SQL_KEYWORD('DELETE')} {style.SQL_KEYWORD('FROM')} {style.SQL_FIELD(self.quote_name(table))};"
            for table in tables
        ]

    def execute_sql_flush(self, sql_list: list[str]) -> None:
        """Run the flush in autocommit, <= 3,000 rows per transaction, children before parents.

        A table whose rows are still referenced (23503) is retried after the others, so no FK graph
        analysis is needed and the flush still ends empty.
        """
        pending = list(sql_list)
        with self.connection.cursor() as cursor:
            for _ in range(len(pending) + 1):
                blocked: list[str] = []
                for sql in pending:
                    try:
                        self._delete_all(cursor, sql)
                    except IntegrityError as exc:
                        if sqlstate(exc) != _FK_VIOLATION:
                            raise
                        blocked.append(sql)
                if not blocked:
                    return
                if len(blocked) == len(pending):
                    break
                pending = blocked
            # Nothing could be deleted in the last pass: report the real error.
            for sql in pending:
                self._delete_all(cursor, sql)

    def _delete_all(self, cursor: Any, sql: str) -> None:
        match = _FLUSH_STATEMENT.match(sql.strip())
        if not match:  # something else (a custom backend hook): run it as is
            cursor.execute(sql)
            return
        table = match["table"]
        pk = self.connection.introspection.get_primary_key_column(cursor, table[1:-1].replace('""', '"'))
        if pk is None:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - quoted identifier
            return
        pk = self.quote_name(pk)
        limit = MAX_ROWS_PER_TRANSACTION
        batch = f"DELETE FROM {table} WHERE {pk} IN (SELECT {pk} FROM {table} LIMIT {limit})"  # noqa: S608
        needs_commit = not self.connection.get_autocommit() and not self.connection.in_atomic_block
        while True:
            cursor.execute(batch)
            if needs_commit:
                self.connection.commit()
            if cursor.rowcount < MAX_ROWS_PER_TRANSACTION:
                return
