"""llm.services called directly with typed requests (`ChatRequest`, `AnalysisRequest`): Google, OpenRouter and
Chutes are the local fake upstream over real HTTP (tests/upstream.py), which records the exact request. The
routes' HTTP contract (validation, auth, status codes) is in test_chat*.py and test_analyze.py."""

from __future__ import annotations

import json

import pytest

from llm.serializers import AnalysisRequest, ChatRequest
from llm.services import ANALYSIS_SYSTEM_PROMPT, llm_chat, sentence_analysis_frames, sentence_analysis_open
from tests.llm.conftest import (
    GOOGLE_STREAM_PATH,
    OPENROUTER_PATH,
    google_event,
    openrouter_event,
    parse_frames,
    sse_reply,
)
from tests.upstream import Reply
from vela.errors import ApplicationError, UpstreamError, UpstreamTimeoutError

GOOGLE_PATH = "/v1beta/models/gemini-2.5-flash-lite:generateContent"
CHUTES_PATH = "/v1/chat/completions"
REQUEST_URL = "http://testserver/api/llm-chat"
OPENAI_STYLE_ANSWER = {"id": "gen-1", "choices": [{"message": {"role": "assistant", "content": "ねこ"}}]}


def chat(**overrides):
    values = {
        "provider": "openrouter",
        "messages": [{"role": "user", "content": "猫"}],
        "api_key": "test-key-not-real",
        "model": None,
        "system": None,
        "temperature": 0.7,
        "max_tokens": 1024,
        "referer": None,
        "app_name": None,
    }
    return ChatRequest(**{**values, **overrides})


@pytest.fixture
def llm(upstream, settings):
    """The fake upstream answers every provider; Chutes' base URL is not set by the shared fixture."""
    settings.CHUTES_API_BASE_URL = upstream.url
    settings.APP_NAME = "Vela Test"
    google = {"candidates": [{"content": {"parts": [{"text": "cat"}], "role": "model"}}]}
    upstream.on("POST", "/v1beta/models/", Reply(body=json.dumps(google).encode()))
    upstream.on("POST", OPENROUTER_PATH, Reply(body=json.dumps(OPENAI_STYLE_ANSWER).encode()))
    upstream.on("POST", CHUTES_PATH, Reply(body=json.dumps(OPENAI_STYLE_ANSWER).encode()))
    return upstream


def test_google_gets_contents_roles_and_the_last_system_message(llm):
    messages = [
        {"role": "system", "content": "old"},
        {"role": "user", "content": "猫"},
        {"role": "assistant", "content": "cat"},
        {"role": "system", "content": "Be brief"},
    ]

    result = llm_chat(chat=chat(provider="google", messages=messages, temperature=1.0), request_url=REQUEST_URL)

    assert result == {
        "text": "cat",
        "raw": {"candidates": [{"content": {"parts": [{"text": "cat"}], "role": "model"}}]},
    }
    [sent] = llm.requests
    assert (sent.method, sent.path) == ("POST", GOOGLE_PATH)
    assert sent.headers["x-goog-api-key"] == "test-key-not-real"
    assert "authorization" not in sent.headers
    assert (
        sent.body
        == (
            '{"contents":[{"role":"user","parts":[{"text":"猫"}]},{"role":"model","parts":[{"text":"cat"}]}],'
            '"generationConfig":{"temperature":1,"maxOutputTokens":1024},'
            '"systemInstruction":{"role":"system","parts":[{"text":"Be brief"}]}}'
        ).encode()
    )


def test_google_system_field_wins_and_the_model_is_path_encoded(llm):
    llm_chat(chat=chat(provider="google", model="tuned/gemini x", system="Answer in Japanese"), request_url=REQUEST_URL)

    [sent] = llm.requests
    assert sent.path == "/v1beta/models/tuned%2Fgemini%20x:generateContent"
    assert json.loads(sent.body)["systemInstruction"] == {"role": "system", "parts": [{"text": "Answer in Japanese"}]}


@pytest.mark.parametrize(
    ("given", "referer", "title"),
    [
        ({}, REQUEST_URL, "Vela Test"),
        ({"referer": "https://app.example/", "app_name": "Mobile"}, "https://app.example/", "Mobile"),
    ],
)
def test_openrouter_referer_falls_back_to_the_request_url_and_title_to_the_app_name(llm, given, referer, title):
    result = llm_chat(chat=chat(system="Be brief", max_tokens=50, **given), request_url=REQUEST_URL)

    assert result == {"text": "ねこ", "raw": OPENAI_STYLE_ANSWER}
    [sent] = llm.requests
    assert (sent.method, sent.path) == ("POST", OPENROUTER_PATH)
    assert sent.headers["authorization"] == "Bearer test-key-not-real"
    assert (sent.headers["http-referer"], sent.headers["x-title"]) == (referer, title)
    assert sent.body == (
        b'{"model":"openai/gpt-oss-20b:free","messages":[{"role":"system","content":"Be brief"},'
        b'{"role":"user","content":"\xe7\x8c\xab"}],"temperature":0.7,"max_tokens":50}'
    )


def test_chutes_gets_an_openai_style_body_without_openrouter_headers(llm):
    result = llm_chat(chat=chat(provider="chutes", model="deepseek/v3"), request_url=REQUEST_URL)

    assert result["text"] == "ねこ"
    [sent] = llm.requests
    assert (sent.method, sent.path) == ("POST", CHUTES_PATH)
    assert sent.headers["authorization"] == "Bearer test-key-not-real"
    assert "http-referer" not in sent.headers
    assert "x-title" not in sent.headers
    assert json.loads(sent.body) == {
        "model": "deepseek/v3",
        "messages": [{"role": "user", "content": "猫"}],
        "temperature": 0.7,
        "max_tokens": 1024,
        "stream": False,
    }


def test_an_answer_without_text_is_empty_text_with_the_raw_body(llm):
    llm.on("POST", CHUTES_PATH, Reply(body=b'{"choices":[]}'))

    assert llm_chat(chat=chat(provider="chutes"), request_url=REQUEST_URL) == {"text": "", "raw": {"choices": []}}


@pytest.mark.parametrize(
    ("provider", "label"), [("google", "Google"), ("openrouter", "OpenRouter"), ("chutes", "Chutes.ai")]
)
def test_upstream_error_status_is_a_500_naming_the_provider_and_not_retried(llm, provider, label):
    llm.on("POST", "/", Reply(status=503, body=b"overloaded"))

    with pytest.raises(ApplicationError) as raised:
        llm_chat(chat=chat(provider=provider), request_url=REQUEST_URL)

    assert type(raised.value) is ApplicationError
    assert (raised.value.message, raised.value.code, raised.value.status_code) == (
        f"{label} error 503: overloaded",
        "llm_upstream_error",
        500,
    )
    assert len(llm.requests) == 1


def test_a_body_that_is_not_json_is_a_500_parse_error_cut_at_1000(llm):
    llm.on("POST", OPENROUTER_PATH, Reply(body=b"x" * 1001))

    with pytest.raises(ApplicationError) as raised:
        llm_chat(chat=chat(), request_url=REQUEST_URL)

    assert raised.value.code == "llm_bad_response"
    assert raised.value.message.startswith("OpenRouter JSON parse error: SyntaxError: Expecting value")
    assert raised.value.message.endswith(": " + "x" * 1000 + "...")


def test_no_answer_in_time_is_504(llm, settings):
    settings.LLM_UPSTREAM_TIMEOUT = 0.3
    llm.on("POST", CHUTES_PATH, Reply(body=b"{}", delay=1.0))

    with pytest.raises(UpstreamTimeoutError) as raised:
        llm_chat(chat=chat(provider="chutes"), request_url=REQUEST_URL)

    assert (raised.value.message, raised.value.code, raised.value.status_code) == (
        "TimeoutError: Chutes.ai request timed out",
        "llm_timeout",
        504,
    )


def test_unreachable_upstream_is_502(llm, settings):
    settings.GOOGLE_API_BASE_URL = "http://127.0.0.1:9"

    with pytest.raises(UpstreamError) as raised:
        llm_chat(chat=chat(provider="google"), request_url=REQUEST_URL)

    assert type(raised.value) is UpstreamError
    assert (raised.value.message, raised.value.code, raised.value.status_code) == (
        "ConnectionError: could not reach Google",
        "llm_unreachable",
        502,
    )


# --- sentence analysis: open the stream, then read its frames --------------------------------------------
def analysis(**overrides):
    values = {"sentence": "猫が好きです。", "provider": "google", "model": None, "api_key": "test-key-not-real"}
    return AnalysisRequest(**{**values, **overrides})


def frames_of(stream):
    return parse_frames(b"".join(sentence_analysis_frames(stream)))


def test_google_analysis_sends_the_prompt_and_yields_metadata_chunks_done(upstream):
    upstream.on("POST", "/v1beta/models/", sse_reply(google_event("I like ") + google_event("cats.")))

    stream = sentence_analysis_open(analysis=analysis(), request_url=REQUEST_URL)
    frames = frames_of(stream)

    assert (stream.provider, stream.model, stream.sentence) == ("google", "gemini-2.5-flash-lite", "猫が好きです。")
    assert frames == [
        {"type": "metadata", "provider": "google", "model": "gemini-2.5-flash-lite", "sentence": "猫が好きです。"},
        {"type": "chunk", "text": "I like "},
        {"type": "chunk", "text": "cats."},
        {"type": "done"},
    ]
    [sent] = upstream.requests
    assert (sent.path, sent.headers["x-goog-api-key"]) == (GOOGLE_STREAM_PATH, "test-key-not-real")
    assert json.loads(sent.body)["contents"] == [
        {"role": "user", "parts": [{"text": 'Analyze this Japanese sentence: "猫が好きです。"'}]}
    ]
    assert json.loads(sent.body)["systemInstruction"]["parts"] == [{"text": ANALYSIS_SYSTEM_PROMPT}]


def test_openrouter_analysis_streams_with_the_request_url_as_referer(upstream):
    upstream.on("POST", OPENROUTER_PATH, sse_reply(openrouter_event("猫") + b"data: [DONE]\n\n"))

    stream = sentence_analysis_open(
        analysis=analysis(provider="openrouter", model="meta/llama"), request_url=REQUEST_URL
    )

    assert [f.get("text") for f in frames_of(stream)] == [None, "猫", None]
    [sent] = upstream.requests
    assert sent.headers["http-referer"] == REQUEST_URL
    assert (json.loads(sent.body)["model"], json.loads(sent.body)["stream"]) == ("meta/llama", True)


@pytest.mark.parametrize(
    ("reply", "error", "message", "code", "status"),
    [
        (
            Reply(status=401, body=b'{"error":"bad key"}'),
            ApplicationError,
            'Google API error 401: {"error":"bad key"}',
            "llm_upstream_error",
            500,
        ),
        (
            Reply(body=b"", delay=1.0),
            UpstreamTimeoutError,
            "Request timeout: LLM analysis took too long",
            "llm_timeout",
            504,
        ),
    ],
)
def test_analysis_that_cannot_open_raises_before_any_frame(upstream, settings, reply, error, message, code, status):
    settings.LLM_UPSTREAM_TIMEOUT = 0.3
    upstream.on("POST", "/v1beta/models/", reply)

    with pytest.raises(error) as raised:
        sentence_analysis_open(analysis=analysis(), request_url=REQUEST_URL)

    assert type(raised.value) is error
    assert (raised.value.message, raised.value.code, raised.value.status_code) == (message, code, status)


def test_unreachable_analysis_upstream_is_502(upstream, settings):
    settings.OPENROUTER_API_BASE_URL = "http://127.0.0.1:9"

    with pytest.raises(UpstreamError) as raised:
        sentence_analysis_open(analysis=analysis(provider="openrouter"), request_url=REQUEST_URL)

    assert (raised.value.message, raised.value.code, raised.value.status_code) == (
        "Failed to analyze sentence",
        "llm_unreachable",
        502,
    )


def test_a_stream_cut_midway_ends_with_an_error_frame_and_is_closed(upstream):
    upstream.on("POST", "/v1beta/models/", Reply(body=[google_event("first"), google_event("never")], abort_after=1))

    stream = sentence_analysis_open(analysis=analysis(), request_url=REQUEST_URL)
    frames = frames_of(stream)

    assert [f["type"] for f in frames] == ["metadata", "chunk", "error"]
    assert frames[-1]["error"] == "Error: upstream connection closed before the stream ended"


def test_a_reader_that_stops_early_closes_the_upstream(upstream):
    reply = Reply(body=[google_event("first"), google_event("late")], gate_after=1, gate_timeout=5)
    upstream.on("POST", "/v1beta/models/", reply)
    stream = sentence_analysis_open(analysis=analysis(), request_url=REQUEST_URL)
    frames = sentence_analysis_frames(stream)

    first_two = [next(frames), next(frames)]
    frames.close()  # the client went away while the upstream was still sending
    reply.gate.set()

    assert parse_frames(b"".join(first_two))[1] == {"type": "chunk", "text": "first"}
    assert stream.response.raw.closed
