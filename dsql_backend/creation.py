"""Test databases on DSQL: a schema, never a database.

A DSQL cluster has exactly one database (`postgres`) and rejects `CREATE DATABASE`, so the test
"database" is a schema in the same database: `TEST["SCHEMA"]` (or `TEST["NAME"]`) if set, else
`test_<SCHEMA or NAME>` for the `default` alias and `test_<SCHEMA or NAME>_<alias>` for any other, so two
aliases on one cluster get two test schemas (the schema is part of `test_db_signature()`; set
`TEST["MIRROR"]` for a mirror). Every connection sets `search_path` to it
(DatabaseWrapper._configure_connection). Destroying it drops its tables one DDL per transaction (DSQL has
no transactional DDL and no TRUNCATE); tables that reference each other lose those foreign keys first.
"""

from __future__ import annotations

import sys
from typing import Any

from django.db import DatabaseError
from django.db.backends.postgresql import creation

from .errors import sqlstate

# Dropping a table still referenced by another table's FK: retry after the referencing table is gone.
_DEPENDENT_OBJECTS = "2BP01"
_FOREIGN_KEYS_INTO = """
SELECT src.relname, con.conname
FROM pg_constraint con
JOIN pg_class src ON src.oid = con.conrelid
JOIN pg_namespace ns ON ns.oid = src.relnamespace
JOIN pg_class dst ON dst.oid = con.confrelid
WHERE con.contype = 'f' AND ns.nspname = %s AND dst.relname = ANY(%s) AND src.oid <> dst.oid
"""


class DatabaseCreation(creation.DatabaseCreation):
    _original_schema: str | None = None
    _schema_saved = False

    def _configured_schema(self) -> str | None:
        """The alias's own schema, before any test schema replaced it."""
        if self._schema_saved:
            return self._original_schema
        return self.connection.settings_dict.get("SCHEMA")

    def test_schema_name(self) -> str:
        test = self.connection.settings_dict.get("TEST") or {}
        if test.get("SCHEMA") or test.get("NAME"):
            return str(test.get("SCHEMA") or test["NAME"])
        base = self._configured_schema() or self.connection.settings_dict["NAME"]
        if self.connection.alias == "default":
            return f"test_{base}"
        return f"test_{base}_{self.connection.alias}"

    def _get_test_db_name(self) -> str:
        # The database stays the same; isolation comes from the schema.
        return str(self.connection.settings_dict["NAME"])

    def test_db_signature(self) -> tuple[Any, ...]:
        settings_dict = self.connection.settings_dict
        return (
            settings_dict["HOST"],
            settings_dict["PORT"],
            settings_dict["ENGINE"],
            self._get_test_db_name(),
            self.test_schema_name(),
        )

    def set_as_test_mirror(self, primary_settings_dict: dict[str, Any]) -> None:
        super().set_as_test_mirror(primary_settings_dict)
        self._set_schema(primary_settings_dict.get("SCHEMA"))

    def _set_schema(self, schema: str | None) -> None:
        """Point this connection (and every thread's copy of its alias: they share the settings dict) at
        `schema`. Only this wrapper's own settings dict is changed, never another alias's."""
        if not self._schema_saved:
            self._original_schema = self.connection.settings_dict.get("SCHEMA")
            self._schema_saved = True
        self.connection.close()
        self.connection.close_pool()
        self.connection.settings_dict["SCHEMA"] = schema

    def _create_test_db(self, verbosity: int, autoclobber: bool, keepdb: bool = False) -> str:
        schema = self.test_schema_name()
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
        # Back to the alias's own schema first: the drop must not run with search_path on the dropped one.
        self._set_schema(self._configured_schema())
        if not keepdb:
            self._destroy_test_db(schema, verbosity)
        self.connection.close()

    def _destroy_test_db(self, test_database_name: str, verbosity: int) -> None:
        """Drop the test schema `test_database_name` (on DSQL the test "database" is a schema)."""
        self._drop_schema(test_database_name)

    def _schema_exists(self, schema: str) -> bool:
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", [schema])
            return cursor.fetchone() is not None

    def _drop_schema(self, schema: str) -> None:
        quote = self.connection.ops.quote_name
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s", [schema])
            tables = [row[0] for row in cursor.fetchall()]
            views = self._views(cursor, schema)
            for view in views:
                cursor.execute(f"DROP VIEW {quote(schema)}.{quote(view)}")
            tables = [table for table in tables if table not in views]
            while tables:
                blocked = []
                for table in tables:
                    try:
                        cursor.execute(f"DROP TABLE {quote(schema)}.{quote(table)}")
                    except DatabaseError as exc:
                        if sqlstate(exc) != _DEPENDENT_OBJECTS:
                            raise
                        blocked.append(table)
                if len(blocked) == len(tables):
                    # Only tables that reference each other are left: drop those foreign keys, then the tables.
                    cursor.execute(_FOREIGN_KEYS_INTO, [schema, blocked])
                    for source, name in cursor.fetchall():
                        cursor.execute(f"ALTER TABLE {quote(schema)}.{quote(source)} DROP CONSTRAINT {quote(name)}")
                    for table in blocked:  # raises the real error if something else still depends on it
                        cursor.execute(f"DROP TABLE {quote(schema)}.{quote(table)}")
                    blocked = []
                tables = blocked
            for sequence in self._sequences(cursor, schema):
                cursor.execute(f"DROP SEQUENCE {quote(schema)}.{quote(sequence)}")
            cursor.execute(f"DROP SCHEMA IF EXISTS {quote(schema)}")

    @staticmethod
    def _views(cursor: Any, schema: str) -> list[str]:
        cursor.execute("SELECT table_name FROM information_schema.views WHERE table_schema = %s", [schema])
        return [row[0] for row in cursor.fetchall()]

    @staticmethod
    def _sequences(cursor: Any, schema: str) -> list[str]:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "LEFT JOIN pg_depend d ON d.objid = c.oid AND d.deptype IN ('a', 'i') "
            "WHERE c.relkind = 'S' AND n.nspname = %s AND d.objid IS NULL",
            [schema],
        )
        return [row[0] for row in cursor.fetchall()]
