"""What django-cors-headers doesn't do for CONTRACT §2.7 / reference §3.1.

Sits just outside `corsheaders.middleware.CorsMiddleware`, which still sets `Access-Control-Allow-Origin`,
`-Credentials` and `Vary` for allowed origins on normal responses. This middleware adds:

- a 403 JSON for any non-OPTIONS request whose `Origin` is not in `CORS_ALLOWED_ORIGINS` (exact match);
- a 204 for every `OPTIONS` request, without routing it: bare for a disallowed origin, with the allow
  headers (and, for an allowed origin, Allow-Origin/Credentials) otherwise;
- `Access-Control-Allow-Headers`/`-Methods` on every response to an allowed or absent origin;
- browser-extension origins (HEAD §4.1): each id of `CORS_ALLOWED_EXTENSION_IDS` allows
  `chrome-extension://<id>` and `moz-extension://<id>`, on preflights and actual requests, with
  `Access-Control-Allow-Origin` but without `-Credentials` (as HEAD; the extension sends a bearer
  token, not cookies). django-cors-headers does not know these origins, so this middleware sets them.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.utils.cache import patch_vary_headers

FORBIDDEN_ORIGIN = "CORS policy violation: Origin not allowed"
EXTENSION_SCHEMES = ("chrome-extension", "moz-extension")


def is_extension_origin(origin: str) -> bool:
    """An exact `chrome-extension://<id>` or `moz-extension://<id>` of a configured extension id."""
    scheme, sep, ext_id = origin.partition("://")
    return bool(sep) and scheme in EXTENSION_SCHEMES and ext_id in settings.CORS_ALLOWED_EXTENSION_IDS


class CorsPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        origin = request.META.get("HTTP_ORIGIN")
        web = origin is not None and origin in settings.CORS_ALLOWED_ORIGINS
        extension = origin is not None and not web and is_extension_origin(origin)
        allowed = web or extension
        if origin is not None and not allowed:
            if request.method == "OPTIONS":
                return HttpResponse(status=204)
            return JsonResponse({"error": FORBIDDEN_ORIGIN, "code": "cors_origin_not_allowed"}, status=403)
        if request.method == "OPTIONS":
            response: HttpResponseBase = HttpResponse(status=204)
            if allowed:
                response["Access-Control-Allow-Origin"] = str(origin)
                if web:
                    response["Access-Control-Allow-Credentials"] = "true"
                response["Vary"] = "Origin"
        else:
            response = self.get_response(request)
            if extension:
                response["Access-Control-Allow-Origin"] = str(origin)
                patch_vary_headers(response, ("Origin",))
        response["Access-Control-Allow-Headers"] = ", ".join(settings.CORS_ALLOW_HEADERS)
        response["Access-Control-Allow-Methods"] = ", ".join(settings.CORS_ALLOW_METHODS)
        return response
