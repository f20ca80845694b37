"""LLM request validation: the original's ordered checks (so its messages win), then type checks,
giving the typed requests the services take (`ChatRequest`, `AnalysisRequest`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rest_framework import serializers

from llm.providers import CHAT_PROVIDERS, CHUTES, LABELS, PROVIDERS, server_api_key, server_api_key_setting
from vela.errors import BadRequestError
from vela.fields import StrictCharField, StrictIntegerField, StrictNumberField, validated
from vela.http import header_value_problem


def header_safe(value: str) -> None:
    """Values that end up in upstream headers: `vela.http.header_value_problem`'s rule (the fields
    trim whitespace first, so only Latin-1 and control characters can fail here)."""
    if problem := header_value_problem(value):
        raise serializers.ValidationError(f"Value {problem}.")


class MessageSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=["system", "user", "assistant"])
    content = StrictCharField(allow_blank=True, trim_whitespace=False, max_length=200_000)


class ChatInputSerializer(serializers.Serializer):
    provider = StrictCharField()
    # many=True makes a ListSerializer, which takes max_length; the stubs type the child's __init__.
    messages = MessageSerializer(  # type: ignore[call-arg]
        many=True, required=False, allow_null=True, max_length=500
    )
    prompt = StrictCharField(
        required=False, allow_null=True, allow_blank=True, trim_whitespace=False, max_length=200_000
    )
    system = StrictCharField(
        required=False, allow_null=True, allow_blank=True, trim_whitespace=False, max_length=200_000
    )
    model = StrictCharField(required=False, allow_null=True, allow_blank=True, max_length=200)
    temperature = StrictNumberField(required=False, allow_null=True, min_value=0, max_value=2)
    maxTokens = StrictIntegerField(required=False, allow_null=True, min_value=1, max_value=1_000_000)
    apiKey = StrictCharField(
        required=False, allow_null=True, allow_blank=True, max_length=1000, validators=[header_safe]
    )
    appName = StrictCharField(
        required=False, allow_null=True, allow_blank=True, max_length=200, validators=[header_safe]
    )
    referer = StrictCharField(
        required=False, allow_null=True, allow_blank=True, max_length=2000, validators=[header_safe]
    )


class AnalyzeInputSerializer(serializers.Serializer):
    sentence = StrictCharField(max_length=5000)
    provider = StrictCharField()
    model = StrictCharField(required=False, allow_null=True, allow_blank=True, max_length=200)
    apiKey = StrictCharField(max_length=1000, validators=[header_safe])


def js_truthy(value: Any) -> bool:
    """JavaScript truthiness: empty arrays and objects are truthy, 0/""/null are not."""
    if value is None or value is False:
        return False
    if isinstance(value, str):
        return value != ""
    if isinstance(value, int | float):
        return value == value and value != 0  # NaN is falsy
    return True


@dataclass(frozen=True, slots=True)
class ChatRequest:
    provider: str
    messages: list[dict[str, str]]
    api_key: str
    model: str | None
    system: str | None
    temperature: float
    max_tokens: int
    referer: str | None
    app_name: str | None


@dataclass(frozen=True, slots=True)
class AnalysisRequest:
    sentence: str
    provider: str
    model: str | None
    api_key: str


def chat_request_from(payload: Mapping[str, Any]) -> ChatRequest:
    """POST /api/llm-chat's body, checked in the original's order, then typed."""
    provider = payload.get("provider")
    if not js_truthy(provider):
        raise BadRequestError("Missing provider", code="missing_provider")
    if not js_truthy(payload.get("messages")) and not js_truthy(payload.get("prompt")):
        raise BadRequestError("Missing prompt or messages", code="missing_prompt")
    if provider not in CHAT_PROVIDERS:
        raise BadRequestError("Unsupported provider", code="unsupported_provider")
    if provider == CHUTES and not js_truthy(payload.get("apiKey")):
        # HEAD §8.9: Chutes has no server key; the caller brings one.
        raise BadRequestError(
            "Missing API key for Chutes.ai provider. Please provide your own API key in settings.",
            code="missing_api_key",
        )
    server_key = "" if provider == CHUTES else server_api_key(provider)
    if not js_truthy(payload.get("apiKey")) and not server_key:
        raise BadRequestError(
            f"Missing API key for {LABELS[provider]} provider. "
            f"Configure {server_api_key_setting(provider)} on server or provide your own API key.",
            code="missing_api_key",
        )
    data = validated(ChatInputSerializer, payload)
    messages = [dict(m) for m in data.get("messages") or []]
    if not messages:
        if not data.get("prompt"):
            raise BadRequestError("Missing prompt or messages", code="missing_prompt")
        messages = [{"role": "user", "content": data["prompt"]}]
    return ChatRequest(
        provider=provider,
        messages=messages,
        api_key=data.get("apiKey") or server_key,
        model=data.get("model") or None,
        system=data.get("system"),
        temperature=0.7 if data.get("temperature") is None else data["temperature"],
        max_tokens=1024 if data.get("maxTokens") is None else data["maxTokens"],
        referer=data.get("referer") or None,
        app_name=data.get("appName"),
    )


def analysis_request_from(payload: Mapping[str, Any]) -> AnalysisRequest:
    """POST /api/my-dictionaries/analyze's body, checked in the original's order, then typed."""
    sentence = payload.get("sentence")
    if not isinstance(sentence, str) or not sentence.strip():
        raise BadRequestError("Sentence is required", code="sentence_required")
    provider = payload.get("provider")
    if not js_truthy(provider):
        raise BadRequestError("LLM provider is required", code="missing_provider")
    if provider in PROVIDERS and not js_truthy(payload.get("apiKey")):
        raise BadRequestError(f"Missing API key for {LABELS[provider]} provider", code="missing_api_key")
    if provider not in PROVIDERS:
        raise BadRequestError("Unsupported provider", code="unsupported_provider")
    data = validated(AnalyzeInputSerializer, payload)
    return AnalysisRequest(
        sentence=sentence.strip(), provider=provider, model=data.get("model") or None, api_key=data["apiKey"]
    )
