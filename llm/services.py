"""The LLM bridge (reference §5.2; HEAD §8.9 adds `chutes`) and the streaming sentence analysis (§5.10).

Upstream POSTs go through `vela.http` and are never sent twice (only a failed connect is tried again).
The services take typed requests (`llm.serializers.ChatRequest`, `AnalysisRequest`), which the views
build from the body.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings
from urllib3.exceptions import ProtocolError, ReadTimeoutError

from llm import providers
from llm.providers import CHUTES, GOOGLE, LABELS, UpstreamRequest
from llm.serializers import AnalysisRequest, ChatRequest
from llm.sse import SseParser, encode_frame, json_payloads
from vela import http
from vela.errors import ApplicationError, UpstreamError, UpstreamTimeoutError

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
PARSE_ERROR_BODY = 1000


def _timeout() -> tuple[float, float]:
    bound = float(settings.LLM_UPSTREAM_TIMEOUT)
    return (min(CONNECT_TIMEOUT, bound), bound)


# --- POST /api/llm-chat ------------------------------------------------------------------------------
def llm_chat(*, chat: ChatRequest, request_url: str) -> dict[str, Any]:
    """`{"text", "raw"}` from the provider; ApplicationError with the original messages."""
    provider = chat.provider
    model = chat.model or providers.DEFAULT_MODELS[provider]
    common: dict[str, Any] = {
        "api_key": chat.api_key,
        "model": model,
        "messages": chat.messages,
        "system": chat.system,
        "temperature": chat.temperature,
        "max_tokens": chat.max_tokens,
    }
    if provider == GOOGLE:
        upstream = providers.google_chat(**common)
    elif provider == CHUTES:
        upstream = providers.chutes_chat(**common)
    else:
        upstream = providers.openrouter_chat(
            **common,
            referer=chat.referer or request_url,
            app_name=chat.app_name,
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
        raw = json.loads(response.content)
    except ValueError as exc:
        # HEAD §8.9: "<Label> JSON parse error: <error>: <body, cut to 1000 characters plus ...>".
        text = response.text
        shown = text[:PARSE_ERROR_BODY] + ("..." if len(text) > PARSE_ERROR_BODY else "")
        raise ApplicationError(
            f"{label} JSON parse error: SyntaxError: {exc}: {shown}", code="llm_bad_response"
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


def sentence_analysis_open(*, analysis: AnalysisRequest, request_url: str) -> AnalysisStream:
    provider, sentence = analysis.provider, analysis.sentence
    model = analysis.model or providers.DEFAULT_MODELS[provider]
    prompt = f'Analyze this Japanese sentence: "{sentence}"'
    if provider == GOOGLE:
        upstream = providers.google_stream(
            api_key=analysis.api_key, model=model, system=ANALYSIS_SYSTEM_PROMPT, prompt=prompt
        )
    else:
        upstream = providers.openrouter_stream(
            api_key=analysis.api_key, model=model, system=ANALYSIS_SYSTEM_PROMPT, prompt=prompt, referer=request_url
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
