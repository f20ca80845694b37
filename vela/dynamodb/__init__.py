"""The one DynamoDB boundary: table access, transactions, batch retries, the value codec, the error table.

Repositories hold a `DynamoTable("profiles")` (a logical name of `vela.dynamodb_schema`) and call
`table.call("get_item", Key=...)`; `TableName` is filled in and every failure is translated by the
error table of `vela.dynamodb.errors` (a missing table is a 500 naming it, throttling a 502,
timeouts a 504, never the AWS message). A failed condition raises `ConditionFailed`, which
repositories catch where they use conditions. Values go through `vela.dynamodb.codec`
(`to_item`/`from_item`), so records never see a `Decimal`.

Several writes that must happen together go into a `Transaction`: repositories add their entry
(`tx.add(table.entry("Update", ...))`) when a service passes one in, and the service commits it.
Services thus pass records and a transaction object, never DynamoDB request dicts.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings

from vela.aws import client_error_code, dynamodb_client
from vela.dynamodb import raw_reads
from vela.dynamodb.codec import (
    MISSING,
    Problem,
    check_storable,
    from_av,
    from_item,
    number_problem,
    to_av,
    to_item,
    value_problem,
)
from vela.dynamodb.errors import (
    ERRORS,
    ConditionFailed,
    TransactionCancelled,
    failure_prefix,
    table_missing_error,
    translate_botocore_error,
    translate_client_error,
    unprocessed_error,
)

__all__ = [
    "BATCH_GET_SIZE",
    "ERRORS",
    "MISSING",
    "ConditionFailed",
    "DynamoTable",
    "Problem",
    "Transaction",
    "TransactionCancelled",
    "backoff_delay",
    "batch_get",
    "boundary_client",
    "check_storable",
    "client_error_code",
    "failure_prefix",
    "from_av",
    "from_item",
    "number_problem",
    "table_missing_error",
    "to_av",
    "to_item",
    "transact_write",
    "value_problem",
]

BATCH_WRITE_SIZE = 25  # BatchWriteItem's limit
BATCH_GET_SIZE = 100  # BatchGetItem's limit
BATCH_ATTEMPTS = 6  # first send + 5 re-sends of what DynamoDB left unprocessed
BACKOFF_BASE_SECONDS = 0.05  # re-sends wait up to 50, 100, 200, 400, 800 ms
BACKOFF_CAP_SECONDS = 0.8

Item = dict[str, Any]
_WRITE_OPERATIONS = {"Put": "put_item", "Update": "update_item", "Delete": "delete_item"}


class DynamoTable:
    """A logical table of `vela.dynamodb_schema` (e.g. "profiles"), named as settings say."""

    def __init__(self, logical: str, client: Any = None) -> None:
        self.logical = logical
        self.name: str = settings.DYNAMODB_TABLES[logical]
        self._client = client

    def call(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        return self._call(operation, {"TableName": self.name, **kwargs})

    def transaction(self) -> Transaction:
        """A transaction sent by this table's client (a test's double included)."""
        return Transaction(client=self._client)

    def entry(self, action: str, **kwargs: Any) -> dict[str, Any]:
        """One TransactWriteItems entry (`Put`, `Update`, `Delete`, `ConditionCheck`) on this table."""
        return {action: {"TableName": self.name, **kwargs}}

    def write(self, action: str, *, tx: Transaction | None = None, **kwargs: Any) -> bool:
        """One `Put`/`Update`/`Delete` on this table: True when written, False when its condition failed.

        With `tx` the write joins that transaction instead (True; a failed condition cancels the commit).
        """
        if tx is not None:
            tx.add(self.entry(action, **kwargs))
            return True
        try:
            self.call(_WRITE_OPERATIONS[action], **kwargs)
        except ConditionFailed:
            return False
        return True

    def pages(self, operation: str, **kwargs: Any) -> Iterator[list[Item]]:
        """The items of each page of a Query or Scan, following LastEvaluatedKey until DynamoDB has no more."""
        while True:
            page = self.call(operation, **kwargs)
            yield page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def batch_write(self, requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """One BatchWriteItem (at most 25 requests) on this table; returns the unprocessed requests."""
        response = self._call("batch_write_item", {"RequestItems": {self.name: requests}})
        return list((response.get("UnprocessedItems") or {}).get(self.name, []))

    def batch_write_all(self, requests: list[dict[str, Any]], *, sleep: Callable[[float], None] = time.sleep) -> None:
        """Every Put/DeleteRequest, 25 per BatchWriteItem; unprocessed ones are re-sent with exponential
        backoff (BATCH_ATTEMPTS sends in all), then a 502 `dynamodb_throttled`."""
        for start in range(0, len(requests), BATCH_WRITE_SIZE):
            _resend_unprocessed(self.batch_write, requests[start : start + BATCH_WRITE_SIZE], len, sleep)

    def batch_get_keys(
        self, keys: list[dict[str, Any]], *, projection: str, sleep: Callable[[float], None] = time.sleep
    ) -> list[Item]:
        """BatchGetItem of any number of keys (100 per call), retrying unprocessed keys; the items found."""
        found: list[Item] = []
        for start in range(0, len(keys), BATCH_GET_SIZE):
            request = {"Keys": keys[start : start + BATCH_GET_SIZE], "ProjectionExpression": projection}
            found.extend(batch_get({self: request}, sleep=sleep)[self])
        return found

    def _call(self, operation: str, kwargs: dict[str, Any]) -> dict[str, Any]:
        return _invoke(self._client, operation, kwargs, self.name)


def batch_get(
    requests: Mapping[DynamoTable, dict[str, Any]], *, sleep: Callable[[float], None] = time.sleep
) -> dict[DynamoTable, list[Item]]:
    """One BatchGetItem over one or more tables (each with its `Keys` and e.g. `ConsistentRead` or
    `ProjectionExpression`; at most 100 keys in all): the raw items found, per table.

    The first table's client sends it. Unprocessed keys are re-sent with exponential backoff
    (BATCH_ATTEMPTS sends in all), then a 502 `dynamodb_throttled`; failures are translated like
    single-table calls, naming every table.
    """
    tables = {table.name: table for table in requests}
    client = next(iter(requests))._client if requests else None
    label = ", ".join(sorted(tables))
    found: dict[DynamoTable, list[Item]] = {table: [] for table in requests}

    def send(pending: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        response = _invoke(client, "batch_get_item", {"RequestItems": pending}, label)
        for name, items in response.get("Responses", {}).items():
            found[tables[name]].extend(items)
        return dict(response.get("UnprocessedKeys") or {})

    if requests:
        pending = {table.name: request for table, request in requests.items()}
        _resend_unprocessed(send, pending, lambda left: sum(len(r["Keys"]) for r in left.values()), sleep)
    return found


def backoff_delay(attempt: int, *, base: float = BACKOFF_BASE_SECONDS, cap: float = BACKOFF_CAP_SECONDS) -> float:
    """The pause before try `attempt + 1` (`attempt` 1 = the first re-try) of any DynamoDB work that is
    tried again here (unprocessed batch items, conflicting conditional writes and transactions):
    exponential back-off with "full jitter" (AWS Architecture Blog, "Exponential Backoff And Jitter";
    botocore's standard retry mode does the same), uniform in [0, min(cap, base * 2**(attempt - 1))]."""
    return random.uniform(0, min(cap, base * 2 ** (attempt - 1)))  # noqa: S311 - jitter, not a secret


def _resend_unprocessed[P](
    send: Callable[[P], P], pending: P, count: Callable[[P], int], sleep: Callable[[float], None]
) -> None:
    """Send `pending`, then re-send what DynamoDB left unprocessed (`send` returns it, empty when done)
    with `backoff_delay`; after BATCH_ATTEMPTS sends a 502 `dynamodb_throttled` counting what is left."""
    for attempt in range(BATCH_ATTEMPTS):
        if attempt:
            sleep(backoff_delay(attempt))
        pending = send(pending)
        if not pending:
            return
    raise unprocessed_error(count(pending), BATCH_ATTEMPTS)


class Transaction:
    """Writes that happen together or not at all (one TransactWriteItems call, at most 100 entries).

    Repositories `add` entries built with `DynamoTable.entry`; the service that opened the
    transaction `commit`s it. `TransactionCancelled` on commit means nothing was written.
    """

    def __init__(self, *, client: Any = None) -> None:
        self.entries: list[dict[str, Any]] = []
        self._client = client

    def add(self, entry: dict[str, Any]) -> None:
        self.entries.append(entry)

    def commit(self, *, token: str | None = None) -> None:
        transact_write(self.entries, token=token, client=self._client)


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
        code = client_error_code(exc)
        if code == "TransactionCanceledException":
            reasons = [reason.get("Code", "") for reason in exc.response.get("CancellationReasons", [])]
            raise TransactionCancelled(reasons) from exc
        if code == "ResourceNotFoundException":  # error path only: find which table is missing
            tables = ", ".join(_missing_tables(client, tables.split(", "))) or tables
        raise translate_client_error(exc, table=tables, operation="transact_write_items") from exc


def boundary_client() -> Any:
    """The app's DynamoDB client (requests built by hand, so unvalidated), items read past botocore's
    parser (vela.dynamodb.raw_reads)."""
    return raw_reads.install(dynamodb_client(validate=False))


def _missing_tables(client: Any, names: list[str]) -> list[str]:
    client = client or boundary_client()
    missing = []
    for name in names:
        try:
            client.describe_table(TableName=name)
        except ClientError as exc:
            if client_error_code(exc) == "ResourceNotFoundException":
                missing.append(name)
        except BotoCoreError:
            return []
    return missing


def _invoke(client: Any, operation: str, kwargs: dict[str, Any], table: str, *, translate: bool = True) -> Any:
    client = client or boundary_client()
    try:
        return getattr(client, operation)(**kwargs)
    except ClientError as exc:
        if not translate:
            raise
        raise translate_client_error(exc, table=table, operation=operation) from exc
    except BotoCoreError as exc:
        raise translate_botocore_error(exc, table=table, operation=operation) from exc
