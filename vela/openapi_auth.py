"""Tells drf-spectacular that CognitoAuthentication is a bearer JWT (imported by VelaConfig.ready)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class CognitoBearerScheme(OpenApiAuthenticationExtension):
    target_class = "vela.identity.CognitoAuthentication"
    name = "cognitoBearer"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "bearerFormat": "JWT (Cognito ID or access token)"}
