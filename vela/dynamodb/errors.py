"""The error table: every way a DynamoDB call can fail, and the `vela.errors` answer it becomes.

One table for every repository, so the same failure gets the same status and `code` on every
route. Bodies carry the AWS error *code* at most, never the AWS *message* (it can name accounts,
roles and ARNs); the message is logged instead.

| kind            | raised by botocore                                          | status | code                      |
|-----------------|-------------------------------------------------------------|--------|---------------------------|
| table_missing   | ClientError ResourceNotFoundException                       | 500    | `table_not_found`         |
| throttled       | ClientError in THROTTLING_CODES; items left unprocessed     | 502    | `dynamodb_throttled`      |
| invalid_request | ClientError ValidationException (a request we built wrong)  | 500    | `dynamodb_validation`     |
| client_error    | any other ClientError (AccessDenied, InternalServerError..) | 502    | `dynamodb_error`          |
| timeout         | ConnectTimeoutError, ReadTimeoutError                       | 504    | `dynamodb_timeout`        |
| no_credentials  | NoCredentialsError                                          | 500    | `aws_credentials_missing` |
| unreachable     | any other BotoCoreError (EndpointConnectionError, ...)      | 502    | `dynamodb_unreachable`    |

`ConditionalCheckFailedException` and `TransactionCanceledException` are not failures of the
service: they become `ConditionFailed` / `TransactionCancelled` for the repository to handle.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from botocore.exceptions import BotoCoreError, ClientError, ConnectTimeoutError, NoCredentialsError, ReadTimeoutError

from vela import metrics
from vela.aws import client_error_code
from vela.errors import ApplicationError, ServiceMisconfiguredError, UpstreamError, UpstreamTimeoutError

logger = logging.getLogger("vela.dynamodb")

THROTTLING_CODES = frozenset({"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"})


class ConditionFailed(Exception):
    """A ConditionExpression did not hold (ConditionalCheckFailedException)."""


CONDITION_FAILED = "ConditionalCheckFailed"  # a cancellation reason; those worth another commit:
RETRY_REASONS = frozenset({"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"})


class TransactionCancelled(Exception):
    """TransactWriteItems wrote nothing: a condition failed or another transaction conflicted."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(", ".join(reasons) or "cancelled")
        self.reasons = reasons

    def failed(self, index: int | None = None) -> bool:
        """Whether the condition of the transaction's `index`th entry (None: of any entry) failed."""
        if index is None:
            return CONDITION_FAILED in self.reasons
        return len(self.reasons) > index and self.reasons[index] == CONDITION_FAILED

    @property
    def retryable(self) -> bool:
        """Cancelled by a colliding transaction or throttling: the same commit may succeed later."""
        return not RETRY_REASONS.isdisjoint(self.reasons)


@dataclass(frozen=True, slots=True)
class Failure:
    """One row of the error table: the error class, its status and code, and the message template."""

    error: type[ApplicationError]
    status: int
    code: str
    message: str

    def build(self, **values: object) -> ApplicationError:
        return self.error(self.message.format(**values), code=self.code, status_code=self.status)


ERRORS: dict[str, Failure] = {
    "table_missing": Failure(
        ServiceMisconfiguredError,
        500,
        "table_not_found",
        "DynamoDB table '{table}' does not exist (create it with `manage.py dynamodb_tables create`).",
    ),
    "throttled": Failure(UpstreamError, 502, "dynamodb_throttled", "DynamoDB is throttling requests ({aws_code})."),
    "unprocessed": Failure(
        UpstreamError, 502, "dynamodb_throttled", "DynamoDB left {count} items unprocessed after {attempts} attempts."
    ),
    "invalid_request": Failure(
        ApplicationError, 500, "dynamodb_validation", "DynamoDB rejected the request ({aws_code})."
    ),
    "client_error": Failure(UpstreamError, 502, "dynamodb_error", "DynamoDB operation failed: {aws_code}"),
    "timeout": Failure(UpstreamTimeoutError, 504, "dynamodb_timeout", "DynamoDB timed out."),
    "no_credentials": Failure(
        ServiceMisconfiguredError, 500, "aws_credentials_missing", "No AWS credentials available."
    ),
    "unreachable": Failure(UpstreamError, 502, "dynamodb_unreachable", "DynamoDB is unreachable."),
}


def table_missing_error(table: str) -> ApplicationError:
    return ERRORS["table_missing"].build(table=table)


def unprocessed_error(count: int, attempts: int) -> ApplicationError:
    return ERRORS["unprocessed"].build(count=count, attempts=attempts)


def translate_client_error(exc: ClientError, *, table: str, operation: str) -> Exception:
    """The exception a repository sees for this ClientError (see the table above)."""
    code = client_error_code(exc)
    if code == "ConditionalCheckFailedException":
        return ConditionFailed(code)
    message = exc.response.get("Error", {}).get("Message", "")
    logger.error("DynamoDB %s on table %s failed: %s %s", operation, table, code, message)
    metrics.dynamodb_failure(table=table, throttled=code in THROTTLING_CODES)
    if code == "ResourceNotFoundException":
        return table_missing_error(table)
    if code in THROTTLING_CODES:
        return ERRORS["throttled"].build(aws_code=code)
    if code == "ValidationException":
        return ERRORS["invalid_request"].build(aws_code=code)
    return ERRORS["client_error"].build(aws_code=code or "error")


def translate_botocore_error(exc: BotoCoreError, *, table: str, operation: str) -> ApplicationError:
    metrics.dynamodb_failure(table=table, throttled=False)
    if isinstance(exc, ConnectTimeoutError | ReadTimeoutError):
        logger.error("DynamoDB %s on table %s timed out", operation, table)
        return ERRORS["timeout"].build()
    if isinstance(exc, NoCredentialsError):
        logger.error("No AWS credentials found for DynamoDB %s on table %s", operation, table)
        return ERRORS["no_credentials"].build()
    logger.error("DynamoDB %s on table %s failed: %s", operation, table, exc.__class__.__name__)
    return ERRORS["unreachable"].build()


@contextmanager
def failure_prefix(prefix: str) -> Iterator[None]:
    """Server-side failures (5xx) get the route's original wording: `<prefix>: <detail>`."""
    try:
        yield
    except ApplicationError as exc:
        if exc.status_code < 500:
            raise
        raise exc.__class__(f"{prefix}: {exc.message}", code=exc.code, status_code=exc.status_code) from exc
