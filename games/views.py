"""Games content (reference §5.4): public data, no authentication (a stale token can't break it)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from games.services import (
    DEFAULT_SENTENCE_LIMIT,
    DEFAULT_VOCABULARY_LIMIT,
    MAX_LIMIT,
    sentence_list,
    vocabulary_list,
)
from vela.fields import JsParseIntField
from vela.openapi import PUBLIC_ERRORS, error_responses
from vela.views import PublicAPIView

LIMIT_HELP = (
    'Parsed like JavaScript parseInt ("10abc" -> 10, "3.9" -> 3, "0x10" -> 16); absent or empty -> {default}; '
    f"must end up between 1 and {MAX_LIMIT} (400 otherwise, and for a repeated parameter)."
)


class VocabularyOutputSerializer(serializers.Serializer):
    id = serializers.CharField()
    japanese_word = serializers.CharField()
    hiragana = serializers.CharField(required=False)
    katakana = serializers.CharField(required=False)
    romaji = serializers.CharField(required=False)
    english_translation = serializers.CharField()
    difficulty_level = serializers.JSONField(required=False)
    category = serializers.CharField(required=False)
    example_sentence_jp = serializers.CharField(required=False)
    example_sentence_en = serializers.CharField(required=False)
    audio_url = serializers.CharField(required=False)
    created_at = serializers.CharField()


class SentenceOutputSerializer(serializers.Serializer):
    id = serializers.CharField()
    japanese_sentence = serializers.CharField()
    english_translation = serializers.CharField()
    difficulty_level = serializers.JSONField(required=False)
    category = serializers.CharField(required=False)
    created_at = serializers.CharField()
    words_array = serializers.ListField(child=serializers.CharField())


def limit_input(default: int) -> type[serializers.Serializer]:
    class InputSerializer(serializers.Serializer):
        limit = JsParseIntField(min_value=1, max_value=MAX_LIMIT, required=False)

        def to_internal_value(self, data: Any) -> dict[str, Any]:
            if len(data.getlist("limit")) > 1:
                raise serializers.ValidationError({"limit": ["Expected a single value."]})
            if data.get("limit", "") == "":
                return {"limit": default}
            return super().to_internal_value(data)

    return InputSerializer


def _limit_parameter(default: int) -> OpenApiParameter:
    bounds = {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}  # read like JS parseInt ("10abc" is 10)
    return OpenApiParameter("limit", bounds, required=False, description=LIMIT_HELP.format(default=default))


class GameVocabularyListView(PublicAPIView):
    """Items are returned exactly as stored (any extra attributes included)."""

    InputSerializer = limit_input(DEFAULT_VOCABULARY_LIMIT)

    @extend_schema(
        operation_id="games_vocabulary",
        parameters=[_limit_parameter(DEFAULT_VOCABULARY_LIMIT)],
        responses={
            200: inline_serializer("VocabularyList", {"vocabulary": VocabularyOutputSerializer(many=True)}),
            **error_responses(*PUBLIC_ERRORS),
        },
        auth=[],
    )
    def get(self, request: Request) -> Response:
        payload = self.InputSerializer(data=request.query_params)
        payload.is_valid(raise_exception=True)
        items = vocabulary_list(limit=payload.validated_data["limit"])
        return Response({"vocabulary": [item.to_dict() for item in items]}, status=status.HTTP_200_OK)


class GameSentenceListView(PublicAPIView):
    """Items are returned exactly as stored (any extra attributes included)."""

    InputSerializer = limit_input(DEFAULT_SENTENCE_LIMIT)

    @extend_schema(
        operation_id="games_sentences",
        parameters=[_limit_parameter(DEFAULT_SENTENCE_LIMIT)],
        responses={
            200: inline_serializer("SentenceList", {"sentences": SentenceOutputSerializer(many=True)}),
            **error_responses(*PUBLIC_ERRORS),
        },
        auth=[],
    )
    def get(self, request: Request) -> Response:
        payload = self.InputSerializer(data=request.query_params)
        payload.is_valid(raise_exception=True)
        items = sentence_list(limit=payload.validated_data["limit"])
        return Response({"sentences": [item.to_dict() for item in items]}, status=status.HTTP_200_OK)
