"""The local AWS every in-process bench starts from: fixed fake credentials, one moto server over HTTP
for DynamoDB (and S3), a Cognito pool on it whose settings the app reads from the environment."""

from __future__ import annotations

import os
from typing import Any

from local_aws import LocalCognito, point_aws_at, setup_cognito, start_moto

BENCH_ENV = {
    "AWS_ACCESS_KEY_ID": "AKIDVELABENCH000001",
    "AWS_SECRET_ACCESS_KEY": "vela-bench-secret",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "VELA_READ_DOT_ENV": "false",
}


def start_local_aws(**env: str) -> tuple[Any, LocalCognito, str]:
    """Set BENCH_ENV and `env` (a bench's own settings), start moto, point AWS at it and make the pool;
    returns (moto server, pool, endpoint URL). The caller stops the server."""
    os.environ.update({**BENCH_ENV, **env})
    server, endpoint = start_moto()
    point_aws_at(endpoint)
    cognito = setup_cognito(endpoint)
    os.environ.update(cognito.env())
    return server, cognito, endpoint
