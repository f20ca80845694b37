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


def error_body(message: str, code: str, fields: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"error": message, "code": code}
    if fields is not None:
        body["fields"] = fields
    return body


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        set_rollback()
        body = error_body(exc.message, exc.code)
        body.update(getattr(exc, "extra", None) or {})  # route-specific fields kept from the original API
        return Response(body, status=exc.status_code)
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
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = error_body("Invalid input.", "invalid", fields)
    else:
        code = next((c for cls, c in _CODES.items() if isinstance(exc, cls)), None)
        response.data = error_body(str(exc.detail), code or str(exc.get_codes()))
    return response
