"""A real moto server over HTTP (moto.server.ThreadedMotoServer on a free port) for end-to-end tests.

Unlike `mock_aws`, requests leave boto3 as real HTTP to 127.0.0.1, so endpoint configuration
(`DDB_ENDPOINT`), serialisation and DynamoDB's 1 MB paging are exercised as when deployed against
a real endpoint. Each test starts from `POST /moto-api/reset` and freshly created tables.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests


@pytest.fixture(scope="session")
def moto_server_url() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()  # the port the OS bound for port=0
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def moto_dynamodb(moto_server_url: str, settings: Any) -> Iterator[Any]:
    """Every table of the catalogue on the moto server; settings.DDB_ENDPOINT points there."""
    from vela.aws import dynamodb_client, reset_clients
    from vela.dynamodb_schema import TABLES

    requests.post(f"{moto_server_url}/moto-api/reset", timeout=10).raise_for_status()
    settings.DDB_ENDPOINT = moto_server_url
    reset_clients()
    ddb = dynamodb_client()
    assert ddb.meta.endpoint_url == moto_server_url
    for spec in TABLES:
        ddb.create_table(**spec.create_table_kwargs(settings.DYNAMODB_TABLES[spec.logical]))
    yield ddb
    reset_clients()
