"""The LLM bridge (reference §5.2) and the streaming sentence analysis (reference §5.10).

Upstream POSTs go through `vela.http` and are never retried. Checks run in the original's order so
its messages are kept; type checks follow them (a wrong type is a 400, never a 500).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings
from urllib3.exceptions import ProtocolError, ReadTimeoutError

from llm import providers
from llm.providers import GOOGLE, LABELS, PROVIDERS, UpstreamRequest
from llm.serializers import AnalyzeInputSerializer, ChatInputSerializer
from llm.sse import SseParser, encode_frame, json_payloads
from vela import http
from vela.errors import ApplicationError, BadRequestError, UpstreamError, UpstreamTimeoutError

logger = logging.getLogger("vela.llm")

ANALYSIS_SYSTEM_PROMPT = (
    "You are a Japanese language expert. Analyze the given Japanese sentence and provide:\n"
    "1. English translation\n"
    "2. Grammar breakdown (explain key grammar points)\n"
    "3. Vocabulary notes (important words with readings)\n"
    "4. Usage context (when/how this sentence would be used)\n\n"
    "Keep it concise and educational."
)
CONNECT_TIMEOUT = 5.0
READ_SIZE = 16 * 1024
MAX_ERROR_BODY = 64 * 1024


def js_truthy(value: Any) -> bool:
    """JavaScript truthiness: empty arrays and objects are truthy, 0/""/null are not."""
    if value is None or value is False:
        return False
    if isinstance(value, str):
        return value != ""
    if isinstance(value, int | float):
        return value == value and value != 0  # NaN is falsy
    return True


def _timeout() -> tuple[float, float]:
    bound = float(settings.LLM_UPSTREAM_TIMEOUT)
    return (min(CONNECT_TIMEOUT, bound), bound)


# --- POST /api/llm-chat ------------------------------------------------------------------------------
def llm_chat(*, payload: dict[str, Any], request_url: str) -> dict[str, Any]:
    """`{"text", "raw"}` from the provider; BadRequestError/ApplicationError with the original messages."""
    provider = payload.get("provider")
    if not js_truthy(provider):
        raise BadRequestError("Missing provider", code="missing_provider")
    if not js_truthy(payload.get("messages")) and not js_truthy(payload.get("prompt")):
        raise BadRequestError("Missing prompt or messages", code="missing_prompt")
    if provider not in PROVIDERS:
        raise BadRequestError("Unsupported provider", code="unsupported_provider")
    server_key = settings.GOOGLE_API_KEY if provider == GOOGLE else settings.OPENROUTER_API_KEY
    if not js_truthy(payload.get("apiKey")) and not server_key:
        setting = "GOOGLE_API_KEY" if provider == GOOGLE else "OPENROUTER_API_KEY"
        raise BadRequestError(
            f"Missing API key for {LABELS[provider]} provider. "
            f"Configure {setting} on server or provide your own API key.",
            code="missing_api_key",
        )
    serializer = ChatInputSerializer(data=payload)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    messages = data.get("messages") or []
    if not messages:
        if not data.get("prompt"):
            raise BadRequestError("Missing prompt or messages", code="missing_prompt")
        messages = [{"role": "user", "content": data["prompt"]}]
    api_key = data.get("apiKey") or server_key
    model = data.get("model") or providers.DEFAULT_MODELS[provider]
    temperature = 0.7 if data.get("temperature") is None else data["temperature"]
    max_tokens = 1024 if data.get("maxTokens") is None else data["maxTokens"]
    common = {"api_key": api_key, "model": model, "messages": [dict(m) for m in messages], "system": data.get("system")}
    if provider == GOOGLE:
        upstream = providers.google_chat(**common, temperature=temperature, max_tokens=max_tokens)
    else:
        upstream = providers.openrouter_chat(
            **common,
            temperature=temperature,
            max_tokens=max_tokens,
            referer=data.get("referer") or request_url,
            app_name=data.get("appName"),
        )
    return _complete(provider, upstream)


def _complete(provider: str, upstream: UpstreamRequest) -> dict[str, Any]:
    label = LABELS[provider]
    try:
        response = http.request("POST", upstream.url, data=upstream.body, headers=upstream.headers, timeout=_timeout())
    except requests.Timeout as exc:
        logger.warning("%s chat request timed out", label)
        raise UpstreamTimeoutError(f"TimeoutError: {label} request timed out", code="llm_timeout") from exc
    except requests.RequestException as exc:
        logger.warning("%s chat request failed: %s", label, exc.__class__.__name__)
        raise UpstreamError(f"ConnectionError: could not reach {label}", code="llm_unreachable") from exc
    if not response.ok:
        logger.warning("%s chat answered %s", label, response.status_code)
        raise ApplicationError(f"{label} error {response.status_code}: {response.text}", code="llm_upstream_error")
    try:
        raw = response.json()
    except ValueError as exc:
        raise ApplicationError(
            f"SyntaxError: {label} returned a response that is not valid JSON", code="llm_bad_response"
        ) from exc
    return {"text": providers.response_text(provider, raw), "raw": raw}


# --- POST /api/my-dictionaries/analyze ------------------------------------------------------------------
@dataclass
class AnalysisStream:
    """An open upstream stream (status already checked) and the metadata of the first frame."""

    provider: str
    model: str
    sentence: str
    response: requests.Response


def sentence_analysis_open(*, payload: dict[str, Any], request_url: str) -> AnalysisStream:
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
    serializer = AnalyzeInputSerializer(data=payload)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    sentence = sentence.strip()
    model = data.get("model") or providers.DEFAULT_MODELS[provider]
    prompt = f'Analyze this Japanese sentence: "{sentence}"'
    if provider == GOOGLE:
        upstream = providers.google_stream(
            api_key=data["apiKey"], model=model, system=ANALYSIS_SYSTEM_PROMPT, prompt=prompt
        )
    else:
        upstream = providers.openrouter_stream(
            api_key=data["apiKey"], model=model, system=ANALYSIS_SYSTEM_PROMPT, prompt=prompt, referer=request_url
        )
    label = "Google API" if provider == GOOGLE else "OpenRouter API"
    try:
        response = http.request(
            "POST", upstream.url, data=upstream.body, headers=upstream.headers, timeout=_timeout(), stream=True
        )
    except requests.Timeout as exc:
        logger.warning("%s stream did not answer in time", label)
        raise UpstreamTimeoutError("Request timeout: LLM analysis took too long", code="llm_timeout") from exc
    except requests.RequestException as exc:
        logger.warning("%s stream request failed: %s", label, exc.__class__.__name__)
        raise UpstreamError("Failed to analyze sentence", code="llm_unreachable") from exc
    if not response.ok:
        with response:
            text = _bounded_text(response)
        logger.warning("%s stream answered %s", label, response.status_code)
        raise ApplicationError(f"{label} error {response.status_code}: {text}", code="llm_upstream_error")
    return AnalysisStream(provider=provider, model=model, sentence=sentence, response=response)


def _bounded_text(response: requests.Response) -> str:
    try:
        body = response.raw.read(MAX_ERROR_BODY, decode_content=True) or b""
    except Exception:  # the error body is best effort
        body = b""
    return body.decode(response.encoding or "utf-8", errors="replace")


def sentence_analysis_frames(stream: AnalysisStream) -> Iterator[bytes]:
    """metadata, chunk*, then done - or error when reading the upstream fails. Closes the upstream."""
    deadline = time.monotonic() + float(settings.LLM_UPSTREAM_TIMEOUT)
    try:
        yield encode_frame(
            {"type": "metadata", "provider": stream.provider, "model": stream.model, "sentence": stream.sentence}
        )
        parser = SseParser()
        for piece in _read_pieces(stream.response, deadline):
            yield from _chunk_frames(stream.provider, parser.feed(piece))
        yield from _chunk_frames(stream.provider, parser.close())
        yield encode_frame({"type": "done"})
    except GeneratorExit:
        raise
    except Exception as exc:
        message = _describe(exc)
        logger.warning("LLM analysis stream failed: %s", message)
        yield encode_frame({"type": "error", "error": message})
    finally:
        stream.response.close()


def _chunk_frames(provider: str, events: list[str]) -> Iterator[bytes]:
    for event in events:
        for data in json_payloads(event):
            text = providers.delta_text(provider, data)
            if text:
                yield encode_frame({"type": "chunk", "text": text})


def _read_pieces(response: requests.Response, deadline: float) -> Iterator[bytes]:
    """What the upstream has sent so far, as soon as it arrives (read1: no waiting for a full buffer)."""
    raw = response.raw
    while True:
        if time.monotonic() > deadline:
            raise TimeoutError(f"LLM stream exceeded {settings.LLM_UPSTREAM_TIMEOUT:g} s")
        piece = raw.read1(READ_SIZE)
        if not piece:
            return
        yield piece


def _describe(exc: Exception) -> str:
    if isinstance(exc, ReadTimeoutError | TimeoutError | requests.Timeout):
        detail = str(exc) if isinstance(exc, TimeoutError) else "upstream stopped sending"
        return f"TimeoutError: {detail}"
    if isinstance(exc, ProtocolError | requests.ConnectionError):
        return "Error: upstream connection closed before the stream ended"
    return f"Error: {exc.__class__.__name__}"
