from __future__ import annotations

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from health.services import SUCCESS_DETAILS, dsql_probe
from vela.openapi import extend_schema
from vela.views import PublicAPIView


class LivenessView(PublicAPIView):
    """No dependencies: answers as long as the process serves requests."""

    @extend_schema(responses=inline_serializer("Liveness", {"status": serializers.CharField()}))
    def get(self, request: Request) -> Response:
        return Response({"status": "ok"}, status=status.HTTP_200_OK)


class DsqlHealthView(PublicAPIView):
    """SELECT 1 against Aurora DSQL through the `dsql` backend (reference §5.6 bodies)."""

    @extend_schema(
        responses={
            200: inline_serializer(
                "DsqlHealthOk", {"status": serializers.CharField(), "details": serializers.CharField()}
            ),
            500: inline_serializer(
                "DsqlHealthError", {"status": serializers.CharField(), "error": serializers.CharField()}
            ),
        }
    )
    def get(self, request: Request) -> Response:
        result = dsql_probe()
        if result.ok:
            return Response({"status": "ok", "details": SUCCESS_DETAILS}, status=status.HTTP_200_OK)
        return Response({"status": "error", "error": result.error}, status=status.HTTP_500_INTERNAL_SERVER_ERROR)
