# ruff: noqa: S608, DJ008 - test tables with generated names; throwaway test models
"""The backend bugs Django's own suite found (issue 11), each pinned through the DSQL stand-in (or, where a
server error must be produced on purpose, the local PostgreSQL): test schemas per alias, forward and cyclic
foreign keys, unique constraints vs unique indexes, NULLS NOT DISTINCT, ADD COLUMN with nothing inline,
refused column types, async-job results, connect retries and OC001 read retries."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.core import checks
from django.db import DatabaseError, NotSupportedError, connections, models, transaction
from django.test.utils import isolate_apps

from dsql_backend import async_jobs
from dsql_backend.base import DatabaseWrapper, is_read_only_statement, is_retryable_connect_error
from tests.conftest import PG_HOST, PG_PORT, PG_SUPERUSER, TEST_DB_SUFFIX, completed, dsql_settings


def collect(callback: Any) -> list[str]:
    with connections["dsql"].schema_editor(collect_sql=True) as editor:
        callback(editor)
    return editor.collected_sql


@pytest.fixture
def dsql(use_standin: Any) -> Any:
    use_standin()
    return connections["dsql"]


@pytest.fixture
def tables(dsql: Any) -> Any:
    """Names of tables a test creates; dropped (with their FKs) afterwards."""
    names: list[str] = []
    yield names
    with dsql.cursor() as cursor:
        for name in reversed(names):
            cursor.execute(f'DROP TABLE IF EXISTS "{name}" CASCADE')


def table_exists(dsql: Any, name: str) -> bool:
    with dsql.cursor() as cursor:
        return name in dsql.introspection.table_names(cursor)


# --- test schemas ------------------------------------------------------------------------------
def test_every_alias_gets_its_own_test_schema_and_signature(pg_database: str) -> None:
    default = DatabaseWrapper(completed(dsql_settings(pg_database)), "default")
    other = DatabaseWrapper(completed(dsql_settings(pg_database)), "other")

    assert default.creation.test_schema_name() == f"test_{pg_database}"
    assert other.creation.test_schema_name() == f"test_{pg_database}_other"
    # Same HOST/PORT/NAME: before, the signatures matched and `other` silently became a mirror.
    assert default.creation.test_db_signature() != other.creation.test_db_signature()


def test_create_and_destroy_touch_only_this_wrappers_settings(use_standin: Any, dsql_standin: Any) -> None:
    from tests.dsql_support import standin_settings

    use_standin()
    registered = connections.settings["dsql"]
    before = dict(registered)
    schema = f"test_fixes_{uuid.uuid4().hex[:8]}"
    # A wrapper of its own under the same alias name (as the test runner's clones and tools build them).
    wrapper = DatabaseWrapper(completed(standin_settings(dsql_standin, TEST={"SCHEMA": schema})), "dsql")
    destroyed: list[str] = []
    original_destroy = wrapper.creation._destroy_test_db

    def spy(name: str, verbosity: int) -> None:
        destroyed.append(name)
        original_destroy(name, verbosity)

    wrapper.creation._destroy_test_db = spy  # type: ignore[method-assign]
    wrapper.creation._create_test_db(verbosity=0, autoclobber=True)
    try:
        assert wrapper.settings_dict["SCHEMA"] == schema
        assert dict(connections.settings["dsql"]) == before  # the alias's own settings are untouched
        assert dict(settings.DATABASES["dsql"]) == before
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT current_schema()")
            assert cursor.fetchone() == (schema,)
    finally:
        wrapper.creation.destroy_test_db(verbosity=0)
        wrapper.close()
    assert destroyed == [schema]  # destroy_test_db goes through _destroy_test_db
    assert wrapper.settings_dict.get("SCHEMA") is None
    assert not connections["dsql"].creation._schema_exists(schema)


def test_a_schema_whose_tables_reference_each_other_is_dropped(dsql: Any) -> None:
    schema = f"test_cycle_{uuid.uuid4().hex[:8]}"
    with dsql.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{schema}"')
        cursor.execute(f'CREATE TABLE "{schema}".a (id bigint PRIMARY KEY, b_id bigint)')
        cursor.execute(f'CREATE TABLE "{schema}".b (id bigint PRIMARY KEY, a_id bigint REFERENCES "{schema}".a (id))')
        cursor.execute(
            f'ALTER TABLE "{schema}".a ADD CONSTRAINT a_b FOREIGN KEY (b_id) REFERENCES "{schema}".b (id) NOT VALID'
        )

    dsql.creation._drop_schema(schema)

    assert not dsql.creation._schema_exists(schema)


# --- foreign keys ------------------------------------------------------------------------------
def test_a_model_created_before_the_table_it_references_gets_its_fk_afterwards(dsql: Any, tables: list[str]) -> None:
    suffix = uuid.uuid4().hex[:8]
    with isolate_apps("workspace"):

        class Parent(models.Model):
            class Meta:
                app_label = "workspace"
                db_table = f"fwd_parent_{suffix}"

        class Child(models.Model):
            parent = models.ForeignKey(Parent, on_delete=models.CASCADE)

            class Meta:
                app_label = "workspace"
                db_table = f"fwd_child_{suffix}"

        tables.extend([Parent._meta.db_table, Child._meta.db_table])
        sql = collect(lambda e: (e.create_model(Child), e.create_model(Parent)))
        with dsql.schema_editor() as editor:  # what `migrate --run-syncdb` does: any order
            editor.create_model(Child)
            editor.create_model(Parent)

    assert "REFERENCES" not in sql[0]  # not inline: the parent table does not exist yet
    add_fk = next(s for s in sql if "FOREIGN KEY" in s)
    assert add_fk.endswith("DEFERRABLE INITIALLY DEFERRED NOT VALID;")
    assert sql.index(add_fk) < next(i for i, s in enumerate(sql) if "VALIDATE CONSTRAINT" in s)
    with dsql.cursor() as cursor:
        constraints = dsql.introspection.get_constraints(cursor, Child._meta.db_table)
    assert [c["foreign_key"] for c in constraints.values() if c["foreign_key"]] == [(Parent._meta.db_table, "id")]


def test_rows_that_reference_each_other_are_flushed(dsql: Any, tables: list[str]) -> None:
    a, b = f"flush_a_{uuid.uuid4().hex[:8]}", f"flush_b_{uuid.uuid4().hex[:8]}"
    tables.extend([a, b])
    with dsql.cursor() as cursor:
        cursor.execute(f'CREATE TABLE "{a}" (id bigint PRIMARY KEY, b_id bigint)')
        cursor.execute(
            f'CREATE TABLE "{b}" (id bigint PRIMARY KEY, a_id bigint REFERENCES "{a}" (id) '
            "DEFERRABLE INITIALLY DEFERRED)"
        )
        cursor.execute(
            f'ALTER TABLE "{a}" ADD CONSTRAINT {a}_b FOREIGN KEY (b_id) REFERENCES "{b}" (id) '
            "DEFERRABLE INITIALLY DEFERRED NOT VALID"
        )
    with dsql.cursor() as cursor:
        cursor.execute("BEGIN")
        cursor.execute(f'INSERT INTO "{a}" VALUES (1, 1)')
        cursor.execute(f'INSERT INTO "{b}" VALUES (1, 1)')
        cursor.execute("COMMIT")

    dsql.ops.execute_sql_flush(dsql.ops.sql_flush(_NoStyle(), [a, b]))

    with dsql.cursor() as cursor:
        cursor.execute(f'SELECT (SELECT count(*) FROM "{a}") + (SELECT count(*) FROM "{b}")')
        assert cursor.fetchone() == (0,)


class _NoStyle:
    def __getattr__(self, name: str) -> Any:
        return lambda text: text


# --- unique ------------------------------------------------------------------------------------
def _models(suffix: str) -> Any:
    class Tag(models.Model):
        slug = models.CharField(max_length=20, unique=True)
        code = models.CharField(max_length=20, null=True)  # noqa: DJ001 - NULLs are what the test is about

        class Meta:
            app_label = "workspace"
            db_table = f"uq_tag_{suffix}"

    return Tag


def test_removing_unique_drops_the_constraint_or_the_index_whichever_exists(dsql: Any, tables: list[str]) -> None:
    suffix = uuid.uuid4().hex[:8]
    with isolate_apps("workspace"):
        Tag = _models(suffix)
        tables.append(Tag._meta.db_table)
        with dsql.schema_editor() as editor:
            editor.create_model(Tag)  # slug: an inline UNIQUE constraint
        old_slug = Tag._meta.get_field("slug")
        new_slug = models.CharField(max_length=20)
        new_slug.set_attributes_from_name("slug")
        new_slug.model = Tag
        old_code = Tag._meta.get_field("code")
        unique_code = models.CharField(max_length=20, null=True, unique=True)
        unique_code.set_attributes_from_name("code")
        unique_code.model = Tag
        with dsql.schema_editor() as editor:
            editor.alter_field(Tag, old_code, unique_code)  # code: a unique ASYNC index
        drop_sql = collect(
            lambda e: (e.alter_field(Tag, old_slug, new_slug), e.alter_field(Tag, unique_code, old_code))
        )
        with dsql.schema_editor() as editor:
            editor.alter_field(Tag, old_slug, new_slug)
            editor.alter_field(Tag, unique_code, old_code)

    assert drop_sql[0].startswith(f'ALTER TABLE "{Tag._meta.db_table}" DROP CONSTRAINT ')
    assert drop_sql[1].startswith("DROP INDEX IF EXISTS ")
    with dsql.cursor() as cursor:
        constraints = dsql.introspection.get_constraints(cursor, Tag._meta.db_table)
    assert [name for name, c in constraints.items() if c["unique"] and not c["primary_key"]] == []


def test_unique_constraint_keeps_nulls_not_distinct(dsql: Any, tables: list[str]) -> None:
    suffix = uuid.uuid4().hex[:8]
    with isolate_apps("workspace"):
        Tag = _models(suffix)
        tables.append(Tag._meta.db_table)
        constraint = models.UniqueConstraint(fields=["code"], name=f"nnd_{suffix}", nulls_distinct=False)
        with dsql.schema_editor() as editor:
            editor.create_model(Tag)
        sql = collect(lambda e: e.add_constraint(Tag, constraint))
        with dsql.schema_editor() as editor:
            editor.add_constraint(Tag, constraint)
        Tag.objects.using("dsql").create(slug="a", code=None)
        with pytest.raises(DatabaseError):  # a second NULL is a duplicate under NULLS NOT DISTINCT
            Tag.objects.using("dsql").create(slug="b", code=None)

    assert sql[0].startswith(f'CREATE UNIQUE INDEX ASYNC "nnd_{suffix}"')
    assert "NULLS NOT DISTINCT" in sql[0]


# --- ADD COLUMN ----------------------------------------------------------------------------------
def test_add_field_sends_a_bare_add_column_then_each_constraint_on_its_own(dsql: Any, tables: list[str]) -> None:
    suffix = uuid.uuid4().hex[:8]
    with isolate_apps("workspace"):
        Tag = _models(suffix)
        tables.append(Tag._meta.db_table)
        with dsql.schema_editor() as editor:
            editor.create_model(Tag)
        Tag.objects.using("dsql").bulk_create([Tag(slug="a"), Tag(slug="b")])
        field = models.PositiveIntegerField(null=True, unique=True)
        field.set_attributes_from_name("rank")
        sql = collect(lambda e: e.add_field(Tag, field))
        with dsql.schema_editor() as editor:
            editor.add_field(Tag, field)
        table = Tag._meta.db_table
        with dsql.cursor() as cursor:
            cursor.execute(f"UPDATE \"{table}\" SET rank = 1 WHERE slug = 'a'")
            with pytest.raises(DatabaseError):
                cursor.execute(f"UPDATE \"{table}\" SET rank = 1 WHERE slug = 'b'")  # unique index in place
            with pytest.raises(DatabaseError):
                cursor.execute(f"UPDATE \"{table}\" SET rank = -1 WHERE slug = 'b'")  # CHECK in place

    assert sql[0] == f'ALTER TABLE "{table}" ADD COLUMN "rank" integer;'
    assert any(s.startswith(f'ALTER TABLE "{table}" ADD CONSTRAINT') and "CHECK" in s and "NOT VALID" in s for s in sql)
    assert any(s.startswith(f'ALTER TABLE ASYNC "{table}" VALIDATE CONSTRAINT') for s in sql)
    assert any(s.startswith("CREATE UNIQUE INDEX ASYNC") for s in sql)
    assert not any(" UNIQUE" in s and "ADD COLUMN" in s for s in sql)


def test_column_types_dsql_refuses_fail_at_migrate_time_with_what_to_use(dsql: Any) -> None:
    from django.contrib.postgres.fields import ArrayField

    with isolate_apps("workspace"):

        class Tagged(models.Model):
            tags = ArrayField(models.CharField(max_length=10))
            ip = models.GenericIPAddressField(null=True)

            class Meta:
                app_label = "workspace"
                db_table = "refused_types"

        errors = Tagged.check(databases=["dsql"])
        with pytest.raises(NotSupportedError, match=r"workspace\.Tagged\.tags \(ArrayField\).*JSONField"):
            collect(lambda e: e.create_model(Tagged))

    assert [e.id for e in errors if isinstance(e, checks.Error)] == ["dsql_backend.E001"]
    assert "varchar(10)[]" in errors[0].msg
    # IP addresses have no inet on DSQL: stored as text, validated by Django.
    assert Tagged._meta.get_field("ip").db_type(dsql) == "varchar(39)"


# --- async jobs ----------------------------------------------------------------------------------
@pytest.mark.parametrize("answer", ["SELECT false", "SELECT 1 WHERE false"])
def test_wait_for_job_false_or_no_row_fails_and_leaves_no_index(
    dsql: Any, tables: list[str], monkeypatch: Any, answer: str
) -> None:
    suffix = uuid.uuid4().hex[:8]
    with isolate_apps("workspace"):
        Tag = _models(suffix)
        tables.append(Tag._meta.db_table)
        with dsql.schema_editor() as editor:
            editor.create_model(Tag)
        index = models.Index(fields=["code"], name=f"ix_{suffix}")
        monkeypatch.setattr(
            async_jobs,
            "WAIT_FOR_JOB_SQL",
            answer + " AND %s IS NOT NULL" if "WHERE" in answer else answer + " WHERE %s IS NOT NULL",
        )
        with pytest.raises(DatabaseError, match=r"did not succeed \(sys\.wait_for_job answered (False|no row)\)"):
            with dsql.schema_editor() as editor:
                editor.add_index(Tag, index)

    with dsql.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_class WHERE relname = %s", [index.name])
        assert cursor.fetchone() is None  # dropped, so a rerun can create it


# --- resilience ----------------------------------------------------------------------------------
def test_statement_classification() -> None:
    assert is_read_only_statement("SELECT 1")
    assert is_read_only_statement(" (SELECT 1) UNION (SELECT 2)")
    assert is_read_only_statement("WITH x AS (SELECT 1) SELECT * FROM x")
    assert not is_read_only_statement("WITH x AS (DELETE FROM t RETURNING id) SELECT * FROM x")
    assert not is_read_only_statement("UPDATE t SET a = 1")


@pytest.fixture
def limited_role(pg_database: str) -> Any:
    role = f"vela_limited{TEST_DB_SUFFIX}"
    with psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_SUPERUSER, dbname="postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone():
            conn.execute(f'CREATE ROLE "{role}" LOGIN CONNECTION LIMIT 1')
    return role


def test_connect_retries_too_many_connections_within_connect_timeout(
    use_dsql: Any, limited_role: str, pg_database: str
) -> None:
    use_dsql(USER=limited_role, OPTIONS={"connect_timeout": 5})
    holder = psycopg.connect(host=PG_HOST, port=PG_PORT, user=limited_role, dbname=pg_database)
    with pytest.raises(psycopg.OperationalError) as refused:  # what PostgreSQL answers while it is held
        psycopg.connect(host=PG_HOST, port=PG_PORT, user=limited_role, dbname=pg_database)
    assert is_retryable_connect_error(refused.value)
    connections["dsql"].get_connection_params()  # builds the boto3 signer once (slow when cold), not timed
    threading.Timer(0.6, holder.close).start()

    started = time.monotonic()
    with connections["dsql"].cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone() == (limited_role,)
    assert 0.5 < time.monotonic() - started < 5


def test_connect_gives_up_when_connect_timeout_is_used_up(use_dsql: Any, limited_role: str, pg_database: str) -> None:
    use_dsql(USER=limited_role, OPTIONS={"connect_timeout": 1})
    connections["dsql"].get_connection_params()  # builds the boto3 signer once (slow when cold), not timed
    with psycopg.connect(host=PG_HOST, port=PG_PORT, user=limited_role, dbname=pg_database):
        started = time.monotonic()
        with pytest.raises(DatabaseError, match="too many connections"):
            connections["dsql"].ensure_connection()
        assert time.monotonic() - started < 2.5


def test_a_read_hit_by_oc001_outside_a_transaction_is_run_again(use_dsql: Any, pg_database: str) -> None:
    """PostgreSQL raises DSQL's OC001 (40001, "schema has been updated") on the first call only: a
    sequence is not rolled back with the failed statement, so the second call succeeds."""
    use_dsql()
    name = f"oc001_once_{uuid.uuid4().hex[:8]}"
    with connections["dsql"].cursor() as cursor:
        cursor.execute(f"CREATE SEQUENCE {name}")
        cursor.execute(
            f"CREATE FUNCTION {name}() RETURNS int LANGUAGE plpgsql AS $$ BEGIN "
            f"IF nextval('{name}') = 1 THEN RAISE EXCEPTION USING ERRCODE = '40001', "
            "MESSAGE = 'schema has been updated by another transaction, please retry: (OC001)'; END IF; "
            "RETURN 7; END $$"
        )
    try:
        with connections["dsql"].cursor() as cursor:
            cursor.execute(f"SELECT {name}()")
            assert cursor.fetchone() == (7,)
            cursor.execute(f"SELECT nextval('{name}')")
            assert cursor.fetchone() == (3,)  # failed once, then ran again
            cursor.execute(f"SELECT setval('{name}', 1, false)")  # next call fails again
        # Inside a transaction the whole transaction is gone: no retry, the caller sees OC001.
        with pytest.raises(DatabaseError, match="OC001"), transaction.atomic(using="dsql"):
            connections["dsql"].cursor().execute(f"SELECT {name}()")
    finally:
        connections["dsql"].close()
        with connections["dsql"].cursor() as cursor:
            cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")
            cursor.execute(f"DROP SEQUENCE IF EXISTS {name}")


def test_sequence_reset_and_introspected_auto_fields(pg_database: str) -> None:
    features = DatabaseWrapper(completed(dsql_settings(pg_database)), "x").features
    assert features.supports_sequence_reset is False
    assert features.introspected_field_types["AutoField"] == "BigAutoField"
    assert features.introspected_field_types["SmallAutoField"] == "BigAutoField"
    assert features.supports_stored_generated_columns is True
    from dsql_backend.django_suite_skips import DJANGO_TEST_SKIPS

    assert DJANGO_TEST_SKIPS
    assert all(reason.startswith("DSQL: ") for reason in DJANGO_TEST_SKIPS)
    for reason, tests in DJANGO_TEST_SKIPS.items():
        assert tests <= features.django_test_skips[reason]
