"""JSON answers for paths no route matches (CONTRACT §2.2), and the base class of public routes."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView


def not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse({"error": "Not found.", "code": "not_found"}, status=404)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """handler400: Django's request errors raised outside vela.middleware's reach (DEBUG off)."""
    from vela.middleware import error_response, request_error

    return (request_error(exception) if exception is not None else None) or error_response(
        400, "bad_request", "Bad request."
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(
        {"error": "You do not have permission to perform this action.", "code": "forbidden"}, status=403
    )


def server_error(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"error": "Internal server error.", "code": "server_error"}, status=500)


class PublicAPIView(APIView):
    """A route any caller may use: no token is read and none is required.

    Every other view is protected by the DRF defaults (`vela.permissions.CallerIdentified` after
    `vela.identity.CognitoAuthentication`); opting out is this base class, visible in the view's
    declaration.
    """

    authentication_classes = ()
    permission_classes = (AllowAny,)
