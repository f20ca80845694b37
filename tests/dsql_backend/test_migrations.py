# ruff: noqa: S608, DJ008 - test tables with generated names; throwaway test models
"""Migrations on DSQL: what the schema editor emits (sqlmigrate / collect_sql) and what runs through the
stand-in, which enforces DSQL's DDL rules (one DDL per transaction, ASYNC index jobs, no SERIAL...)."""

from __future__ import annotations

import io
import uuid

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import DatabaseError, NotSupportedError, connections, models
from django.db.models import Index
from django.test.utils import isolate_apps

from dsql_backend.base import DatabaseWrapper
from dsql_backend.fields import IdentityAutoField, UUIDAutoField
from tests.conftest import completed, dsql_settings


def collect(callback) -> list[str]:
    with connections["dsql"].schema_editor(collect_sql=True) as editor:
        callback(editor)
    return editor.collected_sql


@pytest.fixture
def dsql(use_standin):
    use_standin()
    return connections["dsql"]


@pytest.fixture
def temp_models():
    """Models in an isolated registry, with unique table names; their tables are dropped afterwards."""
    created: list[type[models.Model]] = []
    with isolate_apps("workspace"):
        suffix = uuid.uuid4().hex[:8]

        class Owner(models.Model):
            id = models.AutoField(primary_key=True)  # plain AutoField: a bigint identity on this backend
            name = models.CharField(max_length=10)

            class Meta:
                app_label = "workspace"
                db_table = f"tmp_owner_{suffix}"

        class Item(models.Model):
            id = models.BigAutoField(primary_key=True)
            owner = models.ForeignKey(Owner, null=True, on_delete=models.CASCADE)
            label = models.CharField(max_length=10)

            class Meta:
                app_label = "workspace"
                db_table = f"tmp_item_{suffix}"

        yield {"Owner": Owner, "Item": Item, "created": created}
    db = connections["dsql"]
    with db.cursor() as cursor:
        for model in reversed(created):
            cursor.execute(f'DROP TABLE IF EXISTS "{model._meta.db_table}"')


def create(dsql, tm, *names):
    for name in names:
        with dsql.schema_editor() as editor:
            editor.create_model(tm[name])
        tm["created"].append(tm[name])


def test_sqlmigrate_shows_async_indexes_waits_uuid_keys_and_inline_fks(dsql):
    out = io.StringIO()
    call_command("sqlmigrate", "workspace", "0001", database="dsql", stdout=out)
    sql = out.getvalue()

    assert '"id" uuid DEFAULT (gen_random_uuid()) NOT NULL PRIMARY KEY' in sql
    assert 'REFERENCES "workspace_user" ("id") DEFERRABLE INITIALLY DEFERRED' in sql
    assert 'CREATE INDEX ASYNC "workspace_msg_conv_created" ON "workspace_message"' in sql
    assert sql.count("CREATE INDEX ASYNC") == sql.count("CALL sys.wait_for_job(") == 5
    for forbidden in ("serial", "SAVEPOINT", "TRUNCATE", "CONCURRENTLY", "varchar_pattern_ops", "BEGIN;"):
        assert forbidden not in sql


def test_migrate_waits_for_index_jobs_and_fails_when_a_job_fails(dsql, temp_models):
    create(dsql, temp_models, "Owner")
    Owner = temp_models["Owner"]
    Owner.objects.using("dsql").bulk_create([Owner(name="dup"), Owner(name="dup")])
    index = Index(fields=["name"], name=f"uniq_{uuid.uuid4().hex[:8]}")
    unique = models.UniqueConstraint(fields=["name"], name=f"u_{uuid.uuid4().hex[:8]}")

    with dsql.schema_editor() as editor:
        editor.add_index(Owner, index)  # a job that succeeds
    # DSQL's sys.wait_for_job answers false for a failed job (the stand-in does too)
    with pytest.raises(DatabaseError, match=r"DSQL async job \w+ did not succeed .*for: CREATE UNIQUE INDEX ASYNC"):
        with dsql.schema_editor() as editor:
            editor.add_constraint(Owner, unique)

    with dsql.cursor() as cursor:
        cursor.execute("SELECT status FROM sys.jobs WHERE object_name = %s", [f'"{index.name}"'])
        assert cursor.fetchall() == [("completed",)]
        cursor.execute("SELECT status FROM sys.jobs WHERE object_name = %s", [f'"{unique.name}"'])
        assert cursor.fetchall() == [("failed",)]


def test_concurrently_becomes_async_and_unique_constraints_become_unique_async_indexes(dsql, temp_models):
    Owner = temp_models["Owner"]
    index = Index(fields=["name"], name="owner_name_idx")
    unique = models.UniqueConstraint(fields=["name"], name="owner_name_uniq")

    sql = collect(lambda e: (e.add_index(Owner, index, concurrently=True), e.add_constraint(Owner, unique)))

    assert sql[0].startswith('CREATE INDEX ASYNC "owner_name_idx"')
    assert sql[2].startswith('CREATE UNIQUE INDEX ASYNC "owner_name_uniq"')
    assert all(line.startswith("CALL sys.wait_for_job(") for line in (sql[1], sql[3]))


def test_changing_a_column_type_is_refused_with_a_recipe(dsql, temp_models):
    Owner = temp_models["Owner"]
    old = Owner._meta.get_field("name")
    new = models.CharField(max_length=60)
    new.set_attributes_from_name("name")
    new.model = Owner

    with pytest.raises(NotSupportedError) as excinfo:
        collect(lambda e: e.alter_field(Owner, old, new))

    message = str(excinfo.value)
    assert "workspace.Owner.name" in message
    assert "varchar(10) -> varchar(60)" in message
    assert "ALTER COLUMN ... TYPE is not supported" in message
    assert "SeparateDatabaseAndState" in message


def test_making_a_column_not_null_is_refused(dsql, temp_models):
    Item = temp_models["Item"]
    old = Item._meta.get_field("owner")
    new = models.ForeignKey(temp_models["Owner"], on_delete=models.CASCADE)
    new.set_attributes_from_name("owner")
    new.model = Item

    with pytest.raises(NotSupportedError, match="SET NOT NULL"):
        collect(lambda e: e.alter_field(Item, old, new))


def test_adding_a_not_null_column_is_refused(dsql, temp_models):
    field = models.IntegerField(default=0)
    field.set_attributes_from_name("stock")

    with pytest.raises(NotSupportedError, match=r"workspace\.Owner\.stock.*null=True"):
        collect(lambda e: e.add_field(temp_models["Owner"], field))


def test_adding_a_nullable_column_with_a_default_is_translated(dsql, temp_models):
    create(dsql, temp_models, "Owner")
    Owner = temp_models["Owner"]
    Owner.objects.using("dsql").bulk_create([Owner(name=f"o{i}") for i in range(5)])
    field = models.IntegerField(null=True, default=7)
    field.set_attributes_from_name("stock")

    sql = collect(lambda e: e.add_field(Owner, field))
    with dsql.schema_editor() as editor:  # for real, through the stand-in
        editor.add_field(Owner, field)
    # nothing inline in ADD COLUMN: DSQL refuses it
    assert sql[0] == f'ALTER TABLE "{Owner._meta.db_table}" ADD COLUMN "stock" integer;'
    assert sql[1].startswith(f'UPDATE "{Owner._meta.db_table}" SET "stock" = 7 WHERE "id" IN (SELECT "id"')
    assert "LIMIT 3000" in sql[1]
    with dsql.cursor() as cursor:
        cursor.execute(f'SELECT count(*), min("stock"), max("stock") FROM "{Owner._meta.db_table}"')
        assert cursor.fetchone() == (5, 7, 7)


def test_adding_a_nullable_fk_is_not_valid_then_validated_async(dsql, temp_models):
    create(dsql, temp_models, "Owner", "Item")
    Item = temp_models["Item"]
    field = models.ForeignKey(temp_models["Owner"], null=True, on_delete=models.CASCADE, related_name="+")
    field.set_attributes_from_name("backup_owner")

    sql = collect(lambda e: e.add_field(Item, field))
    with dsql.schema_editor() as editor:
        editor.add_field(Item, field)

    assert "NOT VALID" in next(s for s in sql if "FOREIGN KEY" in s)
    assert any(s.startswith(f'ALTER TABLE ASYNC "{Item._meta.db_table}" VALIDATE CONSTRAINT') for s in sql)
    assert not any("SET CONSTRAINTS" in s for s in sql)


def test_auto_fields_are_bigint_identities_with_cache_and_fks_to_them_are_bigint(dsql, temp_models):
    sql = collect(lambda e: (e.create_model(temp_models["Owner"]), e.create_model(temp_models["Item"])))
    create(dsql, temp_models, "Owner", "Item")
    Owner, Item = temp_models["Owner"], temp_models["Item"]
    owner = Owner.objects.using("dsql").create(name="x")
    item = Item.objects.using("dsql").create(owner=owner, label="y")

    assert '"id" bigint NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY (CACHE 65536)' in sql[0]
    assert '"owner_id" bigint NULL REFERENCES' in sql[1]
    assert isinstance(owner.pk, int)
    assert Item.objects.using("dsql").get(owner__pk=owner.pk) == item
    # Cached identity values are not dense; bigint lookups must not be cut off at 2**31.
    assert list(Owner.objects.using("dsql").filter(pk=2**40)) == []


def test_identity_cache_is_configurable_and_validated(pg_database):
    db = DatabaseWrapper(completed(dsql_settings(pg_database, IDENTITY_CACHE=1)), "x")
    assert db.data_types_suffix["BigAutoField"] == "GENERATED BY DEFAULT AS IDENTITY (CACHE 1)"
    with pytest.raises(ImproperlyConfigured, match="CACHE 1 or >= 65536"):
        DatabaseWrapper(completed(dsql_settings(pg_database, IDENTITY_CACHE=100)), "x")


def test_pk_fields_usable_per_model(dsql):
    with isolate_apps("workspace"):

        class Token(models.Model):
            id = UUIDAutoField(primary_key=True)

            class Meta:
                app_label = "workspace"

        class Counter(models.Model):
            id = IdentityAutoField(primary_key=True, cache=1)

            class Meta:
                app_label = "workspace"

        sql = collect(lambda e: (e.create_model(Token), e.create_model(Counter)))

    assert '"id" uuid DEFAULT (gen_random_uuid()) NOT NULL PRIMARY KEY' in sql[0]
    assert '"id" bigint NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY (CACHE 1)' in sql[1]
    with pytest.raises(ValueError, match="CACHE 1 or >= 65536"):
        IdentityAutoField(primary_key=True, cache=10)


def test_flush_sql_is_delete_not_truncate(dsql):
    sql = dsql.ops.sql_flush(no_style(), ["workspace_user", "workspace_message"], reset_sequences=True)

    assert sql == ['DELETE FROM "workspace_user";', 'DELETE FROM "workspace_message";']


@pytest.mark.parametrize(
    "statement",
    [
        'TRUNCATE "t"',
        "SAVEPOINT s1",
        'ALTER TABLE "t" ALTER COLUMN "c" TYPE bigint',
        'CREATE TABLE "t" ("id" serial NOT NULL PRIMARY KEY)',
        "CREATE EXTENSION pg_trgm",
        "CREATE TEMPORARY TABLE x (a int)",
    ],
)
def test_runsql_that_dsql_rejects_is_refused_before_sending(dsql, statement):
    with pytest.raises(NotSupportedError, match="Aurora DSQL does not support"), dsql.schema_editor() as editor:
        editor.execute(statement)


def test_ddl_hit_by_a_concurrent_schema_change_is_retried(dsql, temp_models, monkeypatch, caplog):
    # The stand-in cannot produce OC001 (a concurrent DDL invalidating the catalog), so the first attempt
    # is made to fail the way DSQL reports it; the retry then runs for real through the stand-in.
    from dsql_backend.schema import DatabaseSchemaEditor

    real_run = DatabaseSchemaEditor._run_ddl
    calls: list[str] = []

    def flaky(self, text):
        calls.append(text)
        if len(calls) == 1:
            raise DatabaseError("schema has been updated by another transaction, please retry: (OC001)")
        real_run(self, text)

    monkeypatch.setattr(DatabaseSchemaEditor, "_run_ddl", flaky)
    create(dsql, temp_models, "Owner")

    assert len(calls) == 2
    assert calls[0] == calls[1]
    assert "DSQL DDL conflict OC001 (attempt 1/4)" in caplog.text
    assert temp_models["Owner"].objects.using("dsql").count() == 0  # the table exists
