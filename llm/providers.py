"""Upstream request shapes for Google Gemini, OpenRouter and Chutes.ai (reference §5.2, §5.10, §8.3; HEAD §8.9).

Bodies are serialised like JSON.stringify (compact, UTF-8, key order as built) because the original's
tests compare the Google body byte for byte.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.conf import settings

GOOGLE = "google"
OPENROUTER = "openrouter"
CHUTES = "chutes"
PROVIDERS = (GOOGLE, OPENROUTER)  # the sentence analysis (SSE) knows only these two
CHAT_PROVIDERS = (GOOGLE, OPENROUTER, CHUTES)
LABELS = {GOOGLE: "Google", OPENROUTER: "OpenRouter", CHUTES: "Chutes.ai"}
DEFAULT_MODELS = {GOOGLE: "gemini-2.5-flash-lite", OPENROUTER: "openai/gpt-oss-20b:free", CHUTES: "openai/gpt-oss-120b"}
DEFAULT_APP_NAME = "Vela Japanese Learning App"
_SERVER_KEY_SETTINGS = {GOOGLE: "GOOGLE_API_KEY", OPENROUTER: "OPENROUTER_API_KEY"}


def server_api_key_setting(provider: str) -> str:
    return _SERVER_KEY_SETTINGS[provider]


def server_api_key(provider: str) -> str:
    """The server's own key for the provider (a setting), or ""."""
    return str(getattr(settings, _SERVER_KEY_SETTINGS[provider], "") or "")


@dataclass(frozen=True, slots=True)
class UpstreamRequest:
    url: str
    headers: dict[str, str]
    body: bytes

    def __repr__(self) -> str:  # headers carry the API key
        return f"UpstreamRequest(url={self.url!r})"


def js_json(value: Any) -> bytes:
    return json.dumps(_js_numbers(value), ensure_ascii=False, separators=(",", ":")).encode()


def _js_numbers(value: Any) -> Any:
    """JSON.stringify writes 1.0 as 1."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _js_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_js_numbers(v) for v in value]
    return value


def _google_url(model: str, method: str) -> str:
    return f"{settings.GOOGLE_API_BASE_URL}/v1beta/models/{quote(model, safe='-._~:')}:{method}"


def _system_content(text: str) -> dict[str, Any]:
    return {"role": "system", "parts": [{"text": text}]}


def google_chat(
    *, api_key: str, model: str, messages: list[dict[str, str]], system: str | None, temperature: Any, max_tokens: Any
) -> UpstreamRequest:
    contents = [
        {"role": "model" if m["role"] == "assistant" else "user", "parts": [{"text": m["content"]}]}
        for m in messages
        if m["role"] != "system"
    ]
    system_texts = [m["content"] for m in messages if m["role"] == "system"]
    instruction = system or (system_texts[-1] if system_texts else None)
    body: dict[str, Any] = {
        "contents": contents,
        "generationConfig": {"temperature": temperature, "maxOutputTokens": max_tokens},
    }
    if instruction:
        body["systemInstruction"] = _system_content(instruction)
    return UpstreamRequest(
        url=_google_url(model, "generateContent"),
        headers={"Content-Type": "application/json", "x-goog-api-key": api_key},
        body=js_json(body),
    )


def _openrouter_headers(*, api_key: str, referer: str, app_name: str | None) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "Authorization": f"Bearer {api_key}",
        "HTTP-Referer": referer,
        "X-Title": app_name or settings.APP_NAME or DEFAULT_APP_NAME,
    }


def _chat_messages(messages: list[dict[str, str]], system: str | None) -> list[dict[str, str]]:
    """OpenAI-style messages: an optional system message first, then role/content of each message."""
    return ([{"role": "system", "content": system}] if system else []) + [
        {"role": m["role"], "content": m["content"]} for m in messages
    ]


def chutes_chat(
    *, api_key: str, model: str, messages: list[dict[str, str]], system: str | None, temperature: Any, max_tokens: Any
) -> UpstreamRequest:
    """HEAD §8.9: `POST <CHUTES_API_BASE_URL>/v1/chat/completions`, bearer key, `stream: false`."""
    body = {
        "model": model,
        "messages": _chat_messages(messages, system),
        "temperature": temperature,
        "max_tokens": max_tokens,
        "stream": False,
    }
    return UpstreamRequest(
        url=f"{settings.CHUTES_API_BASE_URL}/v1/chat/completions",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {api_key}"},
        body=js_json(body),
    )


def openrouter_chat(
    *,
    api_key: str,
    model: str,
    messages: list[dict[str, str]],
    system: str | None,
    temperature: Any,
    max_tokens: Any,
    referer: str,
    app_name: str | None,
) -> UpstreamRequest:
    chat = _chat_messages(messages, system)
    body = {"model": model, "messages": chat, "temperature": temperature, "max_tokens": max_tokens}
    return UpstreamRequest(
        url=f"{settings.OPENROUTER_API_BASE_URL}/api/v1/chat/completions",
        headers=_openrouter_headers(api_key=api_key, referer=referer, app_name=app_name),
        body=js_json(body),
    )


def google_stream(*, api_key: str, model: str, system: str, prompt: str) -> UpstreamRequest:
    """Deliberate difference: the key travels in `x-goog-api-key`, not `?key=` (keeps it out of URLs and logs)."""
    body = {
        "contents": [{"role": "user", "parts": [{"text": prompt}]}],
        "systemInstruction": _system_content(system),
        "generationConfig": {"temperature": 0.7, "maxOutputTokens": 1024},
    }
    return UpstreamRequest(
        url=_google_url(model, "streamGenerateContent") + "?alt=sse",
        headers={"Content-Type": "application/json", "x-goog-api-key": api_key},
        body=js_json(body),
    )


def openrouter_stream(*, api_key: str, model: str, system: str, prompt: str, referer: str) -> UpstreamRequest:
    body = {
        "model": model,
        "messages": [{"role": "system", "content": system}, {"role": "user", "content": prompt}],
        "temperature": 0.7,
        "max_tokens": 1024,
        "stream": True,
    }
    return UpstreamRequest(
        url=f"{settings.OPENROUTER_API_BASE_URL}/api/v1/chat/completions",
        headers=_openrouter_headers(api_key=api_key, referer=referer, app_name=None),
        body=js_json(body),
    )


def _dig(value: Any, *path: str | int) -> Any:
    for step in path:
        if isinstance(step, int):
            if not isinstance(value, list) or len(value) <= step:
                return None
        elif not isinstance(value, dict):
            return None
        value = value[step] if isinstance(step, int) else value.get(step)
    return value


def response_text(provider: str, data: Any) -> str:
    """Text of a non-streaming answer, "" when absent."""
    return _text(provider, data, choice="message")


def delta_text(provider: str, data: Any) -> str:
    """Text of one streamed event, "" when absent."""
    return _text(provider, data, choice="delta")


def _text(provider: str, data: Any, *, choice: str) -> str:
    """Gemini's first part's text (streamed or not); an OpenAI-style first choice's `choice` content."""
    if provider == GOOGLE:
        text = _dig(data, "candidates", 0, "content", "parts", 0, "text")
    else:
        text = _dig(data, "choices", 0, choice, "content")
    return text if isinstance(text, str) else ""
