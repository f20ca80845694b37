"""What django-cors-headers doesn't do for CONTRACT §2.7 / reference §3.1.

Sits just outside `corsheaders.middleware.CorsMiddleware`, which still sets `Access-Control-Allow-Origin`,
`-Credentials` and `Vary` for allowed origins on normal responses. This middleware adds:

- a 403 JSON for any non-OPTIONS request whose `Origin` is not in `CORS_ALLOWED_ORIGINS` (exact match);
- a 204 for every `OPTIONS` request, without routing it: bare for a disallowed origin, with the allow
  headers (and, for an allowed origin, Allow-Origin/Credentials) otherwise;
- `Access-Control-Allow-Headers`/`-Methods` on every response to an allowed or absent origin.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase

FORBIDDEN_ORIGIN = "CORS policy violation: Origin not allowed"


class CorsPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        origin = request.META.get("HTTP_ORIGIN")
        allowed = origin is not None and origin in settings.CORS_ALLOWED_ORIGINS
        if origin is not None and not allowed:
            if request.method == "OPTIONS":
                return HttpResponse(status=204)
            return JsonResponse({"error": FORBIDDEN_ORIGIN, "code": "cors_origin_not_allowed"}, status=403)
        if request.method == "OPTIONS":
            response: HttpResponseBase = HttpResponse(status=204)
            if allowed:
                response["Access-Control-Allow-Origin"] = str(origin)
                response["Access-Control-Allow-Credentials"] = "true"
                response["Vary"] = "Origin"
        else:
            response = self.get_response(request)
        response["Access-Control-Allow-Headers"] = ", ".join(settings.CORS_ALLOW_HEADERS)
        response["Access-Control-Allow-Methods"] = ", ".join(settings.CORS_ALLOW_METHODS)
        return response
