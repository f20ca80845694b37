"""The only place exceptions become JSON (CONTRACT §2.2).

Shape: `{"error": "<human message>", "code": "<snake_case>"}` plus `"fields"` for validation errors.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler, set_rollback

from vela.errors import ApplicationError

_CODES = {
    exceptions.ParseError: "malformed_json",
    exceptions.NotAuthenticated: "unauthorized",
    exceptions.AuthenticationFailed: "unauthorized",
    exceptions.PermissionDenied: "forbidden",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
}


def flat_fields(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's error detail as the wire's `{name: [messages]}`: nested serializers and list items become
    dotted names (`reviews.0.vocabulary_id`), so every validation error has the one documented shape."""
    if isinstance(detail, dict):
        items: list[tuple[str, Any]] = [(str(key), value) for key, value in detail.items()]
    elif isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        items = [(str(index), value) for index, value in enumerate(detail) if value]
    else:
        return {prefix or "non_field_errors": [str(m) for m in (detail if isinstance(detail, list) else [detail])]}
    flat: dict[str, list[str]] = {}
    for key, value in items:
        flat.update(flat_fields(value, f"{prefix}.{key}" if prefix else key))
    return flat


def error_body(message: str, code: str, fields: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"error": message, "code": code}
    if fields is not None:
        body["fields"] = fields
    return body


def transport_status(exc: BaseException) -> int | None:
    """504/502 when a dependency never answered somewhere in `exc`'s cause chain, else None.

    A service may wrap such a failure in a generic 500 (the original API's wording); the status still
    says what happened: a timeout is a 504, a refused/reset/unreachable connection a 502.
    """
    from botocore.exceptions import ConnectionClosedError, ConnectTimeoutError, EndpointConnectionError
    from botocore.exceptions import ReadTimeoutError as BotoReadTimeout
    from requests import ConnectionError as RequestsConnectionError
    from requests import Timeout as RequestsTimeout
    from requests.exceptions import ChunkedEncodingError
    from urllib3.exceptions import ProtocolError

    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, ConnectTimeoutError | BotoReadTimeout | RequestsTimeout | TimeoutError):
            return 504
        if isinstance(
            cause, EndpointConnectionError | ConnectionClosedError | RequestsConnectionError | ChunkedEncodingError
        ) or isinstance(cause, ProtocolError):  # refused, reset, or cut mid-body
            return 502
        cause = cause.__cause__ or cause.__context__
    return None


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        set_rollback()
        body = error_body(exc.message, exc.code)
        body.update(exc.extra or {})  # route-specific fields kept from the original API
        status = exc.status_code
        if status == 500:  # never a 500 for a dependency that did not answer (issue 12)
            status = transport_status(exc) or status
        return Response(body, status=status)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)  # keeps DRF's status codes and headers
    if response is None or not isinstance(exc, exceptions.APIException):
        return response  # unexpected: vela.middleware answers a logged JSON 500
    if isinstance(exc, exceptions.ValidationError):
        fields = flat_fields(exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail})
        response.data = error_body("Invalid input.", "invalid", fields)
    else:
        code = next((c for cls, c in _CODES.items() if isinstance(exc, cls)), None)
        response.data = error_body(str(exc.detail), code or str(exc.get_codes()))
    return response
