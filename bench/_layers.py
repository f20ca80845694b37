"""Where a request's CPU goes, layer by layer: exclusive `time.thread_time` per layer of the stack.

`instrument()` wraps the entry point of each layer (Zappa's handler, Django's WSGI handler, every
middleware, URL resolving and rendering, DRF's dispatch and its token check, the view, the access
record, the EMF metric, botocore, botocore's HTTP send) so that each records its own CPU minus that of
the layers it calls. Only for benches: the wrappers cost ~1 us per layer, and patch classes in place.
"""

from __future__ import annotations

import gc
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any, cast

_stack = threading.local()
totals: defaultdict[str, float] = defaultdict(float)


def _timed(label: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        frames = _stack.__dict__.setdefault("frames", [])
        frames.append(0.0)
        started = time.thread_time()
        try:
            return function(*args, **kwargs)
        finally:
            elapsed = time.thread_time() - started
            totals[label] += elapsed - frames.pop()
            if frames:
                frames[-1] += elapsed

    wrapper.__wrapped__ = function  # type: ignore[attr-defined]
    return wrapper


def _wrap(owner: Any, name: str, label: str) -> None:
    setattr(owner, name, _timed(label, getattr(owner, name)))


def instrument(*, through_zappa: bool) -> None:
    """Patch every layer once (call after Django is set up)."""
    import botocore.client
    import botocore.endpoint
    import corsheaders.middleware
    import django.core.handlers.base
    import django.core.handlers.wsgi
    import django.utils.deprecation
    import rest_framework.response
    import rest_framework.views

    import vela.cors
    import vela.metrics
    import vela.middleware

    if through_zappa:
        import zappa.handler

        _wrap(zappa.handler.LambdaHandler, "handler", "Zappa: API Gateway event -> WSGI environ, response -> dict")
    _wrap(django.core.handlers.wsgi.WSGIHandler, "__call__", "Django: WSGIRequest, response start")
    _wrap(vela.middleware.AccessLogMiddleware, "__call__", "middleware: AccessLog (request id, timing)")
    _wrap(vela.middleware.access_logger, "info", "  access record (JSON log line)")
    _wrap(vela.metrics, "request_latency", "  EMF latency metric")
    _wrap(vela.middleware.StaticFilesMiddleware, "__call__", "middleware: static files (WhiteNoise, lazy)")
    _wrap(vela.middleware.JsonErrorMiddleware, "__call__", "middleware: JsonError (host, query string)")
    _wrap(vela.cors.CorsPolicyMiddleware, "__call__", "middleware: CORS policy")
    _wrap(corsheaders.middleware.CorsMiddleware, "__call__", "middleware: django-cors-headers")
    _wrap(django.utils.deprecation.MiddlewareMixin, "__call__", "middleware: Security, Common, XFrameOptions")
    _wrap(django.core.handlers.base.BaseHandler, "_get_response", "Django: URL resolving, view call")
    _wrap(django.core.handlers.base.BaseHandler, "resolve_request", "  URL resolving")
    rendered: property = vars(rest_framework.response.Response)["rendered_content"]
    rest_framework.response.Response.rendered_content = property(  # type: ignore[assignment]  # timing wrapper
        _timed("DRF: JSON rendering", cast(Callable[..., Any], rendered.fget))
    )
    _wrap(rest_framework.views.APIView, "dispatch", "DRF: dispatch (request wrap, negotiation, finalize)")
    _wrap(rest_framework.views.APIView, "perform_authentication", "DRF: token check (cached verified token)")
    _wrap(rest_framework.views.APIView, "check_permissions", "DRF: permissions")
    _wrap(botocore.client.BaseClient, "_make_api_call", "botocore: serialize, sign, parse")
    _wrap(botocore.endpoint.Endpoint, "_send", "botocore: HTTP send/receive (urllib3, sockets)")
    # Django's handlers bound `_get_response` into their middleware chains when they loaded them: rebuild
    # the chains of the handlers that exist now, or that layer's time would be charged to the innermost
    # middleware.
    base = django.core.handlers.base.BaseHandler
    for handler in gc.get_objects():  # type(), not isinstance(): lazy objects would set themselves up
        if issubclass(type(handler), base) and handler._middleware_chain is not None:
            handler.load_middleware()


def patch_view(view: type, method: str = "get") -> None:
    """The view's handler (input serializer, service, repository, output) as its own layer."""
    _wrap(view, method, "view: serializers, service, repository")


def reset() -> None:
    totals.clear()


def table(requests: int, *, rows: tuple[tuple[str, float], ...] = ()) -> str:
    """The breakdown as text: µs per request per layer (largest first), then `rows` as given."""
    lines = [f"   {'layer':66} {'us/request':>10}"]
    for label, seconds in sorted(totals.items(), key=lambda item: -item[1]):
        lines.append(f"   {label:66} {seconds / requests * 1e6:10.1f}")
    lines.append(f"   {'sum of the layers':66} {sum(totals.values()) / requests * 1e6:10.1f}")
    for label, micros in rows:
        lines.append(f"   {label:66} {micros:10.1f}")
    return "\n".join(lines)
