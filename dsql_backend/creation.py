"""Test databases on DSQL: a schema, never a database.

A DSQL cluster has exactly one database (`postgres`) and rejects `CREATE DATABASE`, so the test
"database" is a schema (`test_<SCHEMA or NAME>`, or `TEST["SCHEMA"]`/`TEST["NAME"]`) in the same database;
every connection sets `search_path` to it (DatabaseWrapper._configure_connection). Destroying it drops
its tables one DDL per transaction (DSQL has no transactional DDL and no TRUNCATE), then the schema.
"""

from __future__ import annotations

import sys
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.backends.postgresql import creation

from .errors import sqlstate

# Dropping a table still referenced by another table's FK: retry after the referencing table is gone.
_DEPENDENT_OBJECTS = "2BP01"


class DatabaseCreation(creation.DatabaseCreation):
    def test_schema_name(self) -> str:
        test = self.connection.settings_dict.get("TEST") or {}
        if test.get("SCHEMA") or test.get("NAME"):
            return test.get("SCHEMA") or test["NAME"]
        base = self.connection.settings_dict.get("SCHEMA") or self.connection.settings_dict["NAME"]
        return f"test_{base}"

    def _get_test_db_name(self) -> str:
        # The database stays the same; isolation comes from the schema.
        return self.connection.settings_dict["NAME"]

    def _set_schema(self, schema: str | None) -> None:
        self.connection.close()
        self.connection.close_pool()
        dicts = [self.connection.settings_dict, connections.settings.get(self.connection.alias)]
        dicts.append(settings.DATABASES.get(self.connection.alias))
        for settings_dict in dicts:
            if settings_dict is not None:
                settings_dict["SCHEMA"] = schema

    def _create_test_db(self, verbosity: int, autoclobber: bool, keepdb: bool = False) -> str:
        schema = self.test_schema_name()
        self._original_schema = self.connection.settings_dict.get("SCHEMA")
        if self._schema_exists(schema):
            if keepdb:
                self._set_schema(schema)
                return self._get_test_db_name()
            if not autoclobber:
                confirm = input(f"Type 'yes' to delete the existing test schema {schema!r}, or 'no' to cancel: ")
                if confirm != "yes":
                    self.log("Tests cancelled.")
                    sys.exit(1)
            if verbosity >= 1:
                self.log(f"Destroying old test schema {schema!r}...")
            self._drop_schema(schema)
        with self.connection.cursor() as cursor:
            cursor.execute(f"CREATE SCHEMA {self.connection.ops.quote_name(schema)}")
        self._set_schema(schema)
        return self._get_test_db_name()

    def destroy_test_db(
        self, old_database_name: str | None = None, verbosity: int = 1, keepdb: bool = False, suffix: Any = None
    ) -> None:
        schema = self.connection.settings_dict.get("SCHEMA") or self.test_schema_name()
        self.connection.close()
        if verbosity >= 1:
            action = "Preserving" if keepdb else "Destroying"
            self.log(f"{action} test schema {schema!r} for alias {self.connection.alias!r}...")
        original = getattr(self, "_original_schema", None)
        self._set_schema(original)
        if not keepdb:
            self._drop_schema(schema)
        self.connection.close()

    def _schema_exists(self, schema: str) -> bool:
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", [schema])
            return cursor.fetchone() is not None

    def _drop_schema(self, schema: str) -> None:
        quote = self.connection.ops.quote_name
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = %s AND table_type = 'BASE TABLE'",
                [schema],
            )
            tables = [row[0] for row in cursor.fetchall()]
            for _ in range(len(tables) + 1):  # FK order unknown: drop what can be dropped, repeat
                blocked = []
                for table in tables:
                    try:
                        cursor.execute(f"DROP TABLE {quote(schema)}.{quote(table)}")
                    except DatabaseError as exc:
                        if sqlstate(exc) != _DEPENDENT_OBJECTS:
                            raise
                        blocked.append(table)
                if not blocked or len(blocked) == len(tables):
                    tables = blocked
                    break
                tables = blocked
            for table in tables:  # report the real error
                cursor.execute(f"DROP TABLE {quote(schema)}.{quote(table)}")
            cursor.execute(f"DROP SCHEMA IF EXISTS {quote(schema)}")
