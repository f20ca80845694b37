"""OpenAPI pieces shared by every view: the one error shape (CONTRACT §2.2) and its responses."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """The one error body of every route (component `Error`)."""

    error = serializers.CharField(help_text="Human-readable message.")
    code = serializers.CharField(help_text="Stable snake_case code.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Validation errors per field (400 `invalid` only).",
    )
    name = serializers.CharField(required=False, help_text="Cognito's error name (auth routes only).")


_DESCRIPTIONS = {
    400: "Invalid input (`invalid`, `malformed_json`).",
    401: "Missing, expired or invalid Cognito token.",
    403: "`user_id` names another user, or the Origin is not allowed (CORS).",
    404: "Not found.",
    413: "Request body too large.",
    500: "Server misconfigured (e.g. a DynamoDB table is missing) or unexpected error.",
    502: "DynamoDB or another upstream failed.",
    504: "Upstream timed out.",
}


def error_responses(*statuses: int) -> dict[int, Any]:
    return {code: OpenApiResponse(ErrorSerializer, description=_DESCRIPTIONS[code]) for code in statuses}


USER_ERRORS = (400, 401, 403, 500, 502, 504)
PUBLIC_ERRORS = (400, 500, 502, 504)


class CognitoBearerScheme(OpenApiAuthenticationExtension):
    """Documents `vela.identity.CognitoAuthentication` (registered on import of this module)."""

    target_class = "vela.identity.CognitoAuthentication"
    name = "cognitoBearer"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "Cognito ID or access token of the pool/client in settings (RS256, verified locally).",
        }
