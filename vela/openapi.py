"""OpenAPI pieces shared by every view: the one error shape (CONTRACT §2.2), its responses, and
`extend_schema` (drf-spectacular's, applied when a schema is first built).

Cheap to import: views import this module at start-up; what only schema generation needs lives in
`vela.openapi_schema`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

ViewMethod = TypeVar("ViewMethod", bound=Callable[..., Any])

_deferred: list[tuple[Callable[..., Any], dict[str, Any]]] = []
_deferred_lock = threading.Lock()
_schema_loaded = False


def extend_schema(**options: Any) -> Callable[[ViewMethod], ViewMethod]:
    """`drf_spectacular.utils.extend_schema` for view methods, with the same arguments.

    drf-spectacular's decorator subclasses DEFAULT_SCHEMA_CLASS on the spot, which imports its whole
    schema machinery (64 modules, django.test among them) into every process that imports a view.
    This one records the options on the method's behalf; `vela.openapi_schema` applies them, in
    decoration order, when it is imported (every schema build imports it before reading a view), and
    directly from then on.
    """

    def decorate(method: ViewMethod) -> ViewMethod:
        with _deferred_lock:
            if not _schema_loaded:
                _deferred.append((method, options))
                return method
        from drf_spectacular.utils import extend_schema as spectacular_extend_schema

        spectacular_extend_schema(**options)(method)
        return method

    return decorate


def apply_deferred_schemas() -> None:
    """Apply every `extend_schema` recorded so far (called by vela.openapi_schema on import)."""
    global _schema_loaded
    from drf_spectacular.utils import extend_schema as spectacular_extend_schema

    with _deferred_lock:
        for method, options in _deferred:
            spectacular_extend_schema(**options)(method)
        _deferred.clear()
        _schema_loaded = True


class ErrorSerializer(serializers.Serializer):
    """The one error body of every route (component `Error`)."""

    error = serializers.CharField(help_text="Human-readable message.")
    code = serializers.CharField(help_text="Stable snake_case code.")
    # The wire name `fields` shadows Serializer.fields in the stubs; DRF's metaclass collects it as a field.
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Validation errors per field (400 `invalid` only).",
    )
    name = serializers.CharField(required=False, help_text="Cognito's error name (auth routes only).")


_DESCRIPTIONS = {
    400: "Invalid input (`invalid`, `malformed_json`).",
    401: "Missing, expired or invalid Cognito token.",
    403: "`user_id` names another user, or the Origin is not allowed (`cors_origin_not_allowed`).",
    404: "Not found.",
    413: "Request body too large (`payload_too_large`).",
    415: "The body is not JSON (`unsupported_media_type`).",
    500: "Server misconfigured (e.g. a DynamoDB table is missing) or unexpected error.",
    502: "DynamoDB or another upstream failed.",
    504: "Upstream timed out.",
}


def error_responses(*statuses: int) -> dict[int, Any]:
    return {code: OpenApiResponse(ErrorSerializer, description=_DESCRIPTIONS[code]) for code in statuses}


USER_ERRORS = (400, 401, 403, 500, 502, 504)
PUBLIC_ERRORS = (400, 500, 502, 504)


# Statuses every operation can answer whatever its view says (vela.middleware, vela.cors, DRF's
# parsing, vela.exception_handler): added to each operation by `add_global_responses`.
_EVERYWHERE = {
    400: "Django refused the request itself (`too_many_fields`, `disallowed_host`, `unreadable_body`).",
    403: "The Origin is not allowed (`cors_origin_not_allowed`).",
    500: "Unexpected error (`server_error`).",
}
_WITH_BODY = {
    413: _DESCRIPTIONS[413],
    415: _DESCRIPTIONS[415],
}
_PROTECTED = {401: _DESCRIPTIONS[401]}
_DEPENDENT = {502: _DESCRIPTIONS[502], 504: _DESCRIPTIONS[504]}
_NO_DEPENDENCY = {"/api/health", "/api/schema", "/api/docs"}


def add_global_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: every status an operation can answer is in its responses.

    A view documents what it does; the statuses the layers around every view add (Django's own
    request errors, CORS, body parsing, auth, an AWS or upstream failure) are added here once.
    """
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            extra = dict(_EVERYWHERE)
            if "requestBody" in operation or method in {"post", "put", "patch"}:
                extra |= _WITH_BODY
            if operation.get("security") and {} not in operation["security"]:
                extra |= _PROTECTED
            if path not in _NO_DEPENDENCY:
                extra |= _DEPENDENT
            responses = operation["responses"]
            for status, description in extra.items():
                responses.setdefault(str(status), {"description": description, "content": error})
    return result
