"""Direct table access for arranging and checking state in tests (bypasses the code under test)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from vela.dynamodb.codec import from_item, to_item


def put(ddb: Any, logical: str, item: dict[str, Any]) -> None:
    ddb.put_item(TableName=settings.DYNAMODB_TABLES[logical], Item=to_item(item))


def get(ddb: Any, logical: str, **key: str) -> dict[str, Any] | None:
    found = ddb.get_item(
        TableName=settings.DYNAMODB_TABLES[logical], Key={k: {"S": v} for k, v in key.items()}, ConsistentRead=True
    ).get("Item")
    return from_item(found) if found else None


def scan(ddb: Any, logical: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"TableName": settings.DYNAMODB_TABLES[logical]}
    while True:
        page = ddb.scan(**kwargs)
        items.extend(from_item(i) for i in page["Items"])
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def drop(ddb: Any, logical: str) -> str:
    name = settings.DYNAMODB_TABLES[logical]
    ddb.delete_table(TableName=name)
    return name
