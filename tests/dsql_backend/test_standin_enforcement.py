# ruff: noqa: S608 - test tables with generated names
"""The stand-in enforces DSQL's rules: Django's stock PostgreSQL backend (given a valid token) fails on
them through the stand-in, while dsql_backend does the same job within the rules."""

from __future__ import annotations

import io
import uuid
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import NotSupportedError, connections, transaction
from django.db.backends.signals import connection_created
from django.db.utils import DatabaseError

from dsql_backend import auth
from tests.conftest import FAKE_CLUSTER_HOST, completed, drop_connection
from tests.dsql_support import standin_settings


@pytest.fixture
def stock(dsql_standin, django_db_blocker):
    """Alias `stock`: Django's own postgresql backend through the stand-in, with one token signed up front."""
    token = auth.generate_auth_token(host=FAKE_CLUSTER_HOST, region="us-east-1", user="admin")
    settings_dict = completed(
        standin_settings(dsql_standin, ENGINE="django.db.backends.postgresql", PASSWORD=token, TIME_ZONE=None)
    )
    connections.settings["stock"] = settings_dict
    with django_db_blocker.unblock():
        yield connections["stock"]
        drop_connection("stock")
    connections.settings.pop("stock", None)


@pytest.fixture
def scratch_table(use_standin):
    use_standin()
    name = f"enf_{uuid.uuid4().hex[:10]}"
    with connections["dsql"].cursor() as cursor:
        cursor.execute(f"CREATE TABLE {name} (id bigint PRIMARY KEY, v text)")
        cursor.execute(f"INSERT INTO {name} VALUES (1, 'a'), (2, 'b')")
    yield name
    with connections["dsql"].cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")


def test_flush_stock_truncate_is_rejected_ours_deletes(stock, scratch_table):
    with pytest.raises(DatabaseError, match="unsupported statement: Truncate"):
        stock.ops.execute_sql_flush(stock.ops.sql_flush(no_style(), [scratch_table]))

    ours = connections["dsql"]
    ours.ops.execute_sql_flush(ours.ops.sql_flush(no_style(), [scratch_table]))
    with ours.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {scratch_table}")
        assert cursor.fetchone() == (0,)


def test_nested_atomic_stock_sends_savepoint_and_is_rejected_ours_is_fine(stock, scratch_table):
    with pytest.raises(DatabaseError, match="unsupported transaction statement: SAVEPOINT"):
        with transaction.atomic(using="stock"), transaction.atomic(using="stock"):
            pass

    with transaction.atomic(using="dsql"), transaction.atomic(using="dsql"):
        with connections["dsql"].cursor() as cursor:
            cursor.execute(f"UPDATE {scratch_table} SET v = 'nested' WHERE id = 1")
    with connections["dsql"].cursor() as cursor:
        cursor.execute(f"SELECT v FROM {scratch_table} WHERE id = 1")
        assert cursor.fetchone() == ("nested",)


def test_serial_and_serializable_are_rejected_raw_ours_refuses_up_front(stock, dsql_standin):
    with stock.cursor() as cursor, pytest.raises(DatabaseError, match='type "serial" does not exist'):
        cursor.execute("CREATE TABLE enf_serial (id serial PRIMARY KEY)")
    with stock.cursor() as cursor, pytest.raises(DatabaseError, match="Unsupported isolation level: SERIALIZABLE"):
        cursor.execute("BEGIN ISOLATION LEVEL SERIALIZABLE")

    from dsql_backend.base import DatabaseWrapper

    with pytest.raises(ImproperlyConfigured, match="only runs REPEATABLE READ"):
        DatabaseWrapper(completed(standin_settings(dsql_standin, OPTIONS={"isolation_level": 4})), "iso")


def test_migrate_stock_fails_on_multiple_ddl_per_transaction_ours_applies(use_standin, dsql_standin):
    token = auth.generate_auth_token(host=FAKE_CLUSTER_HOST, region="us-east-1", user="admin")
    schema = f"mig_{uuid.uuid4().hex[:8]}"
    use_standin(SCHEMA=schema)
    with connections["dsql"].cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{schema}"')
    try:
        # Stock backend as the `dsql` alias (the router sends workspace there): atomic migrations put
        # several DDL statements in one transaction, which DSQL (and the stand-in) rejects.
        use_standin(ENGINE="django.db.backends.postgresql", PASSWORD=token)

        # The stock backend has no SCHEMA setting; point its connection at the fresh schema so
        # django_migrations is missing whichever tests this worker ran before.
        def in_schema(sender: Any, connection: Any, **kwargs: Any) -> None:
            if connection.alias == "dsql":
                with connection.cursor() as cursor:
                    cursor.execute(f'SET search_path = "{schema}"')

        connection_created.connect(in_schema)
        try:
            # (the first statement DSQL refuses is already django_migrations' identity column without CACHE)
            with pytest.raises(DatabaseError, match="identity column is not supported without an explicit cache size"):
                call_command("migrate", "workspace", database="dsql", verbosity=0, stdout=io.StringIO())
        finally:
            connection_created.disconnect(in_schema)

        use_standin(SCHEMA=schema)
        call_command("migrate", "workspace", database="dsql", verbosity=0, stdout=io.StringIO())
        with connections["dsql"].cursor() as cursor:
            cursor.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s ORDER BY 1", [schema]
            )
            tables = [row[0] for row in cursor.fetchall()]
            cursor.execute(f'SELECT app, name FROM "{schema}".django_migrations')
            applied = cursor.fetchall()
        assert tables == [
            "django_migrations",
            "workspace_conversation",
            "workspace_document",
            "workspace_message",
            "workspace_user",
        ]
        assert applied == [("workspace", "0001_initial")]
    finally:
        use_standin()
        connections["dsql"].creation._drop_schema(schema)


def test_refused_before_the_server_sees_it(use_standin):
    use_standin()
    with pytest.raises(NotSupportedError, match="TRUNCATE"), connections["dsql"].schema_editor() as editor:
        editor.execute("TRUNCATE enf_anything")
