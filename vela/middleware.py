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

AccessLogMiddleware writes the access record and carries the request id; StaticFilesMiddleware serves
the docs page's packaged JavaScript.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
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

from vela import metrics
from vela.logging import current_request_id

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


access_logger = logging.getLogger("vela.access")


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


class AccessLogMiddleware:
    """Outermost: one access record and one latency metric per request, and the request id.

    The id is the Lambda request id under Zappa (`lambda.context` in the WSGI environ: the id on
    Lambda's own START/END/REPORT lines), else a fresh uuid4; it is echoed as `X-Request-Id` and put on
    every log record written while the request is served (vela.logging.RequestIdFilter). The record
    (`vela.access`, INFO) carries method, route (the URL pattern, never the raw path: no ids or
    query strings), status, latency_ms and cold_start (first request of this process). Nothing is
    built when INFO is off for `vela.access`; the metric (vela.metrics, RouteFamily = first segment
    after `api/`) does not depend on the log level.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.cold = True

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        context = request.META.get("lambda.context")
        request_id = getattr(context, "aws_request_id", None) or uuid.uuid4().hex
        token = current_request_id.set(request_id)
        request.request_id = request_id  # type: ignore[attr-defined]  # for records logged after us
        try:
            response = self.get_response(request)
            latency_ms = (time.perf_counter() - started) * 1000
            response["X-Request-Id"] = request_id
            match = request.resolver_match
            route = match.route if match is not None else ""
            cold, self.cold = self.cold, False
            if access_logger.isEnabledFor(logging.INFO):
                access_logger.info(
                    "%s %s %s %.1f ms",
                    request.method,
                    route or "(unmatched)",
                    response.status_code,
                    latency_ms,
                    extra={
                        "method": request.method,
                        "route": route or None,
                        "status": response.status_code,
                        "latency_ms": round(latency_ms, 2),
                        "cold_start": cold,
                    },
                )
            metrics.request_latency(route_family=route_family(route), latency_ms=latency_ms)
            return response
        finally:
            current_request_id.reset(token)


def route_family(route: str) -> str:
    """`api/tts/audio/<str:id>` -> `tts`; anything else (the 404 catch-all, no match) -> `other`: the
    dimension's values are a small fixed set, whatever paths callers try."""
    parts = route.split("/", 2)
    if len(parts) > 1 and parts[0] == "api" and parts[1]:
        return parts[1]
    return "other"


class StaticFilesMiddleware:
    """WhiteNoise (STATIC_URL: the docs page's JavaScript), built on the first static request only.

    WhiteNoise indexes every static file of the installed apps when it is created (~50 ms here), which
    would land on every Lambda cold start although almost no request is for a static file.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        from django.conf import settings

        self.get_response = get_response
        self.prefix = "/" + settings.STATIC_URL.lstrip("/")
        self.whitenoise: Callable[[HttpRequest], HttpResponse] | None = None
        self.lock = threading.Lock()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(self.prefix):
            return self.get_response(request)
        if self.whitenoise is None:
            with self.lock:
                if self.whitenoise is None:
                    from whitenoise.middleware import WhiteNoiseMiddleware

                    self.whitenoise = WhiteNoiseMiddleware(self.get_response)
        return self.whitenoise(request)
