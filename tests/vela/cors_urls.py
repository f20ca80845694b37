"""The dummy routes of the original's CORS tests (reference §8.1): GET/POST/PUT/DELETE /test."""

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def dummy(request: HttpRequest) -> JsonResponse:
    if request.method not in {"GET", "POST", "PUT", "DELETE"}:
        return JsonResponse({"error": "Not found.", "code": "not_found"}, status=404)
    return JsonResponse({"message": f"{request.method} success"})


def failing(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"error": "Bad thing.", "code": "bad"}, status=400)


urlpatterns = [path("test", dummy), path("test-error", failing)]
