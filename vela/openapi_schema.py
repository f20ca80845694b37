"""What drf-spectacular needs only while it builds a schema (`/api/schema`, `/api/docs`,
`manage.py spectacular`, `check --deploy`), kept out of start-up.

drf-spectacular registers an extension when its class is defined, and importing the extension base
class pulls in its plumbing (64 modules, django.test among them: ~6% of a Lambda cold start here). This module is
`DEFAULT_SCHEMA_CLASS`, which every schema build imports before it inspects a view, so the
extensions below are always registered in time and never imported by a request that builds none;
importing it also applies the views' `vela.openapi.extend_schema` options.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension

from vela.openapi import apply_deferred_schemas


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's inspector, unchanged; importing it registers the extensions of this module."""


class CognitoBearerScheme(OpenApiAuthenticationExtension):
    """Documents `vela.identity.CognitoAuthentication`."""

    target_class = "vela.identity.CognitoAuthentication"
    name = "cognitoBearer"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "Cognito ID or access token of the pool/client in settings (RS256, verified locally).",
        }


# Last: drf-spectacular's decorator resolves DEFAULT_SCHEMA_CLASS (this module's AutoSchema) as it runs.
apply_deferred_schemas()
