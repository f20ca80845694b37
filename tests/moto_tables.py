"""Faster moto DynamoDB for the saved-sentences and chat-history suites.

`tests/conftest.py::dynamodb` starts moto and creates all eight tables for every test (~0.3 s each).
These suites instead start moto once per module and empty the tables between tests, which keeps the
same isolation (each test sees empty tables, fresh boto3 clients) at a fraction of the cost.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings


def _wipe(ddb: Any, table: str, keys: list[str]) -> None:
    names = {f"#k{i}": key for i, key in enumerate(keys)}
    pages = ddb.get_paginator("scan").paginate(
        TableName=table, ProjectionExpression=", ".join(names), ExpressionAttributeNames=names
    )
    for page in pages:
        for item in page["Items"]:
            ddb.delete_item(TableName=table, Key={k: item[k] for k in keys})


# The only tables the saved-sentences and chat-history code writes to.
WIPED = ("saved_sentences", "chat_history")


@pytest.fixture(scope="module")
def moto_tables() -> Iterator[Any]:
    from moto import mock_aws

    from vela.aws import dynamodb_client, reset_clients
    from vela.dynamodb_schema import TABLES

    with mock_aws():
        reset_clients()
        ddb = dynamodb_client()
        for spec in TABLES:
            ddb.create_table(**spec.create_table_kwargs(django_settings.DYNAMODB_TABLES[spec.logical]))
        yield ddb
    reset_clients()


@pytest.fixture
def dynamodb(moto_tables: Any) -> Iterator[Any]:
    """Same contract as the shared fixture: moto with every table, empty; yields a low-level client.

    boto3 clients stay cached across tests (creating them is the slow part); a test that changes
    credentials or endpoints calls `vela.aws.reset_clients()` itself (see `fresh_clients`).
    """
    from vela.dynamodb_schema import SPECS

    yield moto_tables
    for logical in WIPED:
        spec = SPECS[logical]
        keys = [spec.partition_key[0]] + ([spec.sort_key[0]] if spec.sort_key else [])
        _wipe(moto_tables, django_settings.DYNAMODB_TABLES[logical], keys)


@pytest.fixture
def fresh_clients() -> Iterator[None]:
    """New boto3 clients before and after the test (it changes credentials or endpoints)."""
    from vela.aws import reset_clients

    reset_clients()
    yield
    reset_clients()
