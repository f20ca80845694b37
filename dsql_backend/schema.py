"""Migrations that run on DSQL.

- Every index is `CREATE [UNIQUE] INDEX ASYNC`, followed by `CALL sys.wait_for_job(<job id>)`; a failed
  job fails the migration (AWS's adapter records the migration as applied and leaves a broken index).
  `CONCURRENTLY` (AddIndexConcurrently) becomes `ASYNC`.
- Unique constraints on existing tables are unique ASYNC indexes; CHECK and FOREIGN KEY constraints on
  existing tables are `NOT VALID` + `ALTER TABLE ASYNC ... VALIDATE CONSTRAINT`, waited for as well.
- One statement per execute(): PostgreSQL's templates that append `; SET CONSTRAINTS ...` are single here.
- Operations DSQL cannot run are refused before anything is sent, with what to do instead:
  `ALTER COLUMN ... TYPE`, `SET NOT NULL`, adding a NOT NULL column. Adding a nullable column with a
  default is translated: add it bare, `SET DEFAULT` (db_default), backfill in <= 3,000-row batches.
- No operator classes / `varchar_pattern_ops` LIKE indexes (btree only), no COLLATE, no tablespaces.
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any

from django.db import NotSupportedError
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.backends.ddl_references import Statement, Table
from django.db.backends.postgresql import schema
from django.db.models import NOT_PROVIDED, CheckConstraint
from django.db.utils import DatabaseError

from .operations import MAX_ROWS_PER_TRANSACTION
from .transaction import backoff, occ_code

logger = logging.getLogger("dsql_backend")
DDL_ATTEMPTS = 4

WAIT_FOR_JOB_SQL = "CALL sys.wait_for_job(%s)"
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


class DatabaseSchemaEditor(schema.DatabaseSchemaEditor):
    sql_create_index = (
        "CREATE INDEX ASYNC %(name)s ON %(table)s%(using)s (%(columns)s)%(include)s%(extra)s%(condition)s"
    )
    sql_create_index_concurrently = sql_create_index
    sql_create_unique_index = (
        "CREATE UNIQUE INDEX ASYNC %(name)s ON %(table)s (%(columns)s)%(include)s%(nulls_distinct)s%(condition)s"
    )
    # `ALTER TABLE ... ADD CONSTRAINT ... UNIQUE` is not supported on existing tables: a unique index is.
    sql_create_unique = "CREATE UNIQUE INDEX ASYNC %(name)s ON %(table)s (%(columns)s)"
    sql_delete_unique = "DROP INDEX IF EXISTS %(name)s"
    sql_delete_index = "DROP INDEX IF EXISTS %(name)s"
    sql_delete_index_concurrently = sql_delete_index
    # DSQL has no ALTER INDEX: can_rename_index=False makes Django drop and re-create instead.
    sql_rename_index = None
    # Single statements (PostgreSQL's append `; SET CONSTRAINTS ... IMMEDIATE`).
    sql_update_with_default = "UPDATE %(table)s SET %(column)s = %(default)s WHERE %(column)s IS NULL"
    sql_delete_fk = "ALTER TABLE %(table)s DROP CONSTRAINT %(name)s"
    sql_create_column_inline_fk = None
    # FKs are declared inline at CREATE TABLE (valid at once, no extra DDL); added later, they must be
    # NOT VALID and validated by an async job.
    sql_create_inline_fk = "REFERENCES %(to_table)s (%(to_column)s) DEFERRABLE INITIALLY DEFERRED"
    sql_create_fk = (
        "ALTER TABLE %(table)s ADD CONSTRAINT %(name)s FOREIGN KEY (%(column)s) "
        "REFERENCES %(to_table)s (%(to_column)s)%(deferrable)s NOT VALID"
    )
    sql_create_check = "ALTER TABLE %(table)s ADD CONSTRAINT %(name)s CHECK (%(check)s) NOT VALID"
    sql_validate_constraint = "ALTER TABLE ASYNC %(table)s VALIDATE CONSTRAINT %(name)s"

    # --- executing --------------------------------------------------------------------------
    def execute(self, sql: Any, params: Any = ()) -> None:
        if params is not None:
            sql = self.connection.ops.compose_sql(str(sql), params)
        text = self._to_dsql(str(sql))
        if self.collect_sql:
            BaseDatabaseSchemaEditor.execute(self, text, None)
            if _ASYNC_JOB.match(text):
                self.collected_sql.append(
                    "CALL sys.wait_for_job(:'job_id');  -- job_id = the id the statement above returned "
                    "(psql: end it with \\gset); the migration fails if the job fails"
                )
            return
        run = self._run_async_job if _ASYNC_JOB.match(text) else self._run_ddl
        for attempt in range(1, DDL_ATTEMPTS + 1):
            try:
                run(text)
                return
            except DatabaseError as exc:
                # OC001: a concurrent schema change (another migration, an index job finishing) invalidated
                # this transaction's catalog snapshot. The statement did not apply: run it again.
                if occ_code(exc) is None or attempt == DDL_ATTEMPTS or self.connection.in_atomic_block:
                    raise
                logger.warning(
                    "DSQL DDL conflict %s (attempt %d/%d); retrying: %s", occ_code(exc), attempt, DDL_ATTEMPTS, text
                )
                time.sleep(backoff(attempt, 0.05, 1.0))

    def _run_ddl(self, text: str) -> None:
        BaseDatabaseSchemaEditor.execute(self, text, None)

    def _run_async_job(self, text: str) -> None:
        if self.connection.in_atomic_block:
            from django.db.transaction import TransactionManagementError

            raise TransactionManagementError("DSQL runs DDL outside transactions: leave the atomic() block.")
        with self.connection.cursor() as cursor:
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
                raise DatabaseError(f"DSQL async job {job_id} failed ({reason}) for: {text}") from exc
            if result is not None and result[0] is False:
                raise DatabaseError(f"DSQL async job {job_id} did not succeed for: {text}")

    def _to_dsql(self, sql: str) -> str:
        sql = _CONCURRENTLY.sub(r"\1ASYNC", sql)
        sql = _DROP_CONCURRENTLY.sub(r"\1", sql)
        for pattern, what in _UNSUPPORTED:
            if pattern.search(sql):
                raise NotSupportedError(
                    f"Aurora DSQL does not support {what}; refusing to send: {sql}. "
                    "See dsql_backend/README.md for the supported way to make this change."
                )
        return sql

    # --- columns ----------------------------------------------------------------------------
    def column_sql(self, model: Any, field: Any, include_default: bool = False) -> tuple[str | None, Any]:
        sql, params = super().column_sql(model, field, include_default)
        # A FK to an AutoField is `integer` in Django; on DSQL the AutoField column is a bigint identity.
        if sql and field.is_relation and getattr(field, "target_field", None) is not None:
            if field.target_field.get_internal_type() in ("AutoField", "SmallAutoField"):
                sql = re.sub(r"^(integer|smallint)\b", "bigint", sql)
        return sql, params

    def _create_like_index_sql(self, model: Any, field: Any) -> None:
        return None  # no operator classes (varchar_pattern_ops) on DSQL

    def _index_columns(self, table: Any, columns: Any, col_suffixes: Any, opclasses: Any) -> Any:
        return BaseDatabaseSchemaEditor._index_columns(self, table, columns, col_suffixes, ())

    def add_field(self, model: Any, field: Any) -> None:
        if field.many_to_many or field.db_parameters(connection=self.connection)["type"] is None:
            super().add_field(model, field)
            return
        name = f"{model._meta.label}.{field.name}"
        if not field.null:
            raise NotSupportedError(
                f"Cannot add {name} on Aurora DSQL: ADD COLUMN with NOT NULL (or DEFAULT) is not supported, and "
                "NOT NULL cannot be added later. Declare the field with null=True (a default is fine: the "
                "backend backfills existing rows in batches) and enforce presence in the model/serializer."
            )
        default = self.effective_default(field)
        has_db_default = field.has_db_default()
        if default is None and not has_db_default:
            super().add_field(model, field)
            self._validate_new_fk(model, field)
            return
        # Translate `ADD COLUMN c DEFAULT x` into: add bare -> SET DEFAULT (db_default) -> batched backfill.
        bare = field.clone()
        bare.default = NOT_PROVIDED
        bare.db_default = NOT_PROVIDED
        bare.set_attributes_from_name(field.name)
        bare.model = model
        super().add_field(model, bare)
        self._validate_new_fk(model, field)
        table = self.quote_name(model._meta.db_table)
        if has_db_default:
            fragment, params = self._alter_column_database_default_sql(model, None, field)
            self.execute(self.sql_alter_column % {"table": table, "changes": fragment}, params)
        self._backfill(model, field, "DEFAULT" if has_db_default else "%s", [] if has_db_default else [default])

    def _backfill(self, model: Any, field: Any, value_sql: str, params: list[Any]) -> None:
        table = self.quote_name(model._meta.db_table)
        column = self.quote_name(field.column)
        pk = self.quote_name(model._meta.pk.column)
        limit = MAX_ROWS_PER_TRANSACTION
        batch = f"(SELECT {pk} FROM {table} WHERE {column} IS NULL LIMIT {limit})"  # noqa: S608 - quoted names
        sql = f"UPDATE {table} SET {column} = {value_sql} WHERE {pk} IN {batch}"  # noqa: S608
        if self.collect_sql:
            self.execute(sql, params)
            self.collected_sql.append("-- repeat the UPDATE above until it updates 0 rows (one transaction each)")
            return
        while True:
            with self.connection.cursor() as cursor:
                cursor.execute(self.connection.ops.compose_sql(sql, params))
                if cursor.rowcount < MAX_ROWS_PER_TRANSACTION:
                    return

    def _validate_new_fk(self, model: Any, field: Any) -> None:
        if field.remote_field and field.db_constraint and self.connection.features.supports_foreign_keys:
            self.deferred_sql.append(
                Statement(
                    self.sql_validate_constraint,
                    table=Table(model._meta.db_table, self.quote_name),
                    name=self._fk_constraint_name(model, field, "_fk_%(to_table)s_%(to_column)s"),
                )
            )

    def _alter_field(
        self,
        model: Any,
        old_field: Any,
        new_field: Any,
        old_type: str,
        new_type: str,
        old_db_params: dict[str, Any],
        new_db_params: dict[str, Any],
        strict: bool = False,
    ) -> None:
        name = f"{model._meta.label}.{new_field.name}"
        if old_type != new_type:
            raise NotSupportedError(
                f"Cannot alter {name} on Aurora DSQL: the column type would change ({old_type} -> {new_type}) and "
                "ALTER COLUMN ... TYPE is not supported. Add a new field with the new type, copy the values in "
                "batches of <= 3,000 rows (RunPython), switch the code to it and remove the old field; or, if "
                "the database column may stay as it is, wrap the AlterField in SeparateDatabaseAndState."
            )
        if old_field.null and not new_field.null:
            raise NotSupportedError(
                f"Cannot alter {name} on Aurora DSQL: making a column NOT NULL (ALTER COLUMN ... SET NOT NULL) is "
                "not supported. Keep null=True in the database (SeparateDatabaseAndState) and validate in code."
            )
        fk_added = (
            new_field.remote_field
            and new_field.db_constraint
            and not (old_field.remote_field and old_field.db_constraint)
        )
        super()._alter_field(model, old_field, new_field, old_type, new_type, old_db_params, new_db_params, strict)
        if fk_added:
            self._validate_new_fk(model, new_field)

    # --- constraints ------------------------------------------------------------------------
    def add_constraint(self, model: Any, constraint: Any) -> None:
        super().add_constraint(model, constraint)
        if isinstance(constraint, CheckConstraint):
            self.execute(
                self.sql_validate_constraint
                % {"table": self.quote_name(model._meta.db_table), "name": self.quote_name(constraint.name)}
            )
