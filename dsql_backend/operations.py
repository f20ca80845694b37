"""SQL the ORM generates that must differ on DSQL: flush without TRUNCATE, bigint auto fields."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import DatabaseError, IntegrityError
from django.db.backends.postgresql import operations

from .errors import sqlstate

# DSQL caps a transaction at 3,000 modified rows.
MAX_ROWS_PER_TRANSACTION = 3000
# program_limit_exceeded: a transaction passed 3,000 rows or 10 MiB of writes.
LIMIT_EXCEEDED = "54000"
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

    def adapt_ipaddressfield_value(self, value: Any) -> Any:
        # Stored as varchar (DSQL has no inet): send text, not psycopg's Inet.
        return value or None

    def lookup_cast(self, lookup_type: str, internal_type: str | None = None) -> str:
        if internal_type in ("IPAddressField", "GenericIPAddressField"):
            internal_type = "CharField"  # a varchar column: no HOST() of an inet
        return super().lookup_cast(lookup_type, internal_type)

    def sql_flush(
        self, style: Any, tables: Sequence[str], *, reset_sequences: bool = False, allow_cascade: bool = False
    ) -> list[str]:
        """`DELETE FROM` per table (DSQL has no TRUNCATE); execute_sql_flush runs them in batches.

        Identity sequences are not reset: DSQL identity values with a cache are not dense anyway.
        """
        return [
            f"{style.SQL_KEYWORD('DELETE')} {style.SQL_KEYWORD('FROM')} {style.SQL_FIELD(self.quote_name(table))};"
            for table in tables
        ]

    def execute_sql_flush(self, sql_list: Iterable[str]) -> None:
        """Run the flush in autocommit, <= 3,000 rows per transaction, children before parents.

        A table whose rows are still referenced (23503) is retried after the others, so no FK graph
        analysis is needed. Tables (or rows) that reference each other in a cycle are emptied together in
        one transaction at the end: their foreign keys are DEFERRABLE INITIALLY DEFERRED (see schema.py),
        so the check runs at COMMIT, when both sides are gone.
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
        self._delete_together(pending)

    def _delete_together(self, sql_list: list[str]) -> None:
        from django.db import transaction

        with transaction.atomic(using=self.connection.alias), self.connection.cursor() as cursor:
            for sql in sql_list:
                match = _FLUSH_STATEMENT.match(sql.strip())
                cursor.execute(f"DELETE FROM {match['table']}" if match else sql)  # noqa: S608 - quoted name

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
        needs_commit = not self.connection.get_autocommit() and not self.connection.in_atomic_block
        while True:
            batch = f"DELETE FROM {table} WHERE {pk} IN (SELECT {pk} FROM {table} LIMIT {limit})"  # noqa: S608
            try:
                cursor.execute(batch)
            except DatabaseError as exc:
                # 54000: the batch passed DSQL's 10 MiB per-transaction limit (wide rows): halve it.
                if sqlstate(exc) != LIMIT_EXCEEDED or limit == 1 or self.connection.in_atomic_block:
                    raise
                if needs_commit:
                    self.connection.rollback()
                limit = max(1, limit // 2)
                continue
            deleted = cursor.rowcount
            if needs_commit:
                self.connection.commit()
            if deleted < limit:
                return
