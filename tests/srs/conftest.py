"""SRS test helpers: arrange rows directly in the tables, and count the app's DynamoDB calls."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.conf import settings

from vela.dynamodb import to_item

USER_A, USER_B = "user-a", "user-b"


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def days_from_now(days: float) -> str:
    return iso(datetime.now(UTC) + timedelta(days=days))


def put_many(ddb: Any, logical: str, items: list[dict[str, Any]]) -> None:
    table = settings.DYNAMODB_TABLES[logical]
    for start in range(0, len(items), 25):
        requests = [{"PutRequest": {"Item": to_item(i)}} for i in items[start : start + 25]]
        pending = {table: requests}
        while pending:
            pending = ddb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


def word(vocabulary_id: str, **extra: Any) -> dict[str, Any]:
    return {"id": vocabulary_id, "japanese_word": f"w-{vocabulary_id}", "english_translation": "x", **extra}


def progress_row(user_id: str, vocabulary_id: str, *, due_in_days: float = -1, **extra: Any) -> dict[str, Any]:
    return {
        "user_id": user_id,
        "vocabulary_id": vocabulary_id,
        "next_review_date": days_from_now(due_in_days),
        "ease_factor": 2.5,
        "interval": 0,
        "repetitions": 0,
        "first_learned_at": "2026-01-01T00:00:00.000Z",
        "total_reviews": 0,
        "correct_count": 0,
        **extra,
    }


def post_json(client: Any, path: str, body: Any, headers: dict[str, str]) -> Any:
    raw = body if isinstance(body, str) else json.dumps(body)
    return client.post(path, raw, content_type="application/json", headers=headers)


@pytest.fixture
def dynamodb_calls(dynamodb_http: Any) -> Iterator[list[str]]:
    """Names of the DynamoDB operations the app's clients send (botocore `before-call` events)."""
    from vela.aws import dynamodb_client

    calls: list[str] = []

    def record(model: Any, **_: Any) -> None:
        calls.append(model.name)

    clients = [dynamodb_client(validate=False)]  # the app's; tests arrange rows with the validated one
    for ddb in clients:
        ddb.meta.events.register("before-call.dynamodb", record, unique_id="srs-test-count")
    yield calls
    for ddb in clients:
        ddb.meta.events.unregister("before-call.dynamodb", unique_id="srs-test-count")
