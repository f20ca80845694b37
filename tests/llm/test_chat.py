"""POST /api/llm-chat (reference §5.2, the original's 16 tests of §8.3 and more).

Google and OpenRouter are a real local HTTP server (tests/upstream.py) that records each request, so
the exact upstream URL, headers and body bytes are asserted.
"""

from __future__ import annotations

import json

import pytest

from tests.upstream import Reply

URL = "/api/llm-chat"
GOOGLE_PATH = "/v1beta/models/gemini-2.5-flash-lite:generateContent"
OPENROUTER_PATH = "/api/v1/chat/completions"


def google_answer(text):
    return {"candidates": [{"content": {"parts": [{"text": text}], "role": "model"}, "finishReason": "STOP"}]}


def openrouter_answer(text):
    return {"id": "gen-1", "choices": [{"message": {"role": "assistant", "content": text}}]}


def post(client, body, **kwargs):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(URL, data, content_type=kwargs.pop("content_type", "application/json"), **kwargs)


@pytest.fixture
def llm(upstream, settings):
    settings.GOOGLE_API_KEY = ""
    settings.OPENROUTER_API_KEY = ""
    upstream.on("POST", "/v1beta/models/", Reply(body=json.dumps(google_answer("Hello! How can I help you?")).encode()))
    upstream.on("POST", OPENROUTER_PATH, Reply(body=json.dumps(openrouter_answer("Server key response")).encode()))
    return upstream


@pytest.mark.parametrize("body", ["invalid json", "", "[1,2]", "null", '"text"'])
def test_body_that_is_not_a_json_object_is_400_invalid_json(client, llm, body):
    response = post(client, body)

    assert response.status_code == 400
    assert response.json()["error"] == "Invalid JSON"


def test_content_type_is_irrelevant(client, llm):
    response = post(client, {"provider": "google", "prompt": "hi", "apiKey": "k"}, content_type="text/plain")

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "Missing provider"),
        ({"provider": ""}, "Missing provider"),
        ({"provider": "google", "apiKey": "test-key"}, "Missing prompt or messages"),
        ({"provider": "google", "prompt": "", "apiKey": "k"}, "Missing prompt or messages"),
        ({"provider": "anthropic", "prompt": "hi"}, "Unsupported provider"),
        (
            {"provider": "google", "prompt": "hi"},
            "Missing API key for Google provider. Configure GOOGLE_API_KEY on server or provide your own API key.",
        ),
        (
            {"provider": "openrouter", "prompt": "hi"},
            "Missing API key for OpenRouter provider. Configure OPENROUTER_API_KEY on server or provide your own "
            "API key.",
        ),
        ({"provider": "google", "messages": [], "apiKey": "k"}, "Missing prompt or messages"),
    ],
)
def test_ordered_checks_keep_the_original_messages(client, llm, body, message):
    response = post(client, body)

    assert response.status_code == 400
    assert response.json()["error"] == message
    assert llm.requests == []


def test_empty_messages_without_any_key_reports_the_key_first(client, llm):
    response = post(client, {"provider": "google", "messages": []})

    assert response.json()["error"].startswith("Missing API key for Google provider")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"provider": "google", "prompt": 5, "apiKey": "k"}, "prompt"),
        ({"provider": "google", "messages": "hi", "apiKey": "k"}, "messages"),
        ({"provider": "google", "messages": [{"role": "bot", "content": "x"}], "apiKey": "k"}, "messages"),
        ({"provider": "google", "prompt": "x", "temperature": "hot", "apiKey": "k"}, "temperature"),
        ({"provider": "google", "prompt": "x", "temperature": True, "apiKey": "k"}, "temperature"),
        ({"provider": "google", "prompt": "x", "maxTokens": -1, "apiKey": "k"}, "maxTokens"),
        ({"provider": "google", "prompt": "x", "maxTokens": 10**30, "apiKey": "k"}, "maxTokens"),
        ({"provider": "google", "prompt": "x", "apiKey": "k\r\nX-Evil: 1"}, "apiKey"),
        ({"provider": "openrouter", "prompt": "x", "apiKey": "k", "appName": "ベラ"}, "appName"),
        ({"provider": "openrouter", "prompt": "x", "apiKey": "k\tx"}, "apiKey"),
        ({"provider": "openrouter", "prompt": "x", "apiKey": "k", "appName": "Vela\x7f"}, "appName"),
        ({"provider": "openrouter", "prompt": "x", "apiKey": "k", "referer": "https://a\x00b"}, "referer"),
    ],
)
def test_wrong_types_are_400_field_errors_not_500(client, llm, body, field):
    response = post(client, body)

    assert response.status_code == 400
    # nested errors are flattened to dotted names (`messages.0.role`)
    assert [k for k in response.json()["fields"] if k == field or k.startswith(field + ".")]
    assert llm.requests == []


def test_google_with_server_key(client, llm, settings):
    settings.GOOGLE_API_KEY = "server-side-key"

    response = post(client, {"provider": "google", "prompt": "Hello"})

    assert response.status_code == 200
    assert response.json()["text"] == "Hello! How can I help you?"
    [sent] = llm.requests
    assert sent.path == GOOGLE_PATH
    assert sent.headers["x-goog-api-key"] == "server-side-key"
    assert "key=" not in sent.path


def test_google_user_key_overrides_server_key(client, llm, settings):
    settings.GOOGLE_API_KEY = "server-side-key"

    post(client, {"provider": "google", "prompt": "Hello", "apiKey": "user-key"})

    assert llm.requests[0].headers["x-goog-api-key"] == "user-key"


def test_google_success_returns_text_and_raw(client, llm):
    response = post(
        client,
        {
            "provider": "google",
            "prompt": "Hi",
            "apiKey": "test-key",
            "model": "gemini-pro",
            "temperature": 0.2,
            "maxTokens": 50,
        },
    )

    assert response.status_code == 200
    assert response.json() == {"text": "Hello! How can I help you?", "raw": google_answer("Hello! How can I help you?")}
    [sent] = llm.requests
    assert sent.method == "POST"
    assert sent.path == "/v1beta/models/gemini-pro:generateContent"
    assert sent.headers["content-type"] == "application/json"
    assert sent.headers["x-goog-api-key"] == "test-key"
    assert sent.body == (
        b'{"contents":[{"role":"user","parts":[{"text":"Hi"}]}],'
        b'"generationConfig":{"temperature":0.2,"maxOutputTokens":50}}'
    )


def test_google_body_with_messages_is_byte_for_byte_the_original(client, llm):
    messages = [
        {"role": "system", "content": "You are helpful"},
        {"role": "user", "content": "Hello"},
        {"role": "assistant", "content": "Hi there!"},
        {"role": "user", "content": "How are you?"},
    ]

    response = post(client, {"provider": "google", "messages": messages, "apiKey": "test-key"})

    assert response.status_code == 200
    assert llm.requests[0].body == (
        b'{"contents":[{"role":"user","parts":[{"text":"Hello"}]},{"role":"model","parts":[{"text":"Hi there!"}]},'
        b'{"role":"user","parts":[{"text":"How are you?"}]}],"generationConfig":{"temperature":0.7,'
        b'"maxOutputTokens":1024},"systemInstruction":{"role":"system","parts":[{"text":"You are helpful"}]}}'
    )


def test_google_system_field_overrides_system_messages_and_unicode_is_raw(client, llm):
    messages = [
        {"role": "system", "content": "first"},
        {"role": "system", "content": "last"},
        {"role": "user", "content": "日本語"},
    ]

    post(client, {"provider": "google", "messages": messages, "system": "先生", "apiKey": "k", "temperature": 1.0})

    body = llm.requests[0].body
    assert (
        body
        == (
            '{"contents":[{"role":"user","parts":[{"text":"日本語"}]}],"generationConfig":{"temperature":1,'
            '"maxOutputTokens":1024},"systemInstruction":{"role":"system","parts":[{"text":"先生"}]}}'
        ).encode()
    )


def test_google_last_system_message_wins(client, llm):
    messages = [
        {"role": "system", "content": "first"},
        {"role": "user", "content": "q"},
        {"role": "system", "content": "last"},
    ]

    post(client, {"provider": "google", "messages": messages, "apiKey": "k"})

    assert json.loads(llm.requests[0].body)["systemInstruction"] == {"role": "system", "parts": [{"text": "last"}]}


def test_google_upstream_error_is_500_with_status_and_body(client, llm):
    llm.on("POST", "/v1beta/models/", Reply(status=400, body=b"Bad Request"))

    response = post(client, {"provider": "google", "prompt": "Hi", "apiKey": "k"})

    assert response.status_code == 500
    assert response.json()["error"] == "Google error 400: Bad Request"
    assert len(llm.requests) == 1


def test_openrouter_upstream_5xx_is_not_retried(client, llm):
    llm.on("POST", OPENROUTER_PATH, Reply(status=503, body=b'{"error":"overloaded"}'))

    response = post(client, {"provider": "openrouter", "prompt": "Hi", "apiKey": "k"})

    assert response.status_code == 500
    assert response.json()["error"] == 'OpenRouter error 503: {"error":"overloaded"}'
    assert len(llm.requests) == 1


def test_openrouter_with_server_key(client, llm, settings):
    settings.OPENROUTER_API_KEY = "server-side-key"
    settings.APP_NAME = "Vela App"

    response = post(client, {"provider": "openrouter", "prompt": "Hello"})

    assert response.status_code == 200
    assert response.json()["text"] == "Server key response"
    [sent] = llm.requests
    assert sent.path == OPENROUTER_PATH
    assert sent.headers["authorization"] == "Bearer server-side-key"
    assert sent.headers["x-title"] == "Vela App"
    assert sent.headers["http-referer"] == "http://testserver/api/llm-chat"
    assert sent.body == (
        b'{"model":"openai/gpt-oss-20b:free","messages":[{"role":"user","content":"Hello"}],'
        b'"temperature":0.7,"max_tokens":1024}'
    )


def test_openrouter_user_key_app_name_and_referer(client, llm, settings):
    settings.OPENROUTER_API_KEY = "server-side-key"
    messages = [{"role": "user", "content": "Hi", "name": "dropped"}]

    response = post(
        client,
        {
            "provider": "openrouter",
            "messages": messages,
            "system": "Be brief",
            "apiKey": "test-key",
            "appName": "Test App",
            "referer": "https://test.com",
            "model": "meta/llama",
            "maxTokens": 10,
        },
    )

    assert response.json() == {"text": "Server key response", "raw": openrouter_answer("Server key response")}
    [sent] = llm.requests
    assert sent.headers["authorization"] == "Bearer test-key"
    assert sent.headers["x-title"] == "Test App"
    assert sent.headers["http-referer"] == "https://test.com"
    assert sent.body == (
        b'{"model":"meta/llama","messages":[{"role":"system","content":"Be brief"},{"role":"user","content":"Hi"}],'
        b'"temperature":0.7,"max_tokens":10}'
    )


def test_missing_text_in_answer_is_empty_string(client, llm):
    llm.on("POST", "/v1beta/models/", Reply(body=b'{"candidates":[]}'))

    response = post(client, {"provider": "google", "prompt": "Hi", "apiKey": "k"})

    assert response.json() == {"text": "", "raw": {"candidates": []}}


def test_malformed_upstream_json_is_500(client, llm):
    llm.on("POST", OPENROUTER_PATH, Reply(body=b"<html>gateway</html>"))

    response = post(client, {"provider": "openrouter", "prompt": "Hi", "apiKey": "k"})

    assert response.status_code == 500
    assert response.json()["error"] == (
        "OpenRouter JSON parse error: SyntaxError: Expecting value: line 1 column 1 (char 0): <html>gateway</html>"
    )


def test_upstream_timeout_is_504(client, llm, settings):
    settings.LLM_UPSTREAM_TIMEOUT = 0.3
    llm.on("POST", "/v1beta/models/", Reply(body=b"{}", delay=1.0))

    response = post(client, {"provider": "google", "prompt": "Hi", "apiKey": "k"})

    assert response.status_code == 504
    assert response.json()["error"] == "TimeoutError: Google request timed out"
    assert len(llm.requests) == 1


def test_unreachable_upstream_is_502(client, llm, settings):
    settings.GOOGLE_API_BASE_URL = "http://127.0.0.1:9"

    response = post(client, {"provider": "google", "prompt": "Hi", "apiKey": "k"})

    assert response.status_code == 502
    assert response.json()["error"] == "ConnectionError: could not reach Google"


def test_a_stale_token_does_not_break_the_public_route(client, llm):
    response = post(
        client, {"provider": "google", "prompt": "Hi", "apiKey": "k"}, headers={"Authorization": "Bearer x"}
    )

    assert response.status_code == 200


def test_header_fields_follow_the_one_header_rule(client, llm):
    """vela.http.header_value_problem: C1 characters pass (the rule refuses C0 and DEL only); edge
    whitespace is trimmed by the fields before the rule sees it, so it is sent trimmed, not refused."""
    body = {"provider": "openrouter", "prompt": "Hi", "apiKey": " k\x85ey ", "appName": "Vela\x9f", "referer": "x"}

    response = post(client, body)

    assert response.status_code == 200
    [sent] = llm.requests
    assert sent.headers["authorization"] == "Bearer k\x85ey"
