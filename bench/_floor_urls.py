"""The floor app's views and routes (bench/_floor_app.py): the raw boto3 get_item, returned as is,
and a constant health answer for start-up checks."""

from __future__ import annotations

import os

from _floor_app import dynamodb
from django.urls import path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


class ProfileFloor(APIView):
    def get(self, request: Request) -> Response:
        key = {"user_id": {"S": request.META.get("HTTP_X_FLOOR_USER", "")}}
        found = dynamodb().get_item(TableName=os.environ["FLOOR_TABLE"], Key=key)
        return Response({"profile": found.get("Item")})


class Health(APIView):
    def get(self, request: Request) -> Response:
        return Response({"status": "ok"})


urlpatterns = [path("api/profiles", ProfileFloor.as_view()), path("api/health", Health.as_view())]
