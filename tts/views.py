"""TTS routes (HEAD §8.7): settings (the key is write-only), generate, audio. Caller = token `sub`."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema_field, extend_schema_serializer, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tts.providers import DEFAULT_PROVIDER, PROVIDER_NAMES
from tts.services import tts_audio_url, tts_generate, tts_settings_get, tts_settings_save
from vela.fields import StrictCharField, validated
from vela.http import header_value_problem
from vela.identity import current_identity
from vela.openapi import ErrorSerializer, error_responses, extend_schema

API_KEY_MAX = 512
VOICE_MAX = MODEL_MAX = 128
VOCABULARY_ID_MAX = 200  # keeps the S3 key (tts/<sub>/<id>/<hash>) under S3's 1,024 bytes
TEXT_MAX = 5000
PROVIDER_MESSAGE = "Invalid option: expected one of " + "|".join(f'"{name}"' for name in PROVIDER_NAMES)


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


SETTINGS_ERRORS = {
    **error_responses(401, 502, 504),
    500: _error("A DynamoDB table is missing (`table_not_found`) or an unexpected error."),
}
NOT_CONFIGURED = "`tts_not_configured` (no settings / no API key), `tts_invalid_provider_configuration`"
BUCKET_MISSING = "`tts_audio_bucket_not_configured`"


# What `vela.http.header_value_problem` accepts, for the schema (tests/tts/test_schema.py checks they agree).
# The edges are not whitespace as str.strip() sees it (space, NEL U+0085, NBSP U+00A0).
_KEY_EDGE = r"[!-~\u0080-\u0084\u0086-\u009f\u00a1-\u00ff]"
API_KEY_PATTERN = rf"^{_KEY_EDGE}([ -~\u0080-\u00ff]*{_KEY_EDGE})?$"


@extend_schema_field({"type": "string", "minLength": 1, "maxLength": API_KEY_MAX, "pattern": API_KEY_PATTERN})
class ApiKeyField(StrictCharField):
    """A key that can travel in an HTTP header (`xi-api-key`, `Authorization`, `x-goog-api-key`)."""

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        if problem := header_value_problem(value):
            raise serializers.ValidationError(f"API key {problem}.")
        return value


class EffectiveSettingsSerializer(serializers.Serializer):
    provider = serializers.ChoiceField(choices=PROVIDER_NAMES)
    voiceId = serializers.CharField(source="voice_id", allow_null=True, help_text="Stored voice, null: the default.")
    model = serializers.CharField(allow_null=True, help_text="Stored model, null: the default.")


class TtsSettingsOutputSerializer(serializers.Serializer):
    hasApiKey = serializers.BooleanField(source="has_api_key")
    provider = serializers.ChoiceField(choices=PROVIDER_NAMES)
    voiceId = serializers.CharField(source="voice_id", allow_null=True)
    model = serializers.CharField(allow_null=True)


class TtsSettingsView(APIView):
    """The caller's TTS settings; the API key is write-only."""

    @extend_schema_serializer(component_name="TtsSettingsInput")
    class InputSerializer(serializers.Serializer):
        provider = serializers.ChoiceField(
            choices=PROVIDER_NAMES,
            required=False,
            default=DEFAULT_PROVIDER,
            error_messages={"invalid_choice": PROVIDER_MESSAGE},
            help_text="Absent: `elevenlabs` (December clients send none).",
        )
        apiKey = ApiKeyField(
            min_length=1,
            max_length=API_KEY_MAX,
            trim_whitespace=False,
            help_text="Latin-1 only, no C0 control characters (line breaks, tabs) or DEL, no edge whitespace.",
        )
        voiceId = StrictCharField(required=False, allow_null=True, allow_blank=True, max_length=VOICE_MAX)
        model = StrictCharField(required=False, allow_null=True, allow_blank=True, max_length=MODEL_MAX)

    @extend_schema(operation_id="tts_settings_get", responses={200: TtsSettingsOutputSerializer, **SETTINGS_ERRORS})
    def get(self, request: Request) -> Response:
        view = tts_settings_get(user_id=current_identity(request).sub)
        return Response(TtsSettingsOutputSerializer(view).data, status=status.HTTP_200_OK)

    @extend_schema(
        operation_id="tts_settings_save",
        request=InputSerializer,
        responses={
            200: inline_serializer(
                "TtsSettingsSaved", {"success": serializers.BooleanField(), "message": serializers.CharField()}
            ),
            400: _error("Invalid input (`invalid`: e.g. an unknown provider, or a key that cannot go in a header)."),
            **SETTINGS_ERRORS,
        },
    )
    def post(self, request: Request) -> Response:
        identity = current_identity(request)
        data = validated(self.InputSerializer, request.data)
        tts_settings_save(
            user_id=identity.sub,
            provider=data["provider"],
            api_key=data["apiKey"],
            voice_id=data.get("voiceId"),
            model=data.get("model"),
        )
        return Response({"success": True, "message": "TTS settings saved successfully"}, status=status.HTTP_200_OK)


class TtsGenerateView(APIView):
    """Presigned URL of the audio for one vocabulary item: from the S3 cache, or made by the user's provider."""

    @extend_schema_serializer(component_name="TtsGenerateInput")
    class InputSerializer(serializers.Serializer):
        vocabularyId = StrictCharField(min_length=1, max_length=VOCABULARY_ID_MAX)
        text = StrictCharField(min_length=1, max_length=TEXT_MAX)

    @extend_schema_serializer(component_name="TtsGenerateOutput")
    class OutputSerializer(serializers.Serializer):
        audioUrl = serializers.CharField(source="audio_url", help_text="Presigned S3 GET, valid 900 s.")
        cached = serializers.BooleanField()
        effectiveSettings = EffectiveSettingsSerializer(source="effective_settings")

    @extend_schema(
        operation_id="tts_generate",
        request=InputSerializer,
        responses={
            200: OutputSerializer,
            400: _error(f"Invalid input (`invalid`), {NOT_CONFIGURED}."),
            401: error_responses(401)[401],
            500: _error(
                f"{BUCKET_MISSING}, `tts_audio_storage_failed`, `tts_audio_access_failed`, `tts_unexpected_error`, "
                "`table_not_found`."
            ),
            502: _error("The provider failed or is unreachable (`tts_generation_failed`), or DynamoDB failed."),
            503: _error("`tts_audio_service_unavailable`: the S3 cache check failed."),
            504: _error("`tts_generation_timeout` (TTS_UPSTREAM_TIMEOUT, 30 s in all), or DynamoDB timed out."),
        },
    )
    def post(self, request: Request) -> Response:
        identity = current_identity(request)
        payload = validated(self.InputSerializer, request.data)
        link = tts_generate(
            user_id=identity.sub,
            vocabulary_id=payload["vocabularyId"],
            text=payload["text"],
        )
        return Response(self.OutputSerializer(link).data, status=status.HTTP_200_OK)


class TtsAudioView(APIView):
    """Presigned URL of already generated audio for the caller's current settings; 404 until generated."""

    class PathSerializer(serializers.Serializer):
        vocabulary_id = StrictCharField(min_length=1, max_length=VOCABULARY_ID_MAX)

    @extend_schema_serializer(component_name="TtsAudioOutput")
    class OutputSerializer(serializers.Serializer):
        audioUrl = serializers.CharField(source="audio_url", help_text="Presigned S3 GET, valid 900 s.")
        effectiveSettings = EffectiveSettingsSerializer(source="effective_settings")

    @extend_schema(
        operation_id="tts_audio",
        responses={
            200: OutputSerializer,
            400: _error(f"`vocabulary_id` over {VOCABULARY_ID_MAX} characters (`invalid`), {NOT_CONFIGURED}."),
            401: error_responses(401)[401],
            404: _error("`tts_audio_not_found`: Audio not found. Please generate it first."),
            500: _error(f"{BUCKET_MISSING}, `tts_audio_access_failed`, `tts_unexpected_error`, `table_not_found`."),
            **error_responses(502, 504),
        },
    )
    def get(self, request: Request, vocabulary_id: str) -> Response:
        identity = current_identity(request)
        path = validated(self.PathSerializer, {"vocabulary_id": vocabulary_id})
        link = tts_audio_url(user_id=identity.sub, vocabulary_id=path["vocabulary_id"])
        return Response(self.OutputSerializer(link).data, status=status.HTTP_200_OK)
