"""Games content (HEAD §8.6): public data, no authentication (a stale token can't break it).

`limit` is coerced like JavaScript `Number()` and must be a positive integer (values above MAX_LIMIT
are capped); `jlpt` is HEAD's level list. The answer names the filters it applied.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, inline_serializer
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
from vela.openapi import PUBLIC_ERRORS, error_responses, extend_schema
from vela.query_params import jlpt_levels, positive_int
from vela.views import PublicAPIView

LIMIT_HELP = (
    'Coerced like JavaScript Number() (" 3 " -> 3, "0x10" -> 16, "1e1" -> 10); must be a positive integer '
    f"(400 otherwise, and for a repeated parameter); absent -> {{default}}; values above {MAX_LIMIT} are capped."
)
JLPT_HELP = (
    'Comma-separated JLPT levels 1..5 ("5,4"); absent or empty -> all levels. Matches items whose numeric '
    "`jlpt_level` is listed (a string level never matches), read from the `JlptLevelIndex` GSI (one Query "
    "per level, matching items only, at most 1000); a random `limit` of them is returned."
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


def filters_from(request: Request, default: int) -> tuple[int, list[int] | None]:
    """(limit, levels) from the query, HEAD's validation; 400 with `fields` on a bad value."""
    errors: dict[str, Any] = {}
    limit, levels = default, None
    try:
        limit = positive_int(request.query_params, "limit", default=default, maximum=MAX_LIMIT)
    except serializers.ValidationError as exc:
        errors.update(exc.detail)  # type: ignore[arg-type]
    try:
        levels = jlpt_levels(request.query_params)
    except serializers.ValidationError as exc:
        errors.update(exc.detail)  # type: ignore[arg-type]
    if errors:
        raise serializers.ValidationError(errors)
    return limit, levels


def filters_body(limit: int, levels: list[int] | None) -> dict[str, Any]:
    return {"jlpt_levels": levels if levels else "all", "limit": limit}


FILTERS = inline_serializer(
    "GameFilters",
    {
        "jlpt_levels": serializers.JSONField(help_text='The levels applied, or "all".'),
        "limit": serializers.IntegerField(),
    },
)


def _parameters(default: int) -> list[OpenApiParameter]:
    return [
        # Read like JS Number(); values over the cap are capped, so the schema states only the lower bound.
        OpenApiParameter(
            "limit", {"type": "integer", "minimum": 1}, required=False, description=LIMIT_HELP.format(default=default)
        ),
        OpenApiParameter("jlpt", str, required=False, description=JLPT_HELP),
    ]


class GameVocabularyListView(PublicAPIView):
    """A random selection; items are returned exactly as stored (any extra attributes included)."""

    @extend_schema(
        operation_id="games_vocabulary",
        parameters=_parameters(DEFAULT_VOCABULARY_LIMIT),
        responses={
            200: inline_serializer(
                "VocabularyList", {"vocabulary": VocabularyOutputSerializer(many=True), "filters": FILTERS}
            ),
            **error_responses(*PUBLIC_ERRORS),
        },
        auth=[],
    )
    def get(self, request: Request) -> Response:
        limit, levels = filters_from(request, DEFAULT_VOCABULARY_LIMIT)
        items = vocabulary_list(limit=limit, levels=levels)
        body = {"vocabulary": [item.to_dict() for item in items], "filters": filters_body(limit, levels)}
        return Response(body, status=status.HTTP_200_OK)


class GameSentenceListView(PublicAPIView):
    """A random selection; items are returned exactly as stored (any extra attributes included)."""

    @extend_schema(
        operation_id="games_sentences",
        parameters=_parameters(DEFAULT_SENTENCE_LIMIT),
        responses={
            200: inline_serializer(
                "SentenceList", {"sentences": SentenceOutputSerializer(many=True), "filters": FILTERS}
            ),
            **error_responses(*PUBLIC_ERRORS),
        },
        auth=[],
    )
    def get(self, request: Request) -> Response:
        limit, levels = filters_from(request, DEFAULT_SENTENCE_LIMIT)
        items = sentence_list(limit=limit, levels=levels)
        body = {"sentences": [item.to_dict() for item in items], "filters": filters_body(limit, levels)}
        return Response(body, status=status.HTTP_200_OK)
