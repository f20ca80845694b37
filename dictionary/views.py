"""`GET /api/dictionary/lookup` (HEAD §6): a verified caller (auth is only a gate), Jisho behind it."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dictionary.services import dictionary_lookup
from vela.fields import validated
from vela.openapi import ErrorSerializer, error_responses, extend_schema

CACHE_CONTROL = "private, max-age=86400"
QUERY_MAX = 256


class LookupOutputSerializer(serializers.Serializer):
    word = serializers.CharField(help_text="The chosen variant's word, else the (trimmed) query word.")
    reading = serializers.CharField(allow_blank=True, help_text="The chosen variant's reading, else empty.")
    meanings = serializers.ListField(
        child=serializers.CharField(), max_length=3, help_text="English definitions, deduplicated, first 3."
    )
    jlpt = serializers.CharField(required=False, help_text='e.g. "jlpt-n5"; absent when Jisho lists none.')
    common = serializers.BooleanField()

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        if data.get("jlpt") is None:
            data.pop("jlpt", None)
        return dict(data)


class DictionaryLookupView(APIView):
    @extend_schema_serializer(component_name="DictionaryLookupQuery")
    class InputSerializer(serializers.Serializer):
        word = serializers.CharField(max_length=QUERY_MAX, help_text="Trimmed, then at least one character.")
        reading = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=QUERY_MAX,
            help_text="Optional reading hint (hiragana or katakana): picks the homograph whose reading matches.",
        )

        def to_internal_value(self, data: Any) -> dict[str, Any]:
            names = ("word", "reading")
            repeated = {name: ["Expected a single value."] for name in names if len(data.getlist(name)) > 1}
            if repeated:
                raise serializers.ValidationError(repeated)
            return dict(super().to_internal_value(data))

    @extend_schema(
        operation_id="dictionary_lookup",
        parameters=[InputSerializer],
        responses={
            200: OpenApiResponse(LookupOutputSerializer, description=f"`Cache-Control: {CACHE_CONTROL}`."),
            **error_responses(400, 401),
            404: OpenApiResponse(ErrorSerializer, description="`No results found` (`no_results`)."),
            502: OpenApiResponse(
                ErrorSerializer,
                description="`Jisho API request failed` (`jisho_request_failed`: unreachable, non-2xx, not JSON) or "
                "`Invalid Jisho API response` (`jisho_invalid_response`).",
            ),
            504: OpenApiResponse(
                ErrorSerializer, description="`Jisho API request timed out` (`jisho_timeout`, after 5 s in all)."
            ),
        },
        description="Looks a word up in the Jisho dictionary (no server-side cache; the answer may be cached "
        "privately for a day).",
    )
    def get(self, request: Request) -> Response:
        payload = validated(self.InputSerializer, request.query_params)
        lookup = dictionary_lookup(word=payload["word"], reading=payload.get("reading", ""))
        response = Response(LookupOutputSerializer(lookup).data, status=status.HTTP_200_OK)
        response["Cache-Control"] = CACHE_CONTROL
        return response
