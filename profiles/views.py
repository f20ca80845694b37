"""Profiles (reference §5.7). Identity from the verified token; `user_id`, when sent, must match it."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_serializer, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from profiles.preferences import PreferencesSerializer
from profiles.serializers import ProfileSerializer
from profiles.services import profile_create, profile_get_or_create, profile_update
from vela.fields import USER_ID_QUERY, StrictCharField, UserIdQuerySerializer, user_id_field, validated
from vela.identity import resolve_user_id
from vela.openapi import USER_ERRORS, error_responses, extend_schema

# One instance for every response: its to_representation is stateless, and building a serializer
# per request (DRF deep-copies its fields) is measurable on this hot path.
PROFILE_OUTPUT = ProfileSerializer()
TEXT_MAX = 2048


class ProfileDetailView(APIView):
    @extend_schema(
        operation_id="profiles_get",
        parameters=[USER_ID_QUERY],
        responses={
            200: inline_serializer("ProfileEnvelope", {"profile": ProfileSerializer()}),
            **error_responses(*USER_ERRORS),
        },
        description="The caller's profile; a default one is created on first read. `preferences` are "
        "normalised in the response (not written back): the four numbers always present (a missing, "
        "non-numeric or out-of-range value is its default, a fraction truncated), unknown keys and "
        "invalid `difficulty`/`notifications` left out.",
    )
    def get(self, request: Request) -> Response:
        claimed = validated(UserIdQuerySerializer, request.query_params).get("user_id")
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
        preferences = PreferencesSerializer(
            required=False,
            help_text="HEAD's preferences (unknown keys dropped). Normalised and stored as the whole map: "
            "keys not sent are lost, the four numbers take their defaults (30, 5, 6, 0) when not sent, and "
            "`todayStudyTime` is stored as its integer part, or 0 outside 0..1440.",
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
        "`preferences` are validated, normalised and replace the whole map. The response is the item as "
        "stored.",
    )
    def put(self, request: Request) -> Response:
        changes = validated(self.InputSerializer, request.data)
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
        data = validated(self.InputSerializer, request.data)
        user_id = resolve_user_id(
            request, data.get("user_id"), forbidden="Forbidden: Cannot create profile for another user"
        )
        created = profile_create(user_id=user_id, email=data.get("email"), username=data.get("username"))
        body = {"success": True} if created else {"success": True, "message": "Profile already exists"}
        return Response(body, status=status.HTTP_200_OK)
