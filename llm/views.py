from __future__ import annotations

from django.http import HttpResponse, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from llm.serializers import AnalyzeInputSerializer, ChatInputSerializer, analysis_request_from, chat_request_from
from llm.services import llm_chat, sentence_analysis_frames, sentence_analysis_open
from llm.streaming import streaming_supported
from vela.identity import resolve_email
from vela.json_body import json_object
from vela.openapi import ErrorSerializer, extend_schema
from vela.views import PublicAPIView

ERROR = ErrorSerializer  # the one error component (vela.openapi)


class LlmChatView(PublicAPIView):
    """LLM bridge: one non-streaming completion from Google Gemini, OpenRouter or Chutes.ai (`chutes`, caller key only).

    Public like the original: it touches no user data, and callers may bring their own key.
    """

    @extend_schema(
        request=ChatInputSerializer,
        responses={
            200: inline_serializer("LlmChatAnswer", {"text": serializers.CharField(), "raw": serializers.JSONField()}),
            400: OpenApiResponse(ERROR, description="Invalid JSON, missing provider/prompt/key, wrong types"),
            500: OpenApiResponse(ERROR, description="`<Provider> error <status>: <body>` or a network failure"),
            504: OpenApiResponse(ERROR, description="The provider did not answer within LLM_UPSTREAM_TIMEOUT"),
        },
    )
    def post(self, request: Request) -> Response:
        payload = json_object(request)
        answer = llm_chat(chat=chat_request_from(payload), request_url=request.build_absolute_uri())
        return Response(answer, status=status.HTTP_200_OK)


class SentenceAnalyzeView(APIView):
    """Streams an LLM analysis of a Japanese sentence as Server-Sent Events.

    Frames: `{"type":"metadata",...}`, `{"type":"chunk","text":...}`*, then `{"type":"done"}` or
    `{"type":"error","error":...}`. Under Zappa's Lambda handler the same frames come as one body.
    """

    @extend_schema(
        request=AnalyzeInputSerializer,
        responses={
            (200, "text/event-stream"): OpenApiResponse(OpenApiTypes.STR, description="SSE frames"),
            400: OpenApiResponse(ERROR, description="Invalid JSON, sentence/provider/API key missing"),
            401: OpenApiResponse(ERROR, description="Missing or invalid Cognito token"),
            500: OpenApiResponse(ERROR, description="`<Provider> API error <status>: <body>`"),
            504: OpenApiResponse(ERROR, description="The provider did not answer within LLM_UPSTREAM_TIMEOUT"),
        },
    )
    def post(self, request: Request) -> HttpResponse | StreamingHttpResponse:
        resolve_email(request)  # identity of the saved-sentences family; checked before the body
        payload = json_object(request)
        analysis = analysis_request_from(payload)
        stream = sentence_analysis_open(analysis=analysis, request_url=request.build_absolute_uri())
        frames = sentence_analysis_frames(stream)
        response: HttpResponse | StreamingHttpResponse
        if streaming_supported(request):
            response = StreamingHttpResponse(frames, content_type="text/event-stream")
        else:
            response = HttpResponse(b"".join(frames), content_type="text/event-stream")
        response["Cache-Control"] = "no-cache"
        response["X-Accel-Buffering"] = "no"  # proxies must not hold frames back
        return response
