"""The function's database role: generated SQL, and the same steps run against a real local PostgreSQL.

`AWS IAM GRANT` is DSQL-only syntax: local PostgreSQL cannot run it, so there it is skipped and
reported (the DSQL branch is covered by a fake catalog below)."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from django.core.management.base import CommandError

from deploy import dbrole
from tests.conftest import PG_HOST, PG_PORT, PG_SUPERUSER, TEST_DB_SUFFIX, dsql_settings

ARN = "arn:aws:iam::123456789012:role/vela-api-dev-function"
ROLE = "vela_app_test" + TEST_DB_SUFFIX


class FakeDsql:
    """Answers the catalog questions as DSQL would; records what would be executed."""

    def __init__(self, *, role_exists: bool, mapped: bool | None, grant_error: str = "") -> None:
        self.role_exists, self.mapped, self.grant_error, self.executed = role_exists, mapped, grant_error, []

    def fetch_one(self, sql: str, params: tuple[Any, ...] = ()) -> tuple[Any, ...] | None:
        if "pg_roles" in sql:
            return (1,) if self.role_exists else None
        if "pg_namespace" in sql:
            return (1,)
        if "iam_pg_role_mappings" in sql:
            if self.mapped is None:
                raise RuntimeError('column "pg_role_name" does not exist')
            return (1,) if self.mapped else None
        raise AssertionError(sql)

    def execute(self, sql: str) -> None:
        if sql.startswith("AWS IAM GRANT") and self.grant_error:
            raise RuntimeError(self.grant_error)
        self.executed.append(sql)


def test_dsql_plan_creates_grants_and_links_the_iam_role() -> None:
    fake = FakeDsql(role_exists=False, mapped=False)

    dbrole.apply(fake, "vela_app", ARN, lambda _: None)

    assert fake.executed == [
        "CREATE ROLE vela_app WITH LOGIN",
        "GRANT USAGE ON SCHEMA public TO vela_app",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO vela_app",
        f"AWS IAM GRANT vela_app TO '{ARN}'",
    ]


def test_dsql_plan_rerun_skips_what_exists() -> None:
    fake = FakeDsql(role_exists=True, mapped=True)

    dbrole.apply(fake, "vela_app", ARN, lambda _: None)

    assert not [s for s in fake.executed if s.startswith(("CREATE ROLE", "AWS IAM GRANT"))]


def test_unreadable_mapping_catalog_still_grants_and_tolerates_an_existing_link() -> None:
    said: list[str] = []
    fake = FakeDsql(role_exists=True, mapped=None, grant_error="IAM role is already granted to vela_app")

    dbrole.apply(fake, "vela_app", ARN, said.append)

    assert f"sql: AWS IAM GRANT vela_app TO '{ARN}'" in said
    assert "  (the IAM role was already linked)" in said


def test_other_grant_failures_are_raised() -> None:
    fake = FakeDsql(role_exists=True, mapped=False, grant_error="permission denied")

    with pytest.raises(RuntimeError, match="permission denied"):
        dbrole.apply(fake, "vela_app", ARN, lambda _: None)


@pytest.mark.parametrize(
    ("role", "arn"),
    [("admin", ARN), ("Vela-App", ARN), ("vela_app", "arn:aws:iam::123:role/x"), ("vela_app", "x'; DROP ROLE a; --")],
)
def test_unsafe_role_or_arn_is_refused(role: str, arn: str) -> None:
    with pytest.raises(CommandError):
        dbrole.plan(FakeDsql(role_exists=False, mapped=False), role, arn)


def drop_role(database: str) -> None:
    with psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_SUPERUSER, dbname=database, autocommit=True) as c:
        if c.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (ROLE,)).fetchone():
            c.execute(f"DROP OWNED BY {ROLE}")
            c.execute(f"DROP ROLE {ROLE}")


@pytest.fixture
def local_db(pg_database: str, django_db_blocker: Any) -> Any:
    """The `dsql` backend (token signed for a DSQL hostname) dialling the local PostgreSQL as admin."""
    drop_role(pg_database)
    with psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_SUPERUSER, dbname=pg_database, autocommit=True) as c:
        c.execute("CREATE TABLE IF NOT EXISTS deploy_probe (id int)")
    database = dbrole.DjangoDatabase(dsql_settings(pg_database))
    with django_db_blocker.unblock():
        yield database
        database.close()
    drop_role(pg_database)


def test_role_is_created_through_dsql_backend_on_local_postgres(local_db: Any, pg_database: str) -> None:
    said: list[str] = []

    first = dbrole.apply(local_db, ROLE, ARN, said.append)
    second = dbrole.apply(local_db, ROLE, ARN, said.append)

    assert first.statements[0] == f"CREATE ROLE {ROLE} WITH LOGIN"
    assert not second.statements[0].startswith("CREATE ROLE")
    assert any("AWS IAM GRANT" in s and "DSQL-only" in s for s in said)
    with psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_SUPERUSER, dbname=pg_database) as c:
        row = c.execute("SELECT rolcanlogin, rolsuper FROM pg_roles WHERE rolname = %s", (ROLE,)).fetchone()
        can_login, is_super = row
        can_write = c.execute("SELECT has_table_privilege(%s, 'deploy_probe', 'INSERT')", (ROLE,)).fetchone()[0]
        can_create = c.execute("SELECT has_schema_privilege(%s, 'public', 'CREATE')", (ROLE,)).fetchone()[0]
    assert (can_login, is_super, can_write) == (True, False, True)
    assert can_create is False or pg_major() < 15  # PG >= 15 gives PUBLIC no CREATE on public


def pg_major() -> int:
    with psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_SUPERUSER, dbname="postgres") as c:
        return int(c.execute("SHOW server_version_num").fetchone()[0]) // 10000
