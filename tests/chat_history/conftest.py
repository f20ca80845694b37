"""Builders for the chat-history tests."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

TABLE = "vela-chat-history"


@pytest.fixture
def client() -> APIClient:
    return APIClient()


def make_message(**overrides: Any) -> dict[str, Any]:
    """Body of POST /api/chat-history/save (the original test's valid item)."""
    return {
        "ThreadId": "thread-123",
        "Timestamp": 1693440000000,
        "UserId": "user-456",
        "message": "Hello world",
        "is_user": True,
    } | overrides


def seed(ddb: Any, *items: dict[str, Any]) -> None:
    """Write chat items directly (low-level client), as the web app's earlier saves left them."""
    for item in items:
        ddb.put_item(
            TableName=TABLE,
            Item={
                "ThreadId": {"S": item["ThreadId"]},
                "Timestamp": {"N": str(item["Timestamp"])},
                "UserId": {"S": item["UserId"]},
                "message": {"S": item.get("message", "")},
                "is_user": {"BOOL": item.get("is_user", True)},
                "context": {"M": {}},
            },
        )


def stored(ddb: Any) -> list[dict[str, Any]]:
    """Every stored message (the threads' owner markers, `Timestamp` 0, left out: see `markers`)."""
    return [item for item in ddb.scan(TableName=TABLE)["Items"] if item["Timestamp"] != {"N": "0"}]


def markers(ddb: Any) -> dict[str, str]:
    """Thread id -> the `OwnerId` of its owner marker."""
    items = ddb.scan(TableName=TABLE)["Items"]
    return {i["ThreadId"]["S"]: i["OwnerId"]["S"] for i in items if i["Timestamp"] == {"N": "0"}}
