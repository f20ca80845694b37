"""POST /api/llm-chat with `provider: "chutes"` (HEAD §8.9) against a local fake Chutes.ai over real HTTP.

The fake (tests/upstream.py) records every request, so the exact URL, headers and body bytes are asserted.
"""

from __future__ import annotations

import json

import pytest

from tests.upstream import Reply

URL = "/api/llm-chat"
CHUTES_PATH = "/v1/chat/completions"


def chutes_answer(text):
    message = {"role": "assistant", "content": text}
    return {"id": "chatcmpl-1", "object": "chat.completion", "choices": [{"message": message}]}


def post(client, body):
    return client.post(URL, json.dumps(body), content_type="application/json")


@pytest.fixture
def chutes(upstream, settings):
    settings.CHUTES_API_BASE_URL = upstream.url
    settings.GOOGLE_API_KEY = "server-google-key"
    settings.OPENROUTER_API_KEY = "server-openrouter-key"
    upstream.on("POST", CHUTES_PATH, Reply(body=json.dumps(chutes_answer("こんにちは")).encode()))
    return upstream


def test_prompt_with_defaults_is_the_exact_head_request(client, chutes):
    response = post(client, {"provider": "chutes", "prompt": "Hello", "apiKey": "cpk_user-key"})

    assert response.status_code == 200
    assert response.json() == {"text": "こんにちは", "raw": chutes_answer("こんにちは")}
    [sent] = chutes.requests
    assert (sent.method, sent.path) == ("POST", CHUTES_PATH)
    assert sent.headers["content-type"] == "application/json"
    assert sent.headers["authorization"] == "Bearer cpk_user-key"
    assert "http-referer" not in sent.headers
    assert "x-title" not in sent.headers
    assert sent.body == (
        b'{"model":"openai/gpt-oss-120b","messages":[{"role":"user","content":"Hello"}],'
        b'"temperature":0.7,"max_tokens":1024,"stream":false}'
    )


def test_messages_system_model_and_numbers_are_mapped_as_openrouter(client, chutes):
    body = {
        "provider": "chutes",
        "messages": [
            {"role": "user", "content": "猫はか", "name": "dropped"},
            {"role": "assistant", "content": "Cat."},
            {"role": "user", "content": "犬はか"},
        ],
        "system": "Answer in English",
        "model": "deepseek-ai/DeepSeek-V3",
        "temperature": 0.2,
        "maxTokens": 64,
        "apiKey": "k",
    }

    response = post(client, body)

    assert response.status_code == 200
    [sent] = chutes.requests
    assert json.loads(sent.body) == {
        "model": "deepseek-ai/DeepSeek-V3",
        "messages": [
            {"role": "system", "content": "Answer in English"},
            {"role": "user", "content": "猫はか"},
            {"role": "assistant", "content": "Cat."},
            {"role": "user", "content": "犬はか"},
        ],
        "temperature": 0.2,
        "max_tokens": 64,
        "stream": False,
    }
    assert "猫はか".encode() in sent.body  # raw UTF-8, as JSON.stringify


@pytest.mark.parametrize("key", [None, "", 0])
def test_missing_user_key_is_400_even_with_server_keys(client, chutes, key):
    body = {"provider": "chutes", "prompt": "Hi"} | ({} if key is None else {"apiKey": key})

    response = post(client, body)

    assert response.status_code == 400
    assert response.json()["error"] == (
        "Missing API key for Chutes.ai provider. Please provide your own API key in settings."
    )
    assert response.json()["code"] == "missing_api_key"
    assert chutes.requests == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"provider": "chutes", "prompt": "x", "apiKey": "k\r\nX-Evil: 1"}, "apiKey"),
        ({"provider": "chutes", "prompt": "x", "apiKey": 12}, "apiKey"),
        ({"provider": "chutes", "prompt": "x", "apiKey": "k", "temperature": "warm"}, "temperature"),
        ({"provider": "chutes", "prompt": "x", "apiKey": "k", "maxTokens": 1.5}, "maxTokens"),
        ({"provider": "chutes", "messages": [{"role": "tool", "content": "x"}], "apiKey": "k"}, "messages"),
    ],
)
def test_wrong_types_are_400_with_fields(client, chutes, body, field):
    response = post(client, body)

    assert response.status_code == 400
    # nested errors are flattened to dotted names (`messages.0.role`)
    assert [k for k in response.json()["fields"] if k == field or k.startswith(field + ".")]
    assert chutes.requests == []


def test_missing_prompt_comes_before_the_key_check(client, chutes):
    response = post(client, {"provider": "chutes"})

    assert (response.status_code, response.json()["error"]) == (400, "Missing prompt or messages")


@pytest.mark.parametrize(("status", "body"), [(401, b'{"detail":"Invalid token"}'), (503, b"busy")])
def test_upstream_error_is_500_with_status_and_body(client, chutes, status, body):
    chutes.on("POST", CHUTES_PATH, Reply(status=status, body=body))

    response = post(client, {"provider": "chutes", "prompt": "Hi", "apiKey": "k"})

    assert response.status_code == 500
    assert response.json()["error"] == f"Chutes.ai error {status}: {body.decode()}"
    assert len(chutes.requests) == 1  # never retried


def test_non_json_answer_is_500_parse_error_with_the_body_cut_at_1000(client, chutes):
    chutes.on("POST", CHUTES_PATH, Reply(body=b"x" * 1500))

    response = post(client, {"provider": "chutes", "prompt": "Hi", "apiKey": "k"})

    assert response.status_code == 500
    error = response.json()["error"]
    assert error.startswith("Chutes.ai JSON parse error: SyntaxError: ")
    assert error.endswith(": " + "x" * 1000 + "...")


def test_answer_without_choices_is_empty_text(client, chutes):
    chutes.on("POST", CHUTES_PATH, Reply(body=b'{"choices":[]}'))

    response = post(client, {"provider": "chutes", "prompt": "Hi", "apiKey": "k"})

    assert response.json() == {"text": "", "raw": {"choices": []}}


def test_key_never_reaches_a_log(client, chutes, caplog):
    caplog.set_level("DEBUG")
    chutes.on("POST", CHUTES_PATH, Reply(status=500, body=b"oops"))

    post(client, {"provider": "chutes", "prompt": "Hi", "apiKey": "cpk_very-secret-key"})

    assert "cpk_very-secret-key" not in caplog.text


def test_chutes_is_not_a_sentence_analysis_provider(client, chutes, auth_header):
    response = client.post(
        "/api/my-dictionaries/analyze",
        json.dumps({"sentence": "猫", "provider": "chutes", "apiKey": "k"}),
        content_type="application/json",
        headers=auth_header("u1"),
    )

    assert (response.status_code, response.json()["error"]) == (400, "Unsupported provider")
