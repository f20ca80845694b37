from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from auth_proxy.services import (
    Tokens,
    auth_auto_confirm,
    auth_auto_confirm_check_enabled,
    auth_refresh,
    auth_sign_in,
    auth_sign_out,
)
from vela.identity import caller_email, current_identity
from vela.json_body import json_object
from vela.openapi import ErrorSerializer, extend_schema
from vela.views import PublicAPIView

ERROR = ErrorSerializer  # the one error component (vela.openapi)
TOKENS = inline_serializer(
    "AuthTokens",
    {
        "success": serializers.BooleanField(),
        "message": serializers.CharField(),
        "tokens": inline_serializer(
            "AuthTokenSet",
            {
                "accessToken": serializers.CharField(),
                "refreshToken": serializers.CharField(),
                "idToken": serializers.CharField(),
            },
        ),
    },
)
SUCCESS = inline_serializer("AuthSuccess", {"success": serializers.BooleanField(), "message": serializers.CharField()})


def bearer(request: Request) -> str | None:
    """The token after an exact `Bearer ` prefix, as the original read it; anything else is no token."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    token = header[len("Bearer ") :] if header.startswith("Bearer ") else ""
    return token or None


def tokens_body(tokens: Tokens) -> dict[str, str]:
    return {"accessToken": tokens.access_token, "refreshToken": tokens.refresh_token, "idToken": tokens.id_token}


class PublicAuthView(PublicAPIView):
    """These routes relay to Cognito themselves: a stale Authorization header must not be verified here."""


class SignInView(PublicAuthView):
    @extend_schema(
        request=inline_serializer(
            "SignIn", {"email": serializers.CharField(min_length=1), "password": serializers.CharField(min_length=1)}
        ),
        responses={
            200: TOKENS,
            400: OpenApiResponse(ERROR, description="Email and password are required / Invalid JSON"),
            401: OpenApiResponse(ERROR, description="Invalid email or password / User not confirmed / challenge"),
            500: OpenApiResponse(ERROR, description="Sign in failed (with Cognito's error `name`), misconfiguration"),
        },
    )
    def post(self, request: Request) -> Response:
        payload = json_object(request)
        tokens = auth_sign_in(email=payload.get("email"), password=payload.get("password"))
        body = {"success": True, "message": "Sign in successful", "tokens": tokens_body(tokens)}
        return Response(body, status=status.HTTP_200_OK)


class RefreshView(PublicAuthView):
    @extend_schema(
        request=inline_serializer("Refresh", {"refreshToken": serializers.CharField(min_length=1)}),
        responses={
            200: TOKENS,
            400: OpenApiResponse(ERROR, description="Refresh token is required / Invalid JSON"),
            401: OpenApiResponse(ERROR, description="Invalid or expired refresh token"),
            500: OpenApiResponse(ERROR, description="Token refresh failed (with `name`), misconfiguration"),
        },
    )
    def post(self, request: Request) -> Response:
        payload = json_object(request)
        tokens = auth_refresh(refresh_token=payload.get("refreshToken"))
        body = {"success": True, "message": "Token refreshed successfully", "tokens": tokens_body(tokens)}
        return Response(body, status=status.HTTP_200_OK)


class SignOutView(PublicAuthView):
    """Always 200; with a valid access token every token of the user is revoked (GlobalSignOut)."""

    @extend_schema(request=None, responses={200: SUCCESS})
    def post(self, request: Request) -> Response:
        auth_sign_out(access_token=bearer(request))
        return Response({"success": True, "message": "Sign out successful"}, status=status.HTTP_200_OK)


class SessionView(APIView):
    """HEAD §8.1: behind the token check; the verified token is the session (no Cognito call for an ID token).

    ID and access tokens are both accepted (CONTRACT §2.1): an ID token's email is its claim (a
    string, else null); an access token's comes from Cognito GetUser (null if the user has none).
    """

    @extend_schema(
        responses={
            200: inline_serializer(
                "AuthSession",
                {
                    "authenticated": serializers.BooleanField(),
                    "user": inline_serializer(
                        "AuthSessionUser",
                        {"userId": serializers.CharField(), "email": serializers.CharField(allow_null=True)},
                    ),
                },
            ),
            401: OpenApiResponse(ERROR, description="Missing, malformed, invalid or expired token"),
            502: OpenApiResponse(ERROR, description="Cognito GetUser failed (access tokens only)"),
        }
    )
    def get(self, request: Request) -> Response:
        if request.user is None and settings.VELA_ALLOW_UNAUTHENTICATED_USER_ID:
            # Migration window: the December answer for a token-less check, so old builds show "signed out".
            return Response({"authenticated": False, "message": "No access token provided"}, status=status.HTTP_200_OK)
        identity = current_identity(request)
        user = {"userId": identity.sub, "email": caller_email(identity)}
        return Response({"authenticated": True, "user": user}, status=status.HTTP_200_OK)


class AutoConfirmView(PublicAuthView):
    """Dev stages only (AUTH_AUTO_CONFIRM_ENABLED); otherwise the route does not exist (404)."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        auth_auto_confirm_check_enabled()
        super().initial(request, *args, **kwargs)

    @extend_schema(
        request=inline_serializer("AutoConfirm", {"email": serializers.EmailField()}),
        responses={
            200: SUCCESS,
            400: OpenApiResponse(ERROR, description="Email is required / Invalid JSON"),
            404: OpenApiResponse(ERROR, description="User not found, or the route is disabled"),
            500: OpenApiResponse(ERROR, description="Failed to auto-confirm user, misconfiguration"),
        },
    )
    def post(self, request: Request) -> Response:
        payload = json_object(request)
        auth_auto_confirm(email=payload.get("email"))
        return Response({"success": True, "message": "User auto-confirmed successfully"}, status=status.HTTP_200_OK)
