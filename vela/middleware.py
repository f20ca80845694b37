"""The one place Django's own request errors, and anything else that escapes a view, become JSON.

Django raises some caller mistakes itself, lazily, wherever the request is first read:
`DisallowedHost` from `get_host()` (CommonMiddleware, before any URL is resolved),
`TooManyFieldsSent` from `request.GET`/`request.POST`, `RequestDataTooBig` from `request.body`,
`UnreadablePostError` when the client goes away mid-body. Left to Django they become its HTML 400
page - with DEBUG on, the technical page showing settings - or a 500. `JsonErrorMiddleware` is the
outermost middleware: it reads the host and the query string itself before anything else does (so
no inner middleware can trip over them), and maps whatever a view raises with `request_error`.
The same mapping serves `handler400`/`handler403` (vela.urls) for anything raised elsewhere.

Shape: `{"error": message, "code": snake_case}` (CONTRACT §2.2); never a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.exceptions import (
    BadRequest,
    DisallowedHost,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import HttpRequest, HttpResponse, JsonResponse, UnreadablePostError

logger = logging.getLogger("vela.errors")
security_logger = logging.getLogger("vela.security")

# (exception class, status, code, message), most specific first.
REQUEST_ERRORS: tuple[tuple[type[Exception], int, str, str], ...] = (
    (RequestDataTooBig, 413, "payload_too_large", "Request body too large."),
    (TooManyFieldsSent, 400, "too_many_fields", "Too many query or form parameters."),
    (TooManyFilesSent, 400, "too_many_files", "Too many files in the request."),
    (DisallowedHost, 400, "disallowed_host", "Invalid Host header."),
    (SuspiciousOperation, 400, "bad_request", "Bad request."),
    (BadRequest, 400, "bad_request", "Bad request."),
    (UnreadablePostError, 400, "unreadable_body", "The request body could not be read."),
    (PermissionDenied, 403, "forbidden", "You do not have permission to perform this action."),
)


def error_response(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": message, "code": code}, status=status)


def request_error(exception: BaseException) -> JsonResponse | None:
    """The JSON answer for one of Django's request errors, or None for anything else."""
    for cls, status, code, message in REQUEST_ERRORS:
        if isinstance(exception, cls):
            # Django's own wording can quote the caller's input (the Host header): log, don't answer it.
            security_logger.warning("%s: %s", exception.__class__.__name__, str(exception)[:200])
            return error_response(status, code, message)
    return None


def _read_request_head(request: HttpRequest) -> None:
    """Raise now what Django would raise later from inside another middleware."""
    request.get_host()
    request.GET  # noqa: B018 - parsing the query string is the point (TooManyFieldsSent)


class JsonErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            _read_request_head(request)
        except Exception as exc:
            answer = request_error(exc)
            if answer is None:
                raise
            return answer
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse:
        answer = request_error(exception)
        if answer is not None:
            return answer
        logger.exception("Unhandled error on %s %s", request.method, request.path)
        return error_response(500, "server_error", "Internal server error.")
