"""POST /api/my-dictionaries/analyze through Django's test client (reference §5.10).

Identity = email (CONTRACT §2.1): ID tokens from the local JWKS carry the email claim. The LLM
providers are the local fake upstream server, replying in odd-sized chunked pieces.
"""

from __future__ import annotations

import json

import pytest

from llm.services import ANALYSIS_SYSTEM_PROMPT
from tests.llm.conftest import (
    ANALYZE,
    GOOGLE_STREAM_PATH,
    OPENROUTER_PATH,
    analyze_body,
    google_event,
    openrouter_event,
    parse_frames,
    sse_reply,
)
from tests.upstream import Reply

GOOGLE_STREAM = (
    b": ping\r\n\r\n"
    + google_event("Translation: ")
    + google_event("I like cats.")
    + b"data: {broken json\r\n\r\n"
    + b'data: {"candidates":[]}\r\n\r\n'
    + google_event("\n文法: が")
)


def post(client, body, headers):
    return client.post(ANALYZE, body, content_type="application/json", headers=headers)


def body_of(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def analyze_env(upstream, cognito):
    return upstream


def test_google_stream_becomes_metadata_chunks_done(client, analyze_env, auth_header):
    analyze_env.on("POST", "/v1beta/models/", sse_reply(GOOGLE_STREAM))

    response = post(client, analyze_body(), auth_header())

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/event-stream"
    assert response["Cache-Control"] == "no-cache"
    assert parse_frames(body_of(response)) == [
        {"type": "metadata", "provider": "google", "model": "gemini-2.5-flash-lite", "sentence": "猫が好きです。"},
        {"type": "chunk", "text": "Translation: "},
        {"type": "chunk", "text": "I like cats."},
        {"type": "chunk", "text": "\n文法: が"},
        {"type": "done"},
    ]


def test_google_upstream_request_is_exact_with_key_in_header(client, analyze_env, auth_header):
    analyze_env.on("POST", "/v1beta/models/", sse_reply(google_event("x")))

    body_of(post(client, analyze_body(), auth_header()))

    [sent] = analyze_env.requests
    assert sent.path == GOOGLE_STREAM_PATH
    assert sent.headers["x-goog-api-key"] == "g-key-1"
    assert sent.headers["content-type"] == "application/json"
    expected = {
        "contents": [{"role": "user", "parts": [{"text": 'Analyze this Japanese sentence: "猫が好きです。"'}]}],
        "systemInstruction": {"role": "system", "parts": [{"text": ANALYSIS_SYSTEM_PROMPT}]},
        "generationConfig": {"temperature": 0.7, "maxOutputTokens": 1024},
    }
    assert sent.body == json.dumps(expected, ensure_ascii=False, separators=(",", ":")).encode()


def test_openrouter_stream_and_request(client, analyze_env, auth_header, settings):
    settings.APP_NAME = "Vela Test"
    events = openrouter_event("猫") + b": OPENROUTER PROCESSING\n\n" + openrouter_event("です") + b"data: [DONE]\n\n"
    analyze_env.on("POST", OPENROUTER_PATH, sse_reply(events))

    response = post(client, analyze_body(provider="openrouter", apiKey="or-key", model="meta/llama"), auth_header())

    assert [f.get("text") for f in parse_frames(body_of(response))] == [None, "猫", "です", None]
    [sent] = analyze_env.requests
    assert sent.headers["authorization"] == "Bearer or-key"
    assert sent.headers["x-title"] == "Vela Test"
    assert sent.headers["http-referer"] == "http://testserver/api/my-dictionaries/analyze"
    assert json.loads(sent.body) == {
        "model": "meta/llama",
        "messages": [
            {"role": "system", "content": ANALYSIS_SYSTEM_PROMPT},
            {"role": "user", "content": 'Analyze this Japanese sentence: "猫が好きです。"'},
        ],
        "temperature": 0.7,
        "max_tokens": 1024,
        "stream": True,
    }
    assert list(json.loads(sent.body)) == ["model", "messages", "temperature", "max_tokens", "stream"]


def test_stream_without_final_blank_line_still_delivers_the_last_chunk(client, analyze_env, auth_header):
    analyze_env.on("POST", "/v1beta/models/", sse_reply(google_event("a") + google_event("b").rstrip()))

    frames = parse_frames(body_of(post(client, analyze_body(), auth_header())))

    assert [f.get("text") for f in frames] == [None, "a", "b", None]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"sentence": "   "}, "Sentence is required"),
        ({"sentence": 12}, "Sentence is required"),
        ({"provider": ""}, "LLM provider is required"),
        ({"apiKey": ""}, "Missing API key for Google provider"),
        ({"provider": "openrouter", "apiKey": None}, "Missing API key for OpenRouter provider"),
        ({"provider": "claude"}, "Unsupported provider"),
    ],
)
def test_ordered_validation_messages(client, analyze_env, auth_header, overrides, message):
    response = post(client, analyze_body(**overrides), auth_header())

    assert response.status_code == 400
    assert response.json()["error"] == message
    assert analyze_env.requests == []


def test_wrong_types_and_bad_json_are_400(client, analyze_env, auth_header):
    wrong_model = post(client, analyze_body(model=["x"]), auth_header())
    bad_json = post(client, "{nope", auth_header())

    assert wrong_model.status_code == 400
    assert "model" in wrong_model.json()["fields"]
    assert bad_json.status_code == 400
    assert bad_json.json()["error"] == "Invalid JSON"


def test_auth_is_required_and_checked_before_the_body(client, analyze_env, cognito):
    anonymous = post(client, "{nope", {})
    bad_token = post(client, analyze_body(), {"Authorization": "Bearer not-a-jwt"})

    assert anonymous.status_code == 401
    assert bad_token.status_code == 401
    assert analyze_env.requests == []


@pytest.mark.parametrize(("provider", "label"), [("google", "Google API"), ("openrouter", "OpenRouter API")])
@pytest.mark.parametrize(("status", "body"), [(400, b'{"error":"API key not valid"}'), (503, b"overloaded")])
def test_upstream_error_is_500_json(client, analyze_env, auth_header, provider, label, status, body):
    analyze_env.on("POST", "/", Reply(status=status, body=body))

    response = post(client, analyze_body(provider=provider), auth_header())

    assert response.status_code == 500
    assert response.json()["error"] == f"{label} error {status}: {body.decode()}"
    assert len(analyze_env.requests) == 1


def test_no_answer_in_time_is_504(client, analyze_env, auth_header, settings):
    settings.LLM_UPSTREAM_TIMEOUT = 0.3
    analyze_env.on("POST", "/v1beta/models/", Reply(body=b"", delay=1.0))

    response = post(client, analyze_body(), auth_header())

    assert response.status_code == 504
    assert response.json()["error"] == "Request timeout: LLM analysis took too long"


def test_unreachable_upstream_is_502(client, analyze_env, auth_header, settings):
    settings.GOOGLE_API_BASE_URL = "http://127.0.0.1:9"

    response = post(client, analyze_body(), auth_header())

    assert response.status_code == 502
    assert response.json()["error"] == "Failed to analyze sentence"


def test_connection_dropped_mid_stream_ends_with_an_error_frame(client, analyze_env, auth_header):
    pieces = [google_event("first"), google_event("second"), google_event("never")]
    analyze_env.on("POST", "/v1beta/models/", Reply(body=pieces, abort_after=2))

    frames = parse_frames(body_of(post(client, analyze_body(), auth_header())))

    assert [f["type"] for f in frames] == ["metadata", "chunk", "chunk", "error"]
    assert frames[-1]["error"] == "Error: upstream connection closed before the stream ended"


def test_stalled_stream_ends_with_a_timeout_error_frame(client, analyze_env, auth_header, settings):
    settings.LLM_UPSTREAM_TIMEOUT = 0.4
    reply = Reply(body=[google_event("first"), google_event("late")], gate_after=1, gate_timeout=1.5)
    analyze_env.on("POST", "/v1beta/models/", reply)

    frames = parse_frames(body_of(post(client, analyze_body(), auth_header())))

    assert [f["type"] for f in frames] == ["metadata", "chunk", "error"]
    assert frames[-1]["error"].startswith("TimeoutError:")
