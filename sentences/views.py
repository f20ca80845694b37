"""Saved sentences over HTTP (reference §5.10); identity = the caller's email (CONTRACT §2.1)."""

from __future__ import annotations

from typing import Any

from django.core.validators import RegexValidator
from drf_spectacular.utils import OpenApiParameter, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sentences.services import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    MAX_SENTENCE_CHARS,
    list_limit,
    saved_sentence_create,
    saved_sentence_delete,
    saved_sentence_list,
)
from vela.identity import resolve_email
from vela.openapi import ErrorSerializer, extend_schema

ERROR = ErrorSerializer  # the one error component (vela.openapi)
WIRE_EXTRAS = (("sourceUrl", "source_url"), ("context", "context"))
ERRORS = {400: ERROR, 401: ERROR, 413: ERROR, 500: ERROR, 502: ERROR, 504: ERROR}


class SavedSentenceOutputSerializer(serializers.Serializer):
    user_id = serializers.CharField(help_text="The owner's email (legacy partition key).")
    sentence_id = serializers.CharField(help_text="`<epoch-ms>-<8 hex>`, or `<timestamp or 0>-<idempotencyKey>`")
    sentence = serializers.CharField()
    source_url = serializers.JSONField(required=False, help_text="As sent by the client; absent when not sent.")
    # The wire name `context` shadows Field.context in the stubs; DRF's metaclass moves it into `fields`.
    context = serializers.JSONField(  # type: ignore[assignment]
        required=False, help_text="As sent by the client; absent when not sent."
    )
    created_at = serializers.IntegerField(help_text="Epoch milliseconds.")
    updated_at = serializers.IntegerField(help_text="Epoch milliseconds.")


class SavedSentenceListCreateView(APIView):
    """`POST /api/my-dictionaries` saves a sentence; `GET /api/my-dictionaries?limit=` lists them newest first."""

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "SavedSentenceCreateInput"  # unique OpenAPI component name

        sentence = serializers.CharField(
            min_length=1,
            max_length=MAX_SENTENCE_CHARS,
            validators=[RegexValidator(r"\S")],  # not only blanks
            help_text=f"Required, not blank; trimmed before it is stored; at most {MAX_SENTENCE_CHARS} characters.",
        )
        sourceUrl = serializers.JSONField(required=False, allow_null=True)
        context = serializers.JSONField(required=False, allow_null=True)  # type: ignore[assignment]  # see above
        idempotencyKey = serializers.CharField(
            required=False,
            help_text="Offline saves: the id becomes `<timestamp or 0>-<idempotencyKey>` and a replay stores "
            "nothing new, answering with the sentence first stored. Ignored unless a string.",
        )
        timestamp = serializers.IntegerField(
            required=False, help_text="Epoch ms of the offline save, part of the idempotent id (numbers only)."
        )

    @extend_schema(
        operation_id="my_dictionaries_create",
        request=InputSerializer,
        responses={
            200: inline_serializer(
                "SavedSentenceCreated", {"success": serializers.BooleanField(), "data": SavedSentenceOutputSerializer()}
            ),
            **ERRORS,
        },
    )
    def post(self, request: Request) -> Response:
        email = resolve_email(request)  # auth before the body, as the original
        # InputSerializer documents the body; the service validates it so the original's
        # "Sentence is required" (for any missing/blank/non-string sentence or non-object body) stays.
        data: Any = request.data if isinstance(request.data, dict) else {}
        extras = {name: data[wire] for wire, name in WIRE_EXTRAS if wire in data}
        # HEAD §8.8: `idempotencyKey` counts only as a string, `timestamp` only as a number.
        key = data.get("idempotencyKey")
        record = saved_sentence_create(
            email=email,
            sentence=data.get("sentence"),
            extras=extras,
            idempotency_key=key if isinstance(key, str) else None,
            timestamp=data.get("timestamp"),
        )
        body = {"success": True, "data": SavedSentenceOutputSerializer(record.as_wire()).data}
        return Response(body, status=status.HTTP_200_OK)

    @extend_schema(
        operation_id="my_dictionaries_list",
        parameters=[
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1},
                description=f"parseInt base 10; default {DEFAULT_LIMIT}, also for 0, negative or non-numeric values; "
                f"larger values are capped at {MAX_LIMIT}.",
            )
        ],
        responses={
            200: inline_serializer(
                "SavedSentenceList",
                {"success": serializers.BooleanField(), "data": SavedSentenceOutputSerializer(many=True)},
            ),
            **ERRORS,
        },
    )
    def get(self, request: Request) -> Response:
        email = resolve_email(request)
        # HEAD §8.8: the first value, parseInt base 10; anything but a positive number means 50.
        first = next(iter(request.query_params.getlist("limit")), None)
        records = saved_sentence_list(email=email, limit=list_limit(first))
        data = SavedSentenceOutputSerializer([r.as_wire() for r in records], many=True).data
        return Response({"success": True, "data": data}, status=status.HTTP_200_OK)


class SavedSentenceDetailView(APIView):
    """`DELETE /api/my-dictionaries/<sentenceId>`: idempotent delete of one of the caller's sentences."""

    @extend_schema(
        operation_id="my_dictionaries_delete",
        responses={
            200: inline_serializer(
                "SavedSentenceDeleted", {"success": serializers.BooleanField(), "message": serializers.CharField()}
            ),
            **ERRORS,
        },
    )
    def delete(self, request: Request, sentence_id: str) -> Response:
        email = resolve_email(request)
        saved_sentence_delete(email=email, sentence_id=sentence_id)
        return Response({"success": True, "message": "Sentence deleted successfully"}, status=status.HTTP_200_OK)
