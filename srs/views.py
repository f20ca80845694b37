"""SRS routes (HEAD delta §5) and vocabulary from-word (§7). Identity: the verified token's `sub`.

Success bodies are HEAD's; errors keep this service's shape (`error`, `code`, `fields`).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema_serializer, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from games.records import vocabulary_id_for
from srs.fields import (
    JlptLevelsField,
    JsNumberIntegerField,
    JsTrimmedCharField,
    QuerySerializer,
    VocabularyIdField,
    id_problem,
)
from srs.records import Progress
from srs.services import (
    DEFAULT_DUE_LIMIT,
    MAX_BATCH_REVIEWS,
    MAX_DUE_LIMIT,
    srs_batch_review,
    srs_due,
    srs_progress_all,
    srs_progress_delete,
    srs_progress_get,
    srs_review,
    srs_stats,
    vocabulary_from_word,
)
from vela.fields import JsonObjectField, NumberField, StrictIntegerField, validated
from vela.identity import current_identity
from vela.openapi import ErrorSerializer, error_responses, extend_schema

MAX_TEXT = 10_000
SRS_ERRORS = (400, 401, 500, 502, 504)
CONFLICT = {409: OpenApiResponse(ErrorSerializer, description="The row kept changing under concurrent reviews.")}
JLPT_HELP = (
    'Comma-separated JLPT levels 1..5 ("5,4"); absent or empty: no filter. Vocabulary levels compare as numbers.'
)


class ProgressSerializer(serializers.Serializer):
    """A progress row (HEAD delta §5.1). Attributes a row lacks are left out."""

    user_id = serializers.CharField()
    vocabulary_id = serializers.CharField()
    next_review_date = serializers.CharField(help_text="ISO-8601 UTC with milliseconds; the index's sort key.")
    ease_factor = NumberField(help_text="Stored unrounded, e.g. 2.1799999999999997.")
    interval = serializers.IntegerField(help_text="Days; 0 for a word never reviewed.")
    repetitions = serializers.IntegerField()
    last_quality = serializers.IntegerField(required=False)
    last_reviewed_at = serializers.CharField(required=False)
    first_learned_at = serializers.CharField()
    total_reviews = serializers.IntegerField()
    correct_count = serializers.IntegerField()


def _progress(row: Progress) -> dict[str, Any]:
    return row.to_dict()


def _sub(request: Request) -> str:
    return current_identity(request).sub


def _path_id(vocabulary_id: str) -> str:
    if problem := id_problem(vocabulary_id):
        raise serializers.ValidationError({"vocabulary_id": [problem]})
    return vocabulary_id


class SrsDueView(APIView):
    @extend_schema_serializer(component_name="SrsDueQuery")
    class InputSerializer(QuerySerializer):
        limit = JsNumberIntegerField(min_value=1, max_value=MAX_DUE_LIMIT, required=False)
        jlpt = JlptLevelsField(required=False)

    @extend_schema(
        operation_id="srs_due",
        parameters=[
            OpenApiParameter(
                "limit",
                int,
                required=False,
                description='JavaScript Number() of the text (" 3 ", "0x10", "1e1" work), an integer '
                f"1..{MAX_DUE_LIMIT}; default {DEFAULT_DUE_LIMIT}.",
            ),
            OpenApiParameter("jlpt", str, required=False, description=JLPT_HELP),
        ],
        responses={
            200: inline_serializer(
                "SrsDueList",
                {
                    "items": inline_serializer(
                        "SrsDueItem",
                        {
                            "progress": ProgressSerializer(),
                            "vocabulary": JsonObjectField(allow_null=True, help_text="The stored word, or null."),
                        },
                        many=True,
                    ),
                    "total": serializers.IntegerField(
                        help_text="All due items (estimated when a JLPT walk stops early)."
                    ),
                },
            ),
            **error_responses(*SRS_ERRORS),
        },
        description="The caller's due words, most overdue first, from the NextReviewDateIndex (never a Scan).",
    )
    def get(self, request: Request) -> Response:
        user_id = _sub(request)
        data = validated(self.InputSerializer, request.query_params)
        items, total = srs_due(
            user_id=user_id, limit=data.get("limit", DEFAULT_DUE_LIMIT), jlpt_levels=data.get("jlpt")
        )
        body = {"items": [{"progress": i.progress.wire(), "vocabulary": i.vocabulary} for i in items], "total": total}
        return Response(body, status=status.HTTP_200_OK)


class SrsStatsView(APIView):
    @extend_schema_serializer(component_name="SrsStatsQuery")
    class InputSerializer(QuerySerializer):
        jlpt = JlptLevelsField(required=False)

    @extend_schema(
        operation_id="srs_stats",
        parameters=[OpenApiParameter("jlpt", str, required=False, description=JLPT_HELP)],
        responses={
            200: inline_serializer(
                "SrsStats",
                {
                    "total_items": serializers.IntegerField(),
                    "due_today": serializers.IntegerField(help_text="Due at this instant (UTC)."),
                    "mastery_breakdown": inline_serializer(
                        "SrsMastery",
                        {
                            "new": serializers.IntegerField(),
                            "learning": serializers.IntegerField(),
                            "reviewing": serializers.IntegerField(),
                            "mastered": serializers.IntegerField(),
                        },
                    ),
                    "average_ease_factor": NumberField(),
                    "total_reviews": serializers.IntegerField(),
                    "accuracy_rate": serializers.IntegerField(),
                },
            ),
            **error_responses(*SRS_ERRORS),
        },
        description="Statistics over the caller's words (a Query of the caller's rows, bounded).",
    )
    def get(self, request: Request) -> Response:
        user_id = _sub(request)
        payload = validated(self.InputSerializer, request.query_params)
        return Response(srs_stats(user_id=user_id, jlpt_levels=payload.get("jlpt")))


@extend_schema_serializer(component_name="SrsReviewInput")
class ReviewInputSerializer(serializers.Serializer):
    vocabulary_id = VocabularyIdField(min_length=1)
    quality = StrictIntegerField(min_value=0, max_value=5)


class SrsReviewView(APIView):
    InputSerializer = ReviewInputSerializer

    @extend_schema(
        operation_id="srs_review",
        request=ReviewInputSerializer,
        responses={
            200: inline_serializer("SrsReviewed", {"progress": ProgressSerializer()}),
            **error_responses(400, 401, 404, 500, 502, 504),
            **CONFLICT,
        },
        description="Record one review (SM-2). 404 `Vocabulary not found` for an unknown word. Concurrent reviews "
        "of one word are each applied (conditional writes, retried); 409 only if the row kept changing.",
    )
    def post(self, request: Request) -> Response:
        user_id = _sub(request)
        data = validated(self.InputSerializer, request.data)
        row = srs_review(user_id=user_id, vocabulary_id=data["vocabulary_id"], quality=data["quality"])
        return Response({"progress": _progress(row)})


class SrsProgressView(APIView):
    @extend_schema(
        operation_id="srs_progress_get",
        responses={
            200: inline_serializer(
                "SrsProgressFound", {"progress": ProgressSerializer(required=False, help_text="Absent: no row.")}
            ),
            **error_responses(*SRS_ERRORS),
        },
        description="The caller's row for the word; `{}` when there is none (as HEAD).",
    )
    def get(self, request: Request, vocabulary_id: str) -> Response:
        user_id = _sub(request)
        row = srs_progress_get(user_id=user_id, vocabulary_id=_path_id(vocabulary_id))
        return Response({"progress": _progress(row)} if row is not None else {})

    @extend_schema(
        operation_id="srs_progress_delete",
        responses={
            200: inline_serializer(
                "SrsProgressDeleted", {"success": serializers.BooleanField(), "message": serializers.CharField()}
            ),
            **error_responses(*SRS_ERRORS),
        },
        description="Delete the caller's row for the word; 200 also when there was none.",
    )
    def delete(self, request: Request, vocabulary_id: str) -> Response:
        user_id = _sub(request)
        srs_progress_delete(user_id=user_id, vocabulary_id=_path_id(vocabulary_id))
        return Response({"success": True, "message": "Progress deleted"})


class SrsAllView(APIView):
    @extend_schema(
        operation_id="srs_all",
        responses={
            200: inline_serializer(
                "SrsAll", {"items": ProgressSerializer(many=True), "total": serializers.IntegerField()}
            ),
            **error_responses(401, 500, 502, 504),
        },
        description="Every row of the caller in vocabulary_id order (a paged Query, at most 10 000 rows).",
    )
    def get(self, request: Request) -> Response:
        rows = srs_progress_all(user_id=_sub(request))
        return Response({"items": [_progress(row) for row in rows], "total": len(rows)})


class SrsBatchReviewView(APIView):
    @extend_schema_serializer(component_name="SrsBatchReviewInput")
    class InputSerializer(serializers.Serializer):
        reviews: serializers.ListSerializer[Any] = serializers.ListSerializer(
            child=ReviewInputSerializer(), max_length=MAX_BATCH_REVIEWS, allow_empty=True
        )

    @extend_schema(
        operation_id="srs_batch_review",
        request=InputSerializer,
        responses={
            200: inline_serializer(
                "SrsBatchReviewed",
                {
                    "success": serializers.BooleanField(),
                    "processed": serializers.IntegerField(),
                    "successful": serializers.IntegerField(),
                    "failed": serializers.IntegerField(),
                    "results": inline_serializer(
                        "SrsBatchResult",
                        {
                            "vocabulary_id": serializers.CharField(),
                            "success": serializers.BooleanField(),
                            "error": serializers.CharField(required=False),
                        },
                        many=True,
                    ),
                },
            ),
            **error_responses(*SRS_ERRORS),
        },
        description=f"Up to {MAX_BATCH_REVIEWS} reviews, de-duplicated by word (first position, last quality), "
        "each applied atomically; per-word failures are in `results`.",
    )
    def post(self, request: Request) -> Response:
        user_id = _sub(request)
        payload = validated(self.InputSerializer, request.data)
        reviews = [(r["vocabulary_id"], r["quality"]) for r in payload["reviews"]]
        return Response(srs_batch_review(user_id=user_id, reviews=reviews))


class VocabularyFromWordView(APIView):
    @extend_schema_serializer(component_name="VocabularyFromWordInput")
    class InputSerializer(serializers.Serializer):
        japanese_word = JsTrimmedCharField(max_length=MAX_TEXT)
        reading = JsTrimmedCharField(required=False, max_length=MAX_TEXT)
        english_translation = JsTrimmedCharField(max_length=MAX_TEXT)
        jlpt_level = StrictIntegerField(required=False, min_value=1, max_value=5)

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            vocabulary_id = vocabulary_id_for(attrs["japanese_word"], attrs.get("reading"))
            if problem := id_problem(vocabulary_id):
                raise serializers.ValidationError({"japanese_word": [f"The word's id is too long. {problem}"]})
            return attrs

    @extend_schema(
        operation_id="vocabulary_from_word",
        request=InputSerializer,
        responses={
            200: inline_serializer(
                "VocabularyFromWord",
                {
                    "vocabulary_id": serializers.CharField(help_text="NFKC(word)[:katakana(NFKC(reading))]."),
                    "created": serializers.BooleanField(help_text="True when this call wrote the vocabulary row."),
                    "alreadyInSRS": serializers.BooleanField(),
                },
            ),
            **error_responses(*SRS_ERRORS),
        },
        description="Add a word to the shared vocabulary (unless its deterministic id exists: found by key, "
        "no Scan) and to the caller's SRS deck (first review due in 24 h). Unknown body keys are ignored.",
    )
    def post(self, request: Request) -> Response:
        user_id = _sub(request)
        data = validated(self.InputSerializer, request.data)
        result = vocabulary_from_word(
            user_id=user_id,
            japanese_word=data["japanese_word"],
            reading=data.get("reading"),
            english_translation=data["english_translation"],
            jlpt_level=data.get("jlpt_level"),
        )
        body = {"vocabulary_id": result.vocabulary_id, "created": result.created, "alreadyInSRS": result.already_in_srs}
        return Response(body)
