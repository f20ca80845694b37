"""Profiles (reference §5.7). Identity from the verified token; `user_id`, when sent, must match it."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from profiles.serializers import ProfileSerializer
from profiles.services import profile_create, profile_get_or_create, profile_update
from vela.fields import USER_ID_HELP, JsonObjectField, StrictCharField, user_id_field
from vela.identity import resolve_user_id
from vela.openapi import USER_ERRORS, error_responses
from vela.query_params import validated_query

# One instance for every response: its to_representation is stateless, and building a serializer
# per request (DRF deep-copies its fields) is measurable on this hot path.
PROFILE_OUTPUT = ProfileSerializer()
TEXT_MAX = 2048


class ProfileDetailView(APIView):
    @extend_schema_serializer(component_name="ProfileQuery")
    class InputSerializer(serializers.Serializer):
        user_id = user_id_field()

    @extend_schema(
        operation_id="profiles_get",
        parameters=[OpenApiParameter("user_id", str, required=False, description=USER_ID_HELP)],
        responses={
            200: inline_serializer("ProfileEnvelope", {"profile": ProfileSerializer()}),
            **error_responses(*USER_ERRORS),
        },
        description="The caller's profile; a default one is created on first read.",
    )
    def get(self, request: Request) -> Response:
        claimed = validated_query(self.InputSerializer, request.query_params).get("user_id")
        user_id = resolve_user_id(request, claimed, forbidden="Forbidden: Cannot access another user's profile")
        profile = profile_get_or_create(user_id=user_id)
        return Response({"profile": PROFILE_OUTPUT.to_representation(profile)}, status=status.HTTP_200_OK)


class ProfileUpdateView(APIView):
    @extend_schema_serializer(component_name="ProfileUpdateInput")
    class InputSerializer(serializers.Serializer):
        user_id = user_id_field()
        username = StrictCharField(required=False, allow_blank=True, max_length=TEXT_MAX)
        avatar_url = StrictCharField(required=False, allow_blank=True, max_length=TEXT_MAX)
        native_language = StrictCharField(required=False, allow_blank=True, max_length=64)
        preferences = JsonObjectField(
            required=False,
            help_text="A JSON object of at most 64 KiB (as JSON) and 32 levels of nesting; no empty keys; "
            "numbers DynamoDB can store. Replaces the stored map.",
        )

    @extend_schema(
        operation_id="profiles_update",
        request=InputSerializer,
        responses={
            200: inline_serializer(
                "ProfileUpdated", {"success": serializers.BooleanField(), "profile": ProfileSerializer()}
            ),
            **error_responses(*USER_ERRORS),
        },
        description="SET the given fields and `updated_at` (creates a partial profile when none exists). "
        "`preferences` replaces the whole map.",
    )
    def put(self, request: Request) -> Response:
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        changes = dict(payload.validated_data)
        user_id = resolve_user_id(
            request, changes.pop("user_id", None), forbidden="Forbidden: Cannot update another user's profile"
        )
        profile = profile_update(user_id=user_id, changes=changes)
        return Response(
            {"success": True, "profile": PROFILE_OUTPUT.to_representation(profile)}, status=status.HTTP_200_OK
        )


class ProfileCreateView(APIView):
    @extend_schema_serializer(component_name="ProfileCreateInput")
    class InputSerializer(serializers.Serializer):
        user_id = user_id_field()
        email = serializers.EmailField(required=False, max_length=320)
        username = StrictCharField(required=False, allow_blank=True, max_length=TEXT_MAX)

    @extend_schema(
        operation_id="profiles_create",
        request=InputSerializer,
        responses={
            200: inline_serializer(
                "ProfileCreated",
                {
                    "success": serializers.BooleanField(),
                    "message": serializers.CharField(required=False, help_text='"Profile already exists"'),
                },
            ),
            **error_responses(*USER_ERRORS),
        },
        description="Create the caller's profile. An existing profile is not reset (200 with "
        '`"message": "Profile already exists"`); it only gains `username` when it has none.',
    )
    def post(self, request: Request) -> Response:
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        user_id = resolve_user_id(
            request, data.get("user_id"), forbidden="Forbidden: Cannot create profile for another user"
        )
        created = profile_create(user_id=user_id, email=data.get("email"), username=data.get("username"))
        body = {"success": True} if created else {"success": True, "message": "Profile already exists"}
        return Response(body, status=status.HTTP_200_OK)
