"""Chat history over HTTP (reference §5.3): the caller is the verified token's `sub` (CONTRACT §2.1)."""

from __future__ import annotations

import logging

from drf_spectacular.utils import OpenApiParameter, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chat_history.records import ChatMessage
from chat_history.services import chat_message_save, chat_messages_list, chat_thread_delete, chat_threads_list
from vela.errors import BadRequestError
from vela.fields import StrictBooleanField, StrictCharField, StrictIntegerField, validated
from vela.identity import migration_anonymous, resolve_user_id
from vela.openapi import ErrorSerializer, extend_schema

MAX_ID_CHARS = 512  # DynamoDB key attributes hold at most 2048 bytes
MAX_MESSAGE_CHARS = 100_000  # DynamoDB items hold at most 400 KB

ERROR = ErrorSerializer  # the one error component (vela.openapi)
ERRORS = {400: ERROR, 401: ERROR, 403: ERROR, 500: ERROR, 502: ERROR, 504: ERROR}
OK = inline_serializer("ChatHistoryOk", {"ok": serializers.BooleanField()})
USER_ID = OpenApiParameter("user_id", str, description="Optional; must equal the token's `sub` (else 403).")
THREAD_ID = OpenApiParameter("thread_id", str, required=True)

logger = logging.getLogger("vela.identity")


def query_param(request: Request, name: str, *, required: bool) -> str | None:
    """One non-empty value, as the original's custom hook demanded ("<name> is required" otherwise)."""
    values = request.query_params.getlist(name)
    if not values:
        if required:
            raise BadRequestError(f"{name} is required", code="invalid_query")
        return None
    if len(values) != 1 or not values[0]:
        raise BadRequestError(f"{name} is required", code="invalid_query")
    if len(values[0]) > MAX_ID_CHARS:
        raise BadRequestError(f"{name} is too long (at most {MAX_ID_CHARS} characters)", code="invalid_query")
    return values[0]


def _id_field(name: str, *, required: bool = True) -> StrictCharField:
    message = f"{name} is required"
    return StrictCharField(
        required=required,
        max_length=MAX_ID_CHARS,
        trim_whitespace=False,
        error_messages={"required": message, "blank": message, "invalid": message, "null": message},
    )


class ChatMessageOutputSerializer(serializers.Serializer):
    ThreadId = serializers.CharField()
    Timestamp = serializers.IntegerField(help_text="Epoch milliseconds.")
    UserId = serializers.CharField()
    message = serializers.CharField()
    is_user = serializers.BooleanField()


class ThreadSummaryOutputSerializer(serializers.Serializer):
    ThreadId = serializers.CharField()
    lastTimestamp = serializers.IntegerField()
    title = serializers.CharField(help_text="First 60 characters of the thread's first user message.")
    messageCount = serializers.IntegerField()


class ChatMessageSaveView(APIView):
    """`POST /api/chat-history/save`: store one message of one of the caller's threads."""

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ChatMessageSaveInput"  # unique OpenAPI component name

        ThreadId = _id_field("ThreadId")
        Timestamp = StrictIntegerField(
            min_value=1,
            error_messages={
                key: "Timestamp must be a positive integer"
                for key in ("required", "null", "invalid", "min_value", "max_value", "max_string_length")
            },
        )
        UserId = _id_field("UserId", required=False)
        message = StrictCharField(
            max_length=MAX_MESSAGE_CHARS,
            trim_whitespace=False,
            error_messages={key: "Message is required" for key in ("required", "null", "invalid", "blank")},
        )
        is_user = StrictBooleanField(
            error_messages={key: "is_user must be a boolean" for key in ("required", "null", "invalid")}
        )

    # 409 `thread_busy`: other writes on the thread kept colliding with this one (try again).
    @extend_schema(operation_id="chat_history_save", request=InputSerializer, responses={200: OK, **ERRORS, 409: ERROR})
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        message = ChatMessage(
            thread_id=data["ThreadId"],
            timestamp=data["Timestamp"],
            user_id=resolve_user_id(request, data.get("UserId")),
            message=data["message"],
            is_user=data["is_user"],
        )
        chat_message_save(message=message)
        return Response({"ok": True}, status=status.HTTP_200_OK)


class ChatThreadListView(APIView):
    """`GET /api/chat-history/threads`: the caller's threads, most recently active first."""

    @extend_schema(
        operation_id="chat_history_threads",
        parameters=[USER_ID],
        responses={
            200: inline_serializer("ChatThreadList", {"threads": ThreadSummaryOutputSerializer(many=True)}),
            **ERRORS,
        },
    )
    def get(self, request: Request) -> Response:
        user_id = resolve_user_id(
            request,
            query_param(request, "user_id", required=False),
            forbidden="Forbidden: Cannot access another user's chat history",
        )
        threads = chat_threads_list(user_id=user_id)
        data = ThreadSummaryOutputSerializer([t.as_wire() for t in threads], many=True).data
        return Response({"threads": data}, status=status.HTTP_200_OK)


class ChatMessageListView(APIView):
    """`GET /api/chat-history/messages?thread_id=`: every message of one of the caller's threads, oldest first."""

    @extend_schema(
        operation_id="chat_history_messages",
        parameters=[THREAD_ID, USER_ID],
        responses={
            200: inline_serializer("ChatMessageList", {"items": ChatMessageOutputSerializer(many=True)}),
            **ERRORS,
        },
    )
    def get(self, request: Request) -> Response:
        thread_id = query_param(request, "thread_id", required=True)
        supplied = query_param(request, "user_id", required=False)
        if not supplied and migration_anonymous(request):
            # The December build sends only thread_id and no token: during the migration window the
            # caller is taken to be the thread's owner (the user of its earliest message), as loudly as
            # any other trusted user_id.
            logger.warning(
                "Unauthenticated request trusted as the owner of thread_id=%r on %s %s "
                "(VELA_ALLOW_UNAUTHENTICATED_USER_ID)",
                thread_id,
                request.method,
                request.path,
            )
            messages = chat_messages_list(thread_id=str(thread_id), user_id=None)
        else:
            user_id = resolve_user_id(request, supplied)
            messages = chat_messages_list(thread_id=str(thread_id), user_id=user_id)
        data = ChatMessageOutputSerializer([m.as_wire() for m in messages], many=True).data
        return Response({"items": data}, status=status.HTTP_200_OK)


class ChatThreadDeleteView(APIView):
    """`DELETE /api/chat-history/thread?thread_id=`: delete every message of one of the caller's threads."""

    @extend_schema(
        operation_id="chat_history_thread_delete", parameters=[THREAD_ID, USER_ID], responses={200: OK, **ERRORS}
    )
    def delete(self, request: Request) -> Response:
        thread_id = query_param(request, "thread_id", required=True)
        user_id = resolve_user_id(request, query_param(request, "user_id", required=False))
        chat_thread_delete(thread_id=str(thread_id), user_id=user_id)
        return Response({"ok": True}, status=status.HTTP_200_OK)
