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

The rewriting/refusal rules for statement text and column types are in `ddl_rules.py`; running an async
job and waiting for it is `async_jobs.py`. This module is the schema editor that uses them.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from django.db import NotSupportedError
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.backends.ddl_references import Statement, Table
from django.db.backends.postgresql import schema
from django.db.models import CheckConstraint
from django.db.utils import DatabaseError

from .async_jobs import run_async_job
from .ddl_rules import is_async_job, refuse_unsupported_type, to_dsql, widen_fk_type
from .errors import sqlstate
from .operations import LIMIT_EXCEEDED, MAX_ROWS_PER_TRANSACTION
from .transaction import backoff, occ_code

logger = logging.getLogger("dsql_backend")
DDL_ATTEMPTS = 4

_TABLE_CONSTRAINT = """
SELECT 1
FROM pg_constraint con
JOIN pg_class t ON t.oid = con.conrelid
JOIN pg_namespace ns ON ns.oid = t.relnamespace
WHERE t.relname = %s AND con.conname = %s AND ns.nspname = current_schema()
"""


if TYPE_CHECKING:

    class _PostgresSchemaEditor(schema.DatabaseSchemaEditor):
        """The private methods of Django's schema editors this backend extends or calls; django-stubs omits them."""

        def _alter_field(self, *args: Any, **kwargs: Any) -> None: ...  # signature: the override below
        def _alter_column_database_default_sql(
            self, model: Any, old_field: Any, new_field: Any, drop: bool = False
        ) -> tuple[str, list[Any]]: ...
        def _create_check_sql(self, model: Any, name: str, check: str) -> Statement | None: ...
        def _create_fk_sql(self, model: Any, field: Any, suffix: str) -> Statement: ...
        def _create_index_name(self, table_name: str, column_names: list[str], suffix: str = "") -> str: ...
        def _create_unique_sql(self, model: Any, fields: list[Any], name: Any = None, **options: Any) -> Any: ...
        def _delete_constraint_sql(self, template: str, model: Any, name: str) -> Statement: ...
        def _field_indexes_sql(self, model: Any, field: Any) -> list[Statement]: ...
        def _fk_constraint_name(self, model: Any, field: Any, suffix: str) -> Any: ...
        def _index_columns(self, table: Any, columns: Any, col_suffixes: Any, opclasses: Any) -> Any: ...

else:
    _PostgresSchemaEditor = schema.DatabaseSchemaEditor


class DatabaseSchemaEditor(_PostgresSchemaEditor):
    sql_create_index = (
        "CREATE INDEX ASYNC %(name)s ON %(table)s%(using)s (%(columns)s)%(include)s%(extra)s%(condition)s"
    )
    sql_create_index_concurrently = sql_create_index
    sql_create_unique_index = (
        "CREATE UNIQUE INDEX ASYNC %(name)s ON %(table)s (%(columns)s)%(include)s%(nulls_distinct)s%(condition)s"
    )
    # `ALTER TABLE ... ADD CONSTRAINT ... UNIQUE` is not supported on existing tables: a unique index is.
    sql_create_unique = "CREATE UNIQUE INDEX ASYNC %(name)s ON %(table)s (%(columns)s)%(nulls_distinct)s"
    # A unique *constraint* (declared inline at CREATE TABLE) is dropped as a constraint; a unique index
    # (everything added later) with DROP INDEX: _delete_constraint_sql picks the one that exists.
    sql_delete_unique = "ALTER TABLE %(table)s DROP CONSTRAINT %(name)s"
    sql_delete_unique_index = "DROP INDEX IF EXISTS %(name)s"
    sql_delete_index = "DROP INDEX IF EXISTS %(name)s"
    sql_delete_index_concurrently = sql_delete_index
    # DSQL has no ALTER INDEX: can_rename_index=False makes Django drop and re-create instead.
    sql_rename_index = None  # type: ignore[assignment]  # None: Django never renames (can_rename_index=False)
    # Single statements (PostgreSQL's append `; SET CONSTRAINTS ... IMMEDIATE`).
    sql_update_with_default = "UPDATE %(table)s SET %(column)s = %(default)s WHERE %(column)s IS NULL"
    sql_delete_fk = "ALTER TABLE %(table)s DROP CONSTRAINT %(name)s"
    sql_create_column_inline_fk = None  # type: ignore[assignment]  # None = "no inline FK" to Django; stubs say str
    # FKs are declared inline at CREATE TABLE (valid at once, no extra DDL); added later, they must be
    # NOT VALID and validated by an async job.
    sql_create_inline_fk: str | None = "REFERENCES %(to_table)s (%(to_column)s) DEFERRABLE INITIALLY DEFERRED"
    sql_create_fk = (
        "ALTER TABLE %(table)s ADD CONSTRAINT %(name)s FOREIGN KEY (%(column)s) "
        "REFERENCES %(to_table)s (%(to_column)s)%(deferrable)s NOT VALID"
    )
    sql_create_check = "ALTER TABLE %(table)s ADD CONSTRAINT %(name)s CHECK (%(check)s) NOT VALID"
    sql_validate_constraint = "ALTER TABLE ASYNC %(table)s VALIDATE CONSTRAINT %(name)s"
    sql_add_bare_column = "ALTER TABLE %(table)s ADD COLUMN %(column)s %(type)s"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._tables: set[str] | None = None  # tables in the database (introspected when first needed)
        self._created: set[str] = set()  # tables this editor created (or, collecting SQL, would have)

    # --- executing --------------------------------------------------------------------------
    def execute(self, sql: Any, params: Any = ()) -> None:
        if params is not None:
            sql = self.connection.ops.compose_sql(str(sql), params)
        text = to_dsql(str(sql))
        if self.collect_sql:
            BaseDatabaseSchemaEditor.execute(self, text, None)
            if is_async_job(text):
                self.collected_sql.append(
                    "CALL sys.wait_for_job(:'job_id');  -- job_id = the id the statement above returned "
                    "(psql: end it with \\gset); the migration fails if the job fails"
                )
            return
        run = self._run_async_job if is_async_job(text) else self._run_ddl
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
        run_async_job(self.connection, text)

    # --- columns ----------------------------------------------------------------------------
    def column_sql(
        self, model: Any, field: Any, include_default: bool = False
    ) -> tuple[None, None] | tuple[str, list[Any]]:
        db_type = field.db_parameters(connection=self.connection)["type"]
        if db_type is not None:
            refuse_unsupported_type(model, field, db_type)
        column = super().column_sql(model, field, include_default)
        if column[0] is None:
            return column
        sql, params = column
        return widen_fk_type(field, sql), params

    def _create_like_index_sql(self, model: Any, field: Any) -> None:
        return None  # no operator classes (varchar_pattern_ops) on DSQL

    def _index_columns(self, table: Any, columns: Any, col_suffixes: Any, opclasses: Any) -> Any:
        return super()._index_columns(table, columns, col_suffixes, ())  # no opclasses: plain Columns

    # --- tables -----------------------------------------------------------------------------
    def _existing_tables(self) -> set[str]:
        if self._tables is None:
            with self.connection.cursor() as cursor:
                self._tables = set(self.connection.introspection.table_names(cursor))
        return self._tables

    def _forward_fk_targets(self, model: Any) -> list[str]:
        """Tables this model's foreign keys point at that do not exist yet (inline REFERENCES would fail).
        Introspects (once per schema editor) only when the model has a FK to another table."""
        own = model._meta.db_table
        targets = [
            field.remote_field.model._meta.db_table
            for field in model._meta.local_fields
            if field.remote_field
            and getattr(field, "db_constraint", False)
            and field.concrete
            and field.remote_field.model._meta.db_table != own
        ]
        targets = [table for table in targets if table not in self._created]
        if not targets:
            return []
        existing = self._existing_tables()
        return [table for table in targets if table not in existing]

    def create_model(self, model: Any) -> None:
        """Inline `REFERENCES` when every target table exists (no extra DDL); otherwise — a model created
        before a table it references, as `migrate --run-syncdb` does — the model's FKs are added after all
        tables exist: `ADD CONSTRAINT ... NOT VALID` + `ALTER TABLE ASYNC ... VALIDATE` (deferred SQL)."""
        shadowed = "sql_create_inline_fk" in self.__dict__  # a through table created by an outer call
        inline = not shadowed and not self._forward_fk_targets(model)
        if inline:
            super().create_model(model)
        else:
            if not shadowed:
                self.sql_create_inline_fk = None
            try:
                super().create_model(model)
            finally:
                if not shadowed:
                    del self.__dict__["sql_create_inline_fk"]
            for field in model._meta.local_fields:
                self._validate_new_fk(model, field)
        self._created.add(model._meta.db_table)
        if self._tables is not None:
            self._tables.add(model._meta.db_table)

    def delete_model(self, model: Any) -> None:
        # PostgreSQL's `DROP TABLE ... CASCADE`: foreign keys of other tables that point here go with it.
        super().delete_model(model)
        self._created.discard(model._meta.db_table)
        if self._tables is not None:
            self._tables.discard(model._meta.db_table)

    def alter_db_table(self, model: Any, old_db_table: str, new_db_table: str) -> None:
        super().alter_db_table(model, old_db_table, new_db_table)
        if old_db_table in self._created:
            self._created.discard(old_db_table)
            self._created.add(new_db_table)
        if self._tables is not None:
            self._tables.discard(old_db_table)
            self._tables.add(new_db_table)

    def _delete_constraint_sql(self, template: str, model: Any, name: str) -> Any:
        if template == self.sql_delete_unique and not self._is_table_constraint(model._meta.db_table, name):
            template = self.sql_delete_unique_index
        return super()._delete_constraint_sql(template, model, name)

    def _is_table_constraint(self, table: str, name: str) -> bool:
        with self.connection.cursor() as cursor:
            cursor.execute(_TABLE_CONSTRAINT, [table, name])
            return cursor.fetchone() is not None

    def add_field(self, model: Any, field: Any) -> None:
        """`ADD COLUMN name type` and nothing else (DSQL refuses any constraint, default or identity in
        ADD COLUMN); then, each as its own statement: SET DEFAULT (db_default), a batched backfill of the
        default, CHECK as `NOT VALID` + async VALIDATE, `unique` as `CREATE UNIQUE INDEX ASYNC`, the FK as
        `NOT VALID` + async VALIDATE, and the field's index; every async job is waited for."""
        db_params = field.db_parameters(connection=self.connection)
        if field.many_to_many or db_params["type"] is None:
            super().add_field(model, field)
            return
        name = f"{model._meta.label}.{field.name}"
        refuse_unsupported_type(model, field, db_params["type"])
        if field.primary_key:
            raise NotSupportedError(
                f"Cannot add {name} on Aurora DSQL: a primary key cannot be added to an existing table. Create a "
                "new model with the key and copy the rows over in batches of <= 3,000."
            )
        if field.db_type_suffix(connection=self.connection) or getattr(field, "generated", False):
            raise NotSupportedError(
                f"Cannot add {name} on Aurora DSQL: identity and generated columns can only be declared in "
                "CREATE TABLE (ADD COLUMN with a constraint is not supported). Add a plain nullable field and "
                "fill it from code, or create a new model."
            )
        if not field.null:
            raise NotSupportedError(
                f"Cannot add {name} on Aurora DSQL: ADD COLUMN with NOT NULL (or DEFAULT) is not supported, and "
                "NOT NULL cannot be added later. Declare the field with null=True (a default is fine: the "
                "backend backfills existing rows in batches) and enforce presence in the model/serializer."
            )
        table = self.quote_name(model._meta.db_table)
        column_type = widen_fk_type(field, db_params["type"])
        self.execute(
            self.sql_add_bare_column % {"table": table, "column": self.quote_name(field.column), "type": column_type},
            None,
        )
        default = self.effective_default(field)
        if field.has_db_default():
            fragment, params = self._alter_column_database_default_sql(model, None, field)
            self.execute(self.sql_alter_column % {"table": table, "changes": fragment}, params)
            self._backfill(model, field, "DEFAULT", [])
        elif default is not None:
            self._backfill(model, field, "%s", [default])
        if db_params["check"]:
            check_name = self._create_index_name(model._meta.db_table, [field.column], suffix="_check")
            self.execute(self._create_check_sql(model, check_name, db_params["check"]))
            self.execute(self.sql_validate_constraint % {"table": table, "name": self.quote_name(check_name)})
        if field.unique:
            self.execute(self._create_unique_sql(model, [field]))
        if field.remote_field and field.db_constraint and self.connection.features.supports_foreign_keys:
            self.deferred_sql.append(self._create_fk_sql(model, field, "_fk_%(to_table)s_%(to_column)s"))
            self._validate_new_fk(model, field)
        self.deferred_sql.extend(self._field_indexes_sql(model, field))

    def _backfill(self, model: Any, field: Any, value_sql: str, params: list[Any]) -> None:
        """Fill the new column in transactions of <= 3,000 rows; halve the batch when a transaction would
        pass DSQL's 10 MiB write limit (54000), so wide rows still get through."""
        table = self.quote_name(model._meta.db_table)
        column = self.quote_name(field.column)
        pk = self.quote_name(model._meta.pk.column)
        limit = MAX_ROWS_PER_TRANSACTION
        if self.collect_sql:
            batch = f"(SELECT {pk} FROM {table} WHERE {column} IS NULL LIMIT {limit})"  # noqa: S608 - quoted names
            self.execute(f"UPDATE {table} SET {column} = {value_sql} WHERE {pk} IN {batch}", params)  # noqa: S608
            self.collected_sql.append("-- repeat the UPDATE above until it updates 0 rows (one transaction each)")
            return
        while True:
            batch = f"(SELECT {pk} FROM {table} WHERE {column} IS NULL LIMIT {limit})"  # noqa: S608 - quoted names
            sql = f"UPDATE {table} SET {column} = {value_sql} WHERE {pk} IN {batch}"  # noqa: S608
            try:
                with self.connection.cursor() as cursor:
                    cursor.execute(self.connection.ops.compose_sql(sql, params))
                    updated = cursor.rowcount
            except DatabaseError as exc:
                if sqlstate(exc) != LIMIT_EXCEEDED or limit == 1:
                    raise
                limit = max(1, limit // 2)
                continue
            if updated < limit:
                return

    def _validate_new_fk(self, model: Any, field: Any) -> None:
        if (
            field.remote_field
            and getattr(field, "db_constraint", False)
            and field.concrete
            and self.connection.features.supports_foreign_keys
            and field.db_parameters(connection=self.connection)["type"] is not None
        ):
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
