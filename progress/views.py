"""Progress (reference §5.5). Identity from the verified token; `user_id`, when sent, must match it."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema_serializer, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from progress.services import progress_analytics, progress_record_game_session
from vela.fields import (
    USER_ID_QUERY,
    NumberField,
    StrictCharField,
    StrictNumberField,
    UserIdQuerySerializer,
    user_id_field,
    validated,
)
from vela.identity import resolve_user_id
from vela.openapi import USER_ERRORS, ErrorSerializer, error_responses, extend_schema

CONFLICT = {
    409: OpenApiResponse(
        ErrorSerializer,
        description="The profile or the day kept changing under concurrent games (`progress_conflict`).",
    )
}
# Game figures are bounded so sums stay exact in DynamoDB (38 digits); the original took any finite number.
GAME_NUMBER_BOUND = 1e9


class AnalyticsOutputSerializer(serializers.Serializer):
    """Wire names (camelCase) of the original."""

    totalExperience = NumberField()
    experienceToNextLevel = NumberField()
    currentLevel = NumberField()
    wordsLearned = NumberField()
    sentencesCompleted = NumberField()
    averageAccuracy = NumberField()
    dailyProgress = serializers.ListField(child=serializers.DictField())
    learningStreak = inline_serializer(
        "LearningStreak",
        {
            "current_streak": NumberField(),
            "longest_streak": NumberField(),
            "start_date": serializers.CharField(),
            "is_active": serializers.BooleanField(),
        },
    )
    achievements = serializers.ListField(child=serializers.DictField())


class ProgressAnalyticsView(APIView):
    @extend_schema(
        operation_id="progress_analytics",
        parameters=[USER_ID_QUERY],
        responses={200: AnalyticsOutputSerializer, **error_responses(404, *USER_ERRORS)},
        description="Analytics derived from the caller's profile; 404 `User profile not found` without one.",
    )
    def get(self, request: Request) -> Response:
        payload = validated(UserIdQuerySerializer, request.query_params)
        user_id = resolve_user_id(
            request, payload.get("user_id"), forbidden="Forbidden: Cannot access another user's progress"
        )
        analytics = progress_analytics(user_id=user_id)
        return Response(AnalyticsOutputSerializer(analytics).data, status=status.HTTP_200_OK)


def _game_number() -> StrictNumberField:
    return StrictNumberField(min_value=-GAME_NUMBER_BOUND, max_value=GAME_NUMBER_BOUND)


class GameSessionRecordView(APIView):
    @extend_schema_serializer(component_name="GameSessionInput")
    class InputSerializer(serializers.Serializer):
        user_id = user_id_field()
        game_type = StrictCharField(max_length=64)
        score = _game_number()
        duration_seconds = _game_number()
        questions_answered = _game_number()
        correct_answers = _game_number()
        experience_gained = _game_number()

    @extend_schema(
        operation_id="progress_game_session",
        request=InputSerializer,
        responses={
            200: inline_serializer("GameSessionRecorded", {"success": serializers.BooleanField()}),
            **error_responses(*USER_ERRORS),
            **CONFLICT,
        },
        description="Store a finished game; add it atomically to today's (UTC) progress and the profile's experience.",
    )
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        user_id = resolve_user_id(
            request, data.pop("user_id", None), forbidden="Forbidden: Cannot record game session for another user"
        )
        progress_record_game_session(user_id=user_id, **data)
        return Response({"success": True}, status=status.HTTP_200_OK)
