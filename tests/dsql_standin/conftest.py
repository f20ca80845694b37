"""Fixtures: a stand-in on an ephemeral port in front of the local PostgreSQL, boto3 token signing, clients.

Pure pytest (no Django). PostgreSQL must listen on 127.0.0.1:5432 with trust auth (see CONTRACT.md §5);
override with DSQL_STANDIN_UPSTREAM_HOST / DSQL_STANDIN_UPSTREAM_PORT / DSQL_STANDIN_UPSTREAM_USER.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import psycopg
import pytest

from dsql_standin import StandIn, StandInConfig, TlsFiles, generate_tls_files

HOSTNAME = "testcluster0000000000000000.dsql.us-east-1.on.aws"
REGION = "us-east-1"
ACCESS_KEY_ID = "AKIASTANDINTEST00001"
SECRET_KEY = "standin-test-secret-key/0123456789abcdefgh"
UPSTREAM_HOST = os.environ.get("DSQL_STANDIN_UPSTREAM_HOST", "127.0.0.1")
UPSTREAM_PORT = int(os.environ.get("DSQL_STANDIN_UPSTREAM_PORT", "5432"))
UPSTREAM_USER = os.environ.get("DSQL_STANDIN_UPSTREAM_USER", "postgres")
UPSTREAM_DB = "vela_dsql_standin_test" + os.environ.get("VELA_TEST_DB_SUFFIX", "")

TEST_APP = "dsql-standin-tests"

Connect = Callable[..., psycopg.Connection[Any]]


@pytest.fixture(scope="session")
def dsql_client() -> Any:
    """A boto3 DSQL client with the fake static keys the stand-in trusts (signing is offline)."""
    return boto3.client("dsql", region_name=REGION, aws_access_key_id=ACCESS_KEY_ID, aws_secret_access_key=SECRET_KEY)


def make_token(client: Any, user: str, *, hostname: str = HOSTNAME, region: str = REGION, expires: int = 900) -> str:
    if user == "admin":
        return client.generate_db_connect_admin_auth_token(Hostname=hostname, Region=region, ExpiresIn=expires)
    return client.generate_db_connect_auth_token(Hostname=hostname, Region=region, ExpiresIn=expires)


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return generate_tls_files(tmp_path_factory.mktemp("tls"), hostnames=["*.dsql.us-east-1.on.aws", "localhost"])


def base_config(**overrides: Any) -> StandInConfig:
    values: dict[str, Any] = {
        "credentials": {ACCESS_KEY_ID: SECRET_KEY},
        "cluster_hostname": HOSTNAME,
        "region": REGION,
        "upstream_host": UPSTREAM_HOST,
        "upstream_port": UPSTREAM_PORT,
        "upstream_user": UPSTREAM_USER,
        "upstream_database": UPSTREAM_DB,
        "allowed_roles": frozenset({"vela_app", "reader"}),
    }
    values.update(overrides)
    return StandInConfig(**values)


@pytest.fixture(scope="session")
def standin(tls_files: TlsFiles) -> Iterator[StandIn]:
    with StandIn(base_config(tls_cert_file=tls_files.server_cert, tls_key_file=tls_files.server_key)) as s:
        yield s


@pytest.fixture
def connect(standin: StandIn, dsql_client: Any) -> Iterator[Connect]:
    """``connect(user="admin", autocommit=True, **libpq_overrides)`` through the stand-in; closed afterwards."""
    opened: list[psycopg.Connection[Any]] = []

    def _connect(
        user: str = "admin",
        *,
        autocommit: bool = True,
        port: int | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> psycopg.Connection[Any]:
        params: dict[str, Any] = {
            "host": HOSTNAME,
            "hostaddr": "127.0.0.1",
            "port": port or standin.port,
            "dbname": "postgres",
            "user": user,
            "sslmode": "disable",
            "connect_timeout": 5,
            "application_name": TEST_APP,
        }
        params.update(kwargs)
        conn = psycopg.connect(password=password or make_token(dsql_client, user), autocommit=autocommit, **params)
        opened.append(conn)
        return conn

    yield _connect
    for conn in opened:
        conn.close()


@pytest.fixture
def raw() -> Iterator[psycopg.Connection[Any]]:
    """A direct (no stand-in) autocommit connection to the same upstream database."""
    with psycopg.connect(
        host=UPSTREAM_HOST, port=UPSTREAM_PORT, user=UPSTREAM_USER, dbname=UPSTREAM_DB, autocommit=True
    ) as conn:
        yield conn


@pytest.fixture
def table(raw: psycopg.Connection[Any]) -> Iterator[str]:
    """A fresh table ``(id bigint primary key, v text)`` in the upstream database, dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    raw.execute(f"CREATE TABLE {name} (id bigint PRIMARY KEY, v text)")
    yield name
    drop_safely(raw, f"DROP TABLE IF EXISTS {name} CASCADE")


def drop_safely(raw: psycopg.Connection[Any], statement: str) -> None:
    """Run a DROP even if a failed test left a stand-in connection holding locks (terminate those first)."""
    raw.execute("SET lock_timeout = '2s'")
    try:
        raw.execute(statement)  # type: ignore[arg-type]
    except psycopg.errors.LockNotAvailable:
        raw.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s "
            "AND state LIKE 'idle in transaction%%' AND pid <> pg_backend_pid()",
            (TEST_APP,),
        )
        raw.execute(statement)  # type: ignore[arg-type]


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path
