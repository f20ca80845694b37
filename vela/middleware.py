"""Last line of defence: any exception that escapes a view becomes a logged JSON 500.

Django's own handler500 only applies with DEBUG off; this answers JSON either way and never
puts a traceback in the response.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse

logger = logging.getLogger("vela.errors")


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
