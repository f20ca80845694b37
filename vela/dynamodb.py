"""One DynamoDB table behind the low-level client, with AWS errors translated at the boundary.

Repositories call `table.call("get_item", Key=...)`; `TableName` is filled in, and failures become
`vela.errors` (a missing table is a clear 500 naming it, throttling/network a 502/504). A failed
condition raises `ConditionFailed`, which repositories catch where they use conditions.
"""

from __future__ import annotations

import logging
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, ConnectTimeoutError, ReadTimeoutError
from django.conf import settings

from vela import metrics
from vela.aws import dynamodb_client
from vela.errors import ApplicationError, ServiceMisconfiguredError, UpstreamError, UpstreamTimeoutError

logger = logging.getLogger("vela.dynamodb")


class ConditionFailed(Exception):
    """A ConditionExpression did not hold (ConditionalCheckFailedException)."""


class TransactionCancelled(Exception):
    """TransactWriteItems wrote nothing: a condition failed or another transaction conflicted."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(", ".join(reasons) or "cancelled")
        self.reasons = reasons


def table_missing_error(name: str) -> ServiceMisconfiguredError:
    return ServiceMisconfiguredError(
        f"DynamoDB table '{name}' does not exist (create it with `manage.py dynamodb_tables create`).",
        code="table_not_found",
    )


def translate_client_error(exc: ClientError, *, table: str, operation: str) -> Exception:
    error = exc.response.get("Error", {})
    code, message = error.get("Code", ""), error.get("Message", "")
    if code == "ConditionalCheckFailedException":
        return ConditionFailed(message)
    logger.error("DynamoDB %s on table %s failed: %s %s", operation, table, code, message)
    metrics.dynamodb_failure(table=table, code=code)
    if code == "ResourceNotFoundException":
        return table_missing_error(table)
    if code == "ValidationException":
        return ApplicationError(f"DynamoDB operation failed: {message}", code="dynamodb_validation")
    return UpstreamError(f"DynamoDB operation failed: {code or message}", code="dynamodb_error")


class DynamoTable:
    """A logical table of `vela.dynamodb_schema` (e.g. "profiles"), named as settings say."""

    def __init__(self, logical: str, client: Any = None) -> None:
        self.logical = logical
        self.name: str = settings.DYNAMODB_TABLES[logical]
        self._client = client

    def call(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        return self._call(operation, {"TableName": self.name, **kwargs})

    def entry(self, action: str, **kwargs: Any) -> dict[str, Any]:
        """One TransactWriteItems entry (`Put`, `Update`, `Delete`, `ConditionCheck`) on this table."""
        return {action: {"TableName": self.name, **kwargs}}

    def batch_write(self, requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """BatchWriteItem (at most 25 requests) on this table; returns the unprocessed requests."""
        response = self._call("batch_write_item", {"RequestItems": {self.name: requests}})
        return list((response.get("UnprocessedItems") or {}).get(self.name, []))

    def batch_get_keys(self, keys: list[dict[str, Any]], *, projection: str) -> list[dict[str, Any]]:
        """BatchGetItem (at most 100 keys) on this table, retrying unprocessed keys; returns the items found."""
        found: list[dict[str, Any]] = []
        request: dict[str, Any] = {self.name: {"Keys": keys, "ProjectionExpression": projection}}
        for _ in range(6):
            response = self._call("batch_get_item", {"RequestItems": request})
            found.extend(response.get("Responses", {}).get(self.name, []))
            request = response.get("UnprocessedKeys") or {}
            if not request:
                return found
        raise UpstreamError("DynamoDB kept keys unprocessed.", code="dynamodb_throttled")

    def _call(self, operation: str, kwargs: dict[str, Any]) -> dict[str, Any]:
        return _invoke(self._client, operation, kwargs, self.name)


def transact_write(entries: list[dict[str, Any]], *, token: str | None = None, client: Any = None) -> None:
    """All of `entries` (built with `DynamoTable.entry`) or nothing, in one call.

    `token` (ClientRequestToken) makes botocore's own retries idempotent for ten minutes. Raises
    TransactionCancelled when DynamoDB wrote nothing because a condition failed or another
    transaction conflicted; other failures are translated like single-table calls.
    """
    kwargs: dict[str, Any] = {"TransactItems": entries}
    if token:
        kwargs["ClientRequestToken"] = token
    tables = ", ".join(sorted({next(iter(entry.values()))["TableName"] for entry in entries}))
    try:
        _invoke(client, "transact_write_items", kwargs, tables, translate=False)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code")
        if code == "TransactionCanceledException":
            reasons = [reason.get("Code", "") for reason in exc.response.get("CancellationReasons", [])]
            raise TransactionCancelled(reasons) from exc
        if code == "ResourceNotFoundException":  # error path only: find which table is missing
            tables = ", ".join(_missing_tables(client, tables.split(", "))) or tables
        raise translate_client_error(exc, table=tables, operation="transact_write_items") from exc


def _missing_tables(client: Any, names: list[str]) -> list[str]:
    client = client or dynamodb_client(validate=False)
    missing = []
    for name in names:
        try:
            client.describe_table(TableName=name)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
                missing.append(name)
        except BotoCoreError:
            return []
    return missing


def _invoke(client: Any, operation: str, kwargs: dict[str, Any], table: str, *, translate: bool = True) -> Any:
    client = client or dynamodb_client(validate=False)
    try:
        return getattr(client, operation)(**kwargs)
    except ClientError as exc:
        if not translate:
            raise
        raise translate_client_error(exc, table=table, operation=operation) from exc
    except (ConnectTimeoutError, ReadTimeoutError) as exc:
        logger.error("DynamoDB %s on table %s timed out", operation, table)
        metrics.dynamodb_failure(table=table, code="Timeout")
        raise UpstreamTimeoutError("DynamoDB operation timed out.", code="dynamodb_timeout") from exc
    except BotoCoreError as exc:
        logger.error("DynamoDB %s on table %s failed: %s", operation, table, exc.__class__.__name__)
        metrics.dynamodb_failure(table=table, code=exc.__class__.__name__)
        raise UpstreamError("DynamoDB is unreachable.", code="dynamodb_unreachable") from exc
