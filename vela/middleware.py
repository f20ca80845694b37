"""Request-wide middleware: the access record + request id (AccessLogMiddleware), and the last line of
defence (JsonErrorMiddleware): any exception that escapes a view becomes a logged JSON 500.

Django's own handler500 only applies with DEBUG off; JsonErrorMiddleware answers JSON either way and
never puts a traceback in the response.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse

from vela import metrics
from vela.logging import current_request_id

logger = logging.getLogger("vela.errors")
access_logger = logging.getLogger("vela.access")


class JsonErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse:
        if isinstance(exception, RequestDataTooBig):
            return JsonResponse({"error": "Request body too large.", "code": "payload_too_large"}, status=413)
        logger.exception("Unhandled error on %s %s", request.method, request.path)
        return JsonResponse({"error": "Internal server error.", "code": "server_error"}, status=500)


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
