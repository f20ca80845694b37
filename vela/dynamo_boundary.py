"""The DynamoDB side of a repository's boundary: errors and values.

- `translate_errors(table)` turns botocore failures into `vela.errors` (a missing table is a 500
  naming the table; throttling/other AWS errors a 502; timeouts a 504). AWS error *messages* are
  logged, never returned: they can name accounts and roles. Only the AWS error code reaches a body.
- `to_dynamo(value)` / `from_dynamo(value)` convert JSON values to what boto3's resource layer
  stores (floats become Decimal; numbers DynamoDB cannot hold are a 400) and back (Decimal becomes
  int or float), so records and views never see a Decimal.
- `failure_prefix("Failed to save message")` keeps each route's original error wording in front of
  the translated detail.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from decimal import Context, Decimal, InvalidOperation
from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    NoCredentialsError,
    ReadTimeoutError,
)

from vela.errors import (
    ApplicationError,
    BadRequestError,
    ServiceMisconfiguredError,
    UpstreamError,
    UpstreamTimeoutError,
)

logger = logging.getLogger("vela.dynamodb")

THROTTLING_CODES = frozenset({"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"})
# DynamoDB numbers: 38 significant digits, magnitude 1E-130 .. 9.99..E+125; maps nest 32 levels deep.
MAX_DIGITS = 38
MIN_EXPONENT, MAX_EXPONENT = -130, 125
_EXACT = Context(prec=10_000)
MAX_DEPTH = 32
# Lone UTF-16 surrogates (JSON allows "\ud800") cannot be encoded as UTF-8, so DynamoDB cannot store them.
_SURROGATE = re.compile("[\ud800-\udfff]")


def check_text(value: str, path: str) -> str:
    if _SURROGATE.search(value):
        raise BadRequestError(f"{path} contains an unpaired surrogate character", code="invalid_text")
    return value


def client_error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", "") or "")


@contextmanager
def translate_errors(table_name: str) -> Iterator[None]:
    """Run one or more DynamoDB calls; re-raise their failures as ApplicationErrors."""
    try:
        yield
    except ClientError as exc:
        code = client_error_code(exc)
        message = exc.response.get("Error", {}).get("Message", "")
        if code == "ResourceNotFoundException":
            logger.error("DynamoDB table %r does not exist (or is not reachable): %s", table_name, message)
            raise ServiceMisconfiguredError(
                f"DynamoDB table '{table_name}' does not exist", code="table_not_found"
            ) from exc
        logger.warning("DynamoDB %s on table %r: %s", code, table_name, message)
        if code in THROTTLING_CODES:
            raise UpstreamError(f"DynamoDB is throttling requests ({code})", code="dynamodb_throttled") from exc
        raise UpstreamError(f"DynamoDB {code or 'error'}", code="dynamodb_error") from exc
    except (ConnectTimeoutError, ReadTimeoutError) as exc:
        logger.warning("DynamoDB timed out on table %r: %s", table_name, exc.__class__.__name__)
        raise UpstreamTimeoutError("DynamoDB timed out", code="dynamodb_timeout") from exc
    except NoCredentialsError as exc:
        logger.error("No AWS credentials found for DynamoDB (table %r)", table_name)
        raise ServiceMisconfiguredError("No AWS credentials available", code="aws_credentials_missing") from exc
    except BotoCoreError as exc:
        logger.warning("DynamoDB unreachable for table %r: %s", table_name, exc.__class__.__name__)
        raise UpstreamError("DynamoDB is unreachable", code="dynamodb_unavailable") from exc


@contextmanager
def failure_prefix(prefix: str) -> Iterator[None]:
    """Server-side failures (5xx) get the route's original wording: `<prefix>: <detail>`."""
    try:
        yield
    except ApplicationError as exc:
        if exc.status_code < 500:
            raise
        raise exc.__class__(f"{prefix}: {exc.message}", code=exc.code, status_code=exc.status_code) from exc


def _number(value: int | float, path: str) -> Decimal:
    try:
        number = (Decimal(value) if isinstance(value, int) else Decimal(repr(value))).normalize(_EXACT)
    except (InvalidOperation, ValueError):
        number = Decimal("NaN")
    if number.is_finite() and (
        not number
        or (len(number.as_tuple().digits) <= MAX_DIGITS and MIN_EXPONENT <= number.adjusted() <= MAX_EXPONENT)
    ):
        return number
    raise BadRequestError(
        f"{path} holds a number DynamoDB cannot store (at most 38 significant digits, |x| < 1E126)",
        code="invalid_number",
    )


def to_dynamo(value: Any, path: str = "value", depth: int = 0) -> Any:
    """A JSON value as boto3's resource layer stores it (Decimal instead of float)."""
    if depth > MAX_DEPTH:
        raise BadRequestError(f"{path} is nested more than {MAX_DEPTH} levels deep", code="too_deep")
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return check_text(value, path)
    if isinstance(value, (int, float)):
        return _number(value, path)
    if isinstance(value, Mapping):
        converted = {}
        for key, item in value.items():
            if not isinstance(key, str) or not key:
                raise BadRequestError(f"{path} has an empty or non-string key", code="invalid_key")
            check_text(key, path)
            converted[key] = to_dynamo(item, path, depth + 1)
        return converted
    if isinstance(value, (list, tuple)):
        return [to_dynamo(item, path, depth + 1) for item in value]
    raise BadRequestError(f"{path} holds a value that is not JSON", code="invalid_value")


def from_dynamo(value: Any) -> Any:
    """The JSON value of something boto3 read: Decimal -> int/float, sets -> sorted lists."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, Mapping):
        return {key: from_dynamo(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [from_dynamo(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted(from_dynamo(item) for item in value)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    return value
