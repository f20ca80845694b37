"""Shared fixtures: a real local PostgreSQL standing in for DSQL, and a way to point `dsql` at it."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import moto  # noqa: F401 - imported before any boto3 client exists, so cached clients work under mock_aws
import psycopg
import pytest
from django.db import connections

from dsql_backend.auth import reset_signers

PG_HOST = os.environ.get("VELA_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("VELA_TEST_PG_PORT", "5432"))
PG_SUPERUSER = os.environ.get("VELA_TEST_PG_USER", "postgres")
# VELA_TEST_DB_SUFFIX keeps two checkouts that test at once on one PostgreSQL apart (databases, roles).
TEST_DB_SUFFIX = os.environ.get("VELA_TEST_DB_SUFFIX", "")
DSQL_TEST_DATABASE = "vela_dsql_test" + TEST_DB_SUFFIX
FAKE_CLUSTER_HOST = "vela0test0cluster0id0abcd.dsql.us-east-1.on.aws"


@pytest.fixture(scope="session")
def pg_database() -> str:
    """A scratch database on the local PostgreSQL (trust auth), created once per run."""
    with psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_SUPERUSER, dbname="postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DSQL_TEST_DATABASE,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DSQL_TEST_DATABASE}"')
        # DSQL's built-in superuser role; trust auth lets the signed token through unchecked.
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = 'admin'").fetchone():
            conn.execute("CREATE ROLE admin LOGIN SUPERUSER")
    return DSQL_TEST_DATABASE


def dsql_settings(database: str, **overrides: Any) -> dict[str, Any]:
    """`dsql` settings whose token is signed for a DSQL hostname while libpq dials the local server."""
    options = {"hostaddr": PG_HOST, "sslmode": "disable", "connect_timeout": 5}
    options.update(overrides.pop("OPTIONS", {}))
    return {
        "ENGINE": "dsql_backend",
        "HOST": FAKE_CLUSTER_HOST,
        "PORT": PG_PORT,
        "NAME": database,
        "USER": "admin",
        "REGION": "us-east-1",
        "CONN_MAX_AGE": 0,
        "OPTIONS": options,
        **overrides,
    }


def completed(settings_dict: dict[str, Any]) -> dict[str, Any]:
    """A DATABASES entry with Django's defaults filled in, as `connections.settings` holds them."""
    return connections.configure_settings({"default": {"ENGINE": "django.db.backends.dummy"}, "x": settings_dict})["x"]


def make_wrapper(database: str, **overrides: Any) -> Any:
    """A standalone `dsql` DatabaseWrapper (not registered under any alias)."""
    from dsql_backend.base import DatabaseWrapper

    return DatabaseWrapper(completed(dsql_settings(database, **overrides)), "x")


def drop_connection(alias: str) -> None:
    """Close and forget this thread's connection for `alias`, if one was made."""
    if hasattr(connections._connections, alias):
        connections[alias].close()
        del connections[alias]


def point_dsql_alias(django_db_blocker: Any, make_settings: Callable[..., dict[str, Any]]) -> Iterator[Any]:
    """Yield `configure(**overrides)`, which points the `dsql` alias at `make_settings(**overrides)`;
    restore the alias, its connection and the signer cache afterwards."""
    original = connections.settings.get("dsql")

    def configure(**overrides: Any) -> dict[str, Any]:
        drop_connection("dsql")
        settings_dict = completed(make_settings(**overrides))
        connections.settings["dsql"] = settings_dict
        return settings_dict

    with django_db_blocker.unblock():
        yield configure
        drop_connection("dsql")
    if original is None:
        connections.settings.pop("dsql", None)
    else:
        connections.settings["dsql"] = original
    reset_signers()


@pytest.fixture
def use_dsql(django_db_blocker: Any, pg_database: str) -> Iterator[Callable[..., dict[str, Any]]]:
    """Point the `dsql` alias at the local PostgreSQL (or whatever `overrides` say) for one test."""
    yield from point_dsql_alias(django_db_blocker, lambda **overrides: dsql_settings(pg_database, **overrides))


@pytest.fixture
def no_dsql() -> Iterator[None]:
    """The `dsql` alias is absent, as when AURORA_DB_ENDPOINT is unset."""
    original = connections.settings.pop("dsql", None)
    yield
    if original is not None:
        connections.settings["dsql"] = original


# --- Cognito tokens (tests/cognito.py) ---------------------------------------------------------
@pytest.fixture(scope="session")
def _cognito_server() -> Iterator[Any]:
    from tests.cognito import FakeCognito, new_key, serve_jwks

    yield from serve_jwks(FakeCognito(keys={"vela-test-key-1": new_key()}))


@pytest.fixture
def cognito(_cognito_server: Any, settings: Any) -> Iterator[Any]:
    """Settings point at a local JWKS; `cognito.token(sub, token_use=..., ...)` mints tokens."""
    from tests.cognito import CLIENT_ID, POOL_ID
    from vela.identity import reset_jwks_cache

    settings.COGNITO_USER_POOL_ID = POOL_ID
    settings.COGNITO_CLIENT_ID = CLIENT_ID
    settings.COGNITO_ISSUER = _cognito_server.issuer
    settings.COGNITO_JWKS_URL = _cognito_server.jwks_url
    reset_jwks_cache()
    yield _cognito_server
    reset_jwks_cache()


@pytest.fixture
def auth_header(cognito: Any) -> Callable[..., dict[str, str]]:
    """`client.get(url, headers=auth_header("user-1"))`: an ID token for that sub."""

    def make(sub: str = "user-1", **claims: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {cognito.token(sub, **claims)}"}

    return make


@pytest.fixture(autouse=True)
def _fresh_dsql_signers() -> None:
    """Every test signs DSQL tokens with a signer made from its own environment: a signer cached while
    an in-process moto mock ran would keep moto's fake credentials (FOOBARKEY) for every later test."""
    reset_signers()


# --- DynamoDB (moto, in-process) ---------------------------------------------------------------
@pytest.fixture
def dynamodb(settings: Any) -> Iterator[Any]:
    """Moto-backed DynamoDB with every table of vela.dynamodb_schema, named as settings say; empty for
    each test (moto resets its backends when the mock stops).

    boto3 clients made under the mock are dropped afterwards (they hold moto's fake credentials); a
    test that changes credentials asks for `fresh_clients` as well.
    """
    from moto import mock_aws

    from vela.aws import dynamodb_client, reset_clients
    from vela.dynamodb_schema import TABLES

    with mock_aws():
        ddb = dynamodb_client()
        for spec in TABLES:
            ddb.create_table(**spec.create_table_kwargs(settings.DYNAMODB_TABLES[spec.logical]))
        yield ddb
    # Clients made under the mock hold moto's fake credentials (FOOBARKEY): never let them outlive it,
    # or a later DSQL token (or presigned URL) is signed with them.
    reset_clients()
    reset_signers()


@pytest.fixture
def fresh_clients() -> Iterator[None]:
    """New boto3 clients before and after the test (it changes credentials or endpoints)."""
    from vela.aws import reset_clients

    reset_clients()
    yield
    reset_clients()


# --- DSQL stand-in (dsql_standin/, tests/dsql_support.py) ----------------------------------------
@pytest.fixture(scope="session")
def dsql_standin() -> Iterator[Any]:
    """One stand-in per run: validates the IAM tokens our backend signs and enforces DSQL's rules."""
    from dsql_standin import StandIn
    from tests.dsql_support import standin_config

    with StandIn(standin_config()) as standin:
        yield standin


@pytest.fixture
def use_standin(django_db_blocker: Any, dsql_standin: Any) -> Iterator[Callable[..., dict[str, Any]]]:
    """Like `use_dsql`, but the `dsql` alias goes through the DSQL stand-in."""
    from tests.dsql_support import standin_settings

    yield from point_dsql_alias(django_db_blocker, lambda **overrides: standin_settings(dsql_standin, **overrides))


# --- Third-party HTTP stand-ins (tests/upstream.py) --------------------------------------------
@pytest.fixture(scope="session")
def _upstream_server() -> Iterator[Any]:
    from tests.upstream import FakeUpstream, serve

    yield from serve(FakeUpstream())


@pytest.fixture
def upstream(_upstream_server: Any, settings: Any) -> Iterator[Any]:
    """A local fake for every third party (ElevenLabs, Google, OpenRouter, OpenAI, Gemini TTS, Jisho,
    Chutes); every *_API_BASE_URL setting points at it (tests/test_settings.py checks that none is missed)."""
    _upstream_server.reset()
    settings.ELEVENLABS_API_BASE_URL = _upstream_server.url
    settings.GOOGLE_API_BASE_URL = _upstream_server.url
    settings.OPENROUTER_API_BASE_URL = _upstream_server.url
    settings.OPENAI_API_BASE_URL = _upstream_server.url
    settings.GEMINI_API_BASE_URL = _upstream_server.url
    settings.JISHO_API_BASE_URL = _upstream_server.url
    settings.CHUTES_API_BASE_URL = _upstream_server.url
    yield _upstream_server
    _upstream_server.reset()


# --- AWS over real HTTP: a moto server (ThreadedMotoServer) in this process -------------------
@pytest.fixture(scope="session")
def moto_server_url() -> Iterator[str]:
    from scripts.local_aws import start_moto

    server, url = start_moto()
    yield url
    server.stop()


@pytest.fixture
def moto_server(moto_server_url: str, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A moto server over HTTP, wiped for this test; every `vela.aws` client (and botocore via
    AWS_ENDPOINT_URL) goes there. Yields the endpoint URL. No tables: see `dynamodb_http`."""
    import requests

    from vela.aws import reset_clients

    requests.post(f"{moto_server_url}/moto-api/reset", timeout=10).raise_for_status()
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server_url)
    settings.AWS_ENDPOINT_URL = moto_server_url
    settings.DDB_ENDPOINT = moto_server_url
    reset_clients()
    yield moto_server_url
    reset_clients()


@pytest.fixture
def dynamodb_http(moto_server: str, settings: Any) -> Any:
    """Every table of vela.dynamodb_schema on the moto server; yields a low-level client."""
    from vela.aws import dynamodb_client
    from vela.dynamodb_admin import tables_create
    from vela.dynamodb_schema import table_names

    ddb = dynamodb_client()
    tables_create(ddb, table_names(settings.DYNAMODB_TABLES))
    return ddb
