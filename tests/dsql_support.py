"""The DSQL stand-in (dsql_standin/) for Django tests: a token-validating, rule-enforcing proxy in front
of the local PostgreSQL, reached under a DSQL hostname through `hostaddr`."""

from __future__ import annotations

import os
from typing import Any

from dsql_standin import StandIn, StandInConfig
from tests.conftest import FAKE_CLUSTER_HOST, PG_HOST, PG_PORT, PG_SUPERUSER, TEST_DB_SUFFIX

STANDIN_UPSTREAM_DB = "vela_dsql_standin_django" + TEST_DB_SUFFIX
# Roles that "exist" on the stand-in besides admin (DSQL needs `CREATE ROLE` + `AWS IAM GRANT`).
STANDIN_ROLES = frozenset({"vela_app"})


def standin_config(**overrides: Any) -> StandInConfig:
    """Accepts tokens signed with the fake credentials tests/environment.py exports."""
    values: dict[str, Any] = {
        # Also moto's own fake keys: boto3 clients made while an in-process moto mock runs (tests'
        # `dynamodb`/`pool` fixtures) sign with them, and such clients can outlive the mock in a worker.
        "credentials": {
            os.environ["AWS_ACCESS_KEY_ID"]: os.environ["AWS_SECRET_ACCESS_KEY"],
            "FOOBARKEY": "FOOBARSECRET",
        },
        "cluster_hostname": FAKE_CLUSTER_HOST,
        "region": "us-east-1",
        "upstream_host": PG_HOST,
        "upstream_port": PG_PORT,
        "upstream_user": PG_SUPERUSER,
        "upstream_database": STANDIN_UPSTREAM_DB,
        "allowed_roles": STANDIN_ROLES,
    }
    values.update(overrides)
    return StandInConfig(**values)


def standin_settings(standin: StandIn, **overrides: Any) -> dict[str, Any]:
    """`dsql_backend` settings for the cluster the stand-in pretends to be."""
    options = {"hostaddr": standin.host, "sslmode": "disable", "connect_timeout": 5}
    options.update(overrides.pop("OPTIONS", {}))
    return {
        "ENGINE": "dsql_backend",
        "HOST": FAKE_CLUSTER_HOST,
        "PORT": standin.port,
        "NAME": "postgres",
        "USER": "admin",
        "REGION": "us-east-1",
        "CONN_MAX_AGE": 0,
        "OPTIONS": options,
        **overrides,
    }
