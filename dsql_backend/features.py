"""What DSQL supports, flag by flag; each override says why.

Checked against the DSQL docs and release notes as of 2026-09 (FKs 2026-08-26, expression indexes 2026-08-13,
partial indexes 2026-09-15, identity/sequences and JSON/JSONB earlier in 2026). DSQL keeps gaining features:
anything not listed here is inherited from Django's PostgreSQL backend because DSQL behaves the same.
"""

from __future__ import annotations

from django.db.backends.postgresql import features
from django.utils.functional import cached_property

from .django_suite_skips import DJANGO_TEST_SKIPS


class DatabaseFeatures(features.DatabaseFeatures):
    # --- transactions -------------------------------------------------------------------------
    # DDL runs in its own transaction (one DDL per transaction, never mixed with DML), so a failed
    # migration cannot be rolled back and migrations are not wrapped in atomic().
    can_rollback_ddl = False
    # No SAVEPOINT / RELEASE / ROLLBACK TO: nested atomic() blocks cannot roll back on their own.
    uses_savepoints = False
    can_release_savepoints = False
    # OCC, not locks: plain FOR UPDATE works (adds the rows to the write set; conflicts surface at
    # COMMIT as 40001/OC000). NOWAIT and SKIP LOCKED have nothing to wait for or skip.
    has_select_for_update = True
    has_select_for_update_nowait = False
    has_select_for_update_skip_locked = False
    # FOR UPDATE OF <table> is accepted by DSQL's PostgreSQL front end.
    has_select_for_update_of = True
    # FOR NO KEY UPDATE is not in DSQL's locking clauses (only FOR UPDATE, and FOR KEY SHARE since 2026-08).
    has_select_for_no_key_update = False
    # Foreign keys are supported since 2026-08-26; DEFERRABLE INITIALLY DEFERRED is accepted, and
    # `SET CONSTRAINTS` arrived with them.
    supports_foreign_keys = True
    can_defer_constraint_checks = True
    # Unique constraints are unique indexes (CREATE UNIQUE INDEX ASYNC), which cannot be deferred.
    supports_deferrable_unique_constraints = False

    # --- schema / DDL -------------------------------------------------------------------------
    # An FK on a column added to an existing table must be `ADD CONSTRAINT ... NOT VALID` then an
    # async VALIDATE, never inline in ADD COLUMN (the schema editor does that).
    can_create_inline_fk = False
    # ALTER COLUMN ... TYPE is not supported; no combined ALTER TABLE statements either.
    supports_combined_alters = False
    # Only the C collation exists and a COLLATE clause is rejected.
    supports_collation_on_charfield = False
    supports_collation_on_textfield = False
    supports_non_deterministic_collations = False
    # No tablespaces.
    supports_tablespaces = False
    # COMMENT ON is not in DSQL's documented DDL surface; skipping db_comment is harmless.
    supports_comments = False
    supports_comments_inline = False
    # ALTER INDEX ... RENAME is not supported: Django falls back to drop + CREATE INDEX ASYNC.
    can_rename_index = False
    # Expression indexes since 2026-08-13, partial indexes since 2026-09-15, INCLUDE supported.
    supports_expression_indexes = True
    supports_partial_indexes = True
    supports_covering_indexes = True
    # CREATE INDEX ASYNC takes no ASC/DESC per column: Index(fields=["-f"]) is created ascending (btree
    # indexes are read both ways) and Django's check warns (models.W037).
    supports_index_column_ordering = False
    # Indexes are btree only: no GIN/GiST, no operator classes.
    supports_index_on_text_field = True
    # `GENERATED ALWAYS AS (...) STORED` is accepted at CREATE TABLE (never in ADD COLUMN: the schema
    # editor refuses adding one to an existing table). PostgreSQL 16 has no virtual generated columns.
    supports_stored_generated_columns = True
    supports_virtual_generated_columns = False
    # No materialized views, no triggers, no PL/pgSQL (so no stored procedures in tests).
    can_introspect_materialized_views = False
    create_test_procedure_without_params_sql = None  # type: ignore[assignment]  # None = none; stubs narrow to str
    create_test_procedure_with_int_param_sql = None  # type: ignore[assignment]  # None = none; stubs narrow to str
    # JSON/JSONB columns are native (2026-06); Django's jsonb lookups compile as on PostgreSQL.
    has_native_json_field = True
    supports_json_field = True
    # INSERT ... ON CONFLICT DO UPDATE/NOTHING is supported.
    supports_update_conflicts = True
    supports_update_conflicts_with_target = True
    supports_ignore_conflicts = True
    # Tables without a primary key get an invisible one; every Django model has a pk anyway.
    # INSERT ... RETURNING works (UUID defaults and identity values come back).
    can_return_columns_from_insert = True
    can_return_rows_from_bulk_insert = True

    # Identity values are not reset by a flush (no ALTER SEQUENCE ... RESTART / TRUNCATE ... RESTART IDENTITY).
    supports_sequence_reset = False

    # Every auto field is a bigint identity (DSQL identity columns are bigint only), so introspection
    # reads AutoField/SmallAutoField columns back as BigAutoField.
    @cached_property
    def introspected_field_types(self) -> dict[str, str]:  # type: ignore[override]  # as Django's own (stubs: attr)
        return {**super().introspected_field_types, "AutoField": "BigAutoField", "SmallAutoField": "BigAutoField"}

    # --- Django's own test suite -------------------------------------------------------------
    @cached_property
    def django_test_skips(self) -> dict[str, set[str]]:  # type: ignore[override]  # as Django's own (stubs: attr)
        skips = {reason: set(tests) for reason, tests in super().django_test_skips.items()}
        for reason, tests in DJANGO_TEST_SKIPS.items():
            skips.setdefault(reason, set()).update(tests)
        return skips

    # --- tests --------------------------------------------------------------------------------
    # One database per cluster: nothing to clone for parallel test runs (tests live in a schema).
    can_clone_databases = False
    # TestCase cannot wrap each test in a savepoint: Django falls back to a transaction per test.
    supports_transactions = True
