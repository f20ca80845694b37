"""The function's database role: `CREATE ROLE vela_app WITH LOGIN`, grants, and DSQL's `AWS IAM GRANT`
that lets the function's IAM role sign `DbConnect` tokens for it. Run once as `admin`.

The SQL is built here and run through any `Database` (the `dsql` backend in production, a local
PostgreSQL in tests). `AWS IAM GRANT` is DSQL-only syntax: on a server without DSQL's `sys` catalog
it is skipped and reported, never faked.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.core.management.base import CommandError

_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$")
RESERVED_ROLES = {"admin", "postgres"}


class Database(Protocol):
    def fetch_one(self, sql: str, params: tuple[Any, ...] = ()) -> tuple[Any, ...] | None: ...

    def execute(self, sql: str) -> None: ...


@dataclass
class RolePlan:
    role: str
    principal_arn: str
    statements: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def validate(role: str, principal_arn: str) -> None:
    if not _ROLE.match(role) or role in RESERVED_ROLES:
        raise CommandError(f"database role {role!r}: use a lowercase identifier other than admin/postgres")
    if not _ROLE_ARN.match(principal_arn):
        raise CommandError(f"{principal_arn!r} is not an IAM role ARN")


def grant_statements(role: str) -> list[str]:
    """Data access only: no CREATE on the schema, no superuser, no DbConnectAdmin."""
    return [
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
    ]


def iam_grant_statement(role: str, principal_arn: str) -> str:
    return f"AWS IAM GRANT {role} TO '{principal_arn}'"


def plan(db: Database, role: str, principal_arn: str) -> RolePlan:
    """The statements still needed, given what the server already has (so reruns are no-ops)."""
    validate(role, principal_arn)
    result = RolePlan(role, principal_arn)
    if db.fetch_one("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)) is None:
        result.statements.append(f"CREATE ROLE {role} WITH LOGIN")
    result.statements.extend(grant_statements(role))
    is_dsql = db.fetch_one("SELECT 1 FROM pg_namespace WHERE nspname = 'sys'") is not None
    if not is_dsql:
        result.skipped.append(
            f"{iam_grant_statement(role, principal_arn)} (DSQL-only syntax; this server has no DSQL `sys` catalog)"
        )
        return result
    try:
        mapped = db.fetch_one(
            "SELECT 1 FROM sys.iam_pg_role_mappings WHERE pg_role_name = %s AND arn = %s", (role, principal_arn)
        )
    except Exception:  # the catalog's shape is DSQL's to change: then just grant (apply tolerates "already")
        mapped = None
    if mapped is None:
        result.statements.append(iam_grant_statement(role, principal_arn))
    return result


def apply(db: Database, role: str, principal_arn: str, say: Callable[[str], None]) -> RolePlan:
    result = plan(db, role, principal_arn)
    for statement in result.statements:
        say(f"sql: {statement}")
        try:
            db.execute(statement)  # one statement per transaction: DSQL rejects mixed DDL transactions
        except Exception as exc:
            if statement.startswith("AWS IAM GRANT") and "already" in str(exc).lower():
                say("  (the IAM role was already linked)")
                continue
            raise
    for note in result.skipped:
        say(f"skipped: {note}")
    return result


class DjangoDatabase:
    """A `Database` over a standalone Django connection (autocommit, closed by `close()`)."""

    def __init__(self, settings_dict: dict[str, Any]) -> None:
        from django.db import connections

        from dsql_backend.base import DatabaseWrapper

        filled = connections.configure_settings({"default": {"ENGINE": "django.db.backends.dummy"}, "x": settings_dict})
        self.wrapper = DatabaseWrapper(filled["x"], "provision")

    def fetch_one(self, sql: str, params: tuple[Any, ...] = ()) -> tuple[Any, ...] | None:
        with self.wrapper.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()

    def execute(self, sql: str) -> None:
        with self.wrapper.cursor() as cursor:
            cursor.execute(sql)

    def close(self) -> None:
        self.wrapper.close()


def admin_settings(endpoint: str, region: str, *, database: str, sslmode: str, hostaddr: str = "") -> dict[str, Any]:
    """`dsql` settings for the cluster's `admin` role (DbConnectAdmin token, signed by the deployer)."""
    options: dict[str, Any] = {"sslmode": sslmode, "connect_timeout": 10}
    if hostaddr:
        options["hostaddr"] = hostaddr
    return {
        "ENGINE": "dsql_backend",
        "HOST": endpoint,
        "NAME": database,
        "PORT": 5432,
        "USER": "admin",
        "REGION": region,
        "CONN_MAX_AGE": 0,
        "OPTIONS": options,
    }
