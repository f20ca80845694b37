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

from vela.aws import dynamodb_client
from vela.errors import ApplicationError, ServiceMisconfiguredError, UpstreamError, UpstreamTimeoutError

logger = logging.getLogger("vela.dynamodb")


class ConditionFailed(Exception):
    """A ConditionExpression did not hold (ConditionalCheckFailedException)."""


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
        client = self._client or dynamodb_client(validate=False)
        try:
            return getattr(client, operation)(**kwargs)
        except ClientError as exc:
            raise translate_client_error(exc, table=self.name, operation=operation) from exc
        except (ConnectTimeoutError, ReadTimeoutError) as exc:
            logger.error("DynamoDB %s on table %s timed out", operation, self.name)
            raise UpstreamTimeoutError("DynamoDB operation timed out.", code="dynamodb_timeout") from exc
        except BotoCoreError as exc:
            logger.error("DynamoDB %s on table %s failed: %s", operation, self.name, exc.__class__.__name__)
            raise UpstreamError("DynamoDB is unreachable.", code="dynamodb_unreachable") from exc
