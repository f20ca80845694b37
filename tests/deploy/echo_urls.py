"""A test-only URLconf: echoes what Django received, to check Zappa's event-to-WSGI translation."""

import base64

from django.http import HttpRequest, JsonResponse
from django.urls import re_path


def echo(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {
            "method": request.method,
            "path": request.path,
            "path_info": request.path_info,
            "script_name": request.META.get("SCRIPT_NAME", ""),
            "query": {k: request.GET.getlist(k) for k in request.GET},
            "content_type": request.content_type,
            "body_b64": base64.b64encode(request.body).decode(),
            "host": request.get_host(),
        }
    )


urlpatterns = [re_path(r"^.*$", echo)]
