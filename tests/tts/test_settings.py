"""GET/POST /api/tts/settings (HEAD §8.7; December §5.8 requests stay valid) on a moto server over HTTP."""

from __future__ import annotations

import time

import pytest

from tests.tts.conftest import SETTINGS_URL, put_raw_settings, save_settings, stored_item

PROVIDER_MESSAGE = 'Invalid option: expected one of "elevenlabs"|"openai"|"gemini"'


def test_get_without_settings_returns_defaults(client, tts_env, auth_header):
    response = client.get(SETTINGS_URL, headers=auth_header("user-a"))

    assert response.status_code == 200
    assert response.json() == {"hasApiKey": False, "provider": "elevenlabs", "voiceId": None, "model": None}


@pytest.mark.parametrize("provider", ["elevenlabs", "openai", "gemini"])
def test_save_then_get_reports_provider_and_key_presence_never_the_key(
    client, tts_env, auth_header, dynamodb_http, settings, provider
):
    headers = auth_header("user-a")
    before = time.time_ns() // 1_000_000

    saved = save_settings(client, headers, provider=provider, apiKey="sk-secret-1", voiceId="voice-9", model="m-2")
    fetched = client.get(SETTINGS_URL, headers=headers)

    assert saved.status_code == 200
    assert saved.json() == {"success": True, "message": "TTS settings saved successfully"}
    assert fetched.json() == {"hasApiKey": True, "provider": provider, "voiceId": "voice-9", "model": "m-2"}
    assert b"sk-secret-1" not in fetched.content + saved.content
    item = stored_item(dynamodb_http, settings, "user-a")
    assert set(item) == {"user_id", "provider", "api_key", "voice_id", "model", "created_at", "updated_at"}
    assert item["provider"] == {"S": provider}
    assert item["api_key"] == {"S": "sk-secret-1"}
    assert (item["voice_id"], item["model"]) == ({"S": "voice-9"}, {"S": "m-2"})
    assert int(item["created_at"]["N"]) == int(item["updated_at"]["N"]) >= before


def test_december_body_without_provider_means_elevenlabs(client, tts_env, auth_header, dynamodb_http, settings):
    headers = auth_header("user-dec")

    saved = save_settings(client, headers, apiKey="k", voiceId=None)

    assert saved.status_code == 200
    assert client.get(SETTINGS_URL, headers=headers).json()["provider"] == "elevenlabs"
    assert stored_item(dynamodb_http, settings, "user-dec")["provider"] == {"S": "elevenlabs"}


def test_created_at_survives_later_saves(client, tts_env, auth_header, dynamodb_http, settings):
    headers = auth_header("user-c")
    save_settings(client, headers, apiKey="k1")
    first = stored_item(dynamodb_http, settings, "user-c")
    time.sleep(0.01)

    save_settings(client, headers, provider="openai", apiKey="k2")

    second = stored_item(dynamodb_http, settings, "user-c")
    assert second["created_at"] == first["created_at"]
    assert int(second["updated_at"]["N"]) > int(first["updated_at"]["N"])
    assert (second["provider"], second["api_key"]) == ({"S": "openai"}, {"S": "k2"})


def test_empty_voice_and_model_are_stored_as_null(client, tts_env, auth_header, dynamodb_http, settings):
    headers = auth_header("user-b")

    save_settings(client, headers, provider="gemini", apiKey="k", voiceId="", model=None)

    assert client.get(SETTINGS_URL, headers=headers).json() == {
        "hasApiKey": True,
        "provider": "gemini",
        "voiceId": None,
        "model": None,
    }
    item = stored_item(dynamodb_http, settings, "user-b")
    assert item["voice_id"] == item["model"] == {"NULL": True}


def test_settings_are_per_user(client, tts_env, auth_header):
    save_settings(client, auth_header("user-a"), provider="openai", apiKey="k", voiceId="nova")

    other = client.get(SETTINGS_URL, headers=auth_header("user-other")).json()

    assert other == {"hasApiKey": False, "provider": "elevenlabs", "voiceId": None, "model": None}


def test_pre_provider_rows_read_as_elevenlabs_and_unknown_providers_fall_back(
    client, tts_env, auth_header, dynamodb_http, settings
):
    old_row = {"user_id": {"S": "old"}, "api_key": {"S": "k"}, "voice_id": {"NULL": True}}
    put_raw_settings(dynamodb_http, settings, old_row)
    odd_row = {"user_id": {"S": "odd"}, "api_key": {"S": ""}, "provider": {"S": "polly"}}
    put_raw_settings(dynamodb_http, settings, odd_row)

    old = client.get(SETTINGS_URL, headers=auth_header("old")).json()
    odd = client.get(SETTINGS_URL, headers=auth_header("odd")).json()

    assert old == {"hasApiKey": True, "provider": "elevenlabs", "voiceId": None, "model": None}
    assert odd == {"hasApiKey": False, "provider": "elevenlabs", "voiceId": None, "model": None}


@pytest.mark.parametrize("provider", ["polly", "", "OpenAI", None, 3, ["openai"]])
def test_unknown_provider_is_a_field_error(client, tts_env, auth_header, provider):
    response = save_settings(client, auth_header(), provider=provider, apiKey="k")

    assert response.status_code == 400
    body = response.json()
    assert (body["code"], list(body["fields"])) == ("invalid", ["provider"])
    if isinstance(provider, str) and provider:
        assert body["fields"]["provider"] == [PROVIDER_MESSAGE]


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"voiceId": "v"}, {"apiKey"}),
        ({"apiKey": ""}, {"apiKey"}),
        ({"apiKey": ["x"], "voiceId": {"a": 1}}, {"apiKey", "voiceId"}),
        ({"apiKey": "k", "model": 5}, {"model"}),
        ({"apiKey": "k" * 513}, {"apiKey"}),
        ({"apiKey": "k", "voiceId": "v" * 129}, {"voiceId"}),
    ],
)
def test_validation_errors_name_their_fields(client, tts_env, auth_header, body, fields):
    response = save_settings(client, auth_header(), **body)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert set(response.json()["fields"]) == fields


@pytest.mark.parametrize(
    "key",
    [
        "ключ-api",  # beyond Latin-1: http.client cannot encode it (issue 12: was a 500 at generate)
        "sk-中文",
        "sk-abc\ndef",  # a newline (issue 12: was saved, then tts_upstream_error)
        "sk-abc\r\nX-Injected: 1",
        "sk-abc\tdef",
        "sk-\x00nul",
        "sk-\x7fdel",
        "\x85sk-leading-nel",
        " sk-leading-space",
        "sk-trailing-space ",
        "sk-emoji-😀",
    ],
)
def test_keys_that_cannot_go_in_a_header_are_refused_when_saved(
    client, tts_env, auth_header, dynamodb_http, settings, key
):
    response = save_settings(client, auth_header("user-k"), provider="openai", apiKey=key)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["fields"]) == ["apiKey"]
    assert key not in response.content.decode()
    assert stored_item(dynamodb_http, settings, "user-k") == {}


@pytest.mark.parametrize("key", ["clé-ÿ-123", "sk-\x85c1"])  # the one header rule refuses C0 and DEL, not C1
def test_a_latin1_key_is_accepted(client, tts_env, auth_header, dynamodb_http, settings, key):
    response = save_settings(client, auth_header("user-l"), apiKey=key)

    assert response.status_code == 200
    assert stored_item(dynamodb_http, settings, "user-l")["api_key"] == {"S": key}


def test_wrong_types_and_malformed_json_are_400(client, tts_env, auth_header):
    malformed = client.post(SETTINGS_URL, "{not json", content_type="application/json", headers=auth_header())

    assert malformed.status_code == 400
    assert malformed.json()["code"] == "malformed_json"


def test_without_token_is_401_before_validation(client, tts_env):
    response = client.post(SETTINGS_URL, {"provider": "nope"}, content_type="application/json")

    assert response.status_code == 401
    assert response.json()["error"] == "Unauthorized: Missing or invalid Authorization header"


def test_invalid_tokens_are_401(client, tts_env, cognito):
    expired = client.get(SETTINGS_URL, headers={"Authorization": f"Bearer {cognito.token('u', expires_in=-60)}"})
    other = client.get(SETTINGS_URL, headers={"Authorization": f"Bearer {cognito.token('u', client_id='else')}"})

    for response in (expired, other):
        assert response.status_code == 401
        assert response.json()["error"] == "Unauthorized: Invalid or expired token"


def test_access_tokens_are_accepted_too(client, tts_env, cognito):
    headers = {"Authorization": f"Bearer {cognito.token('user-c', token_use='access')}"}

    save_settings(client, headers, apiKey="k2")

    assert client.get(SETTINGS_URL, headers=headers).json()["hasApiKey"] is True


def test_missing_table_is_the_boundary_error(client, tts_env, auth_header, dynamodb_http, settings):
    table = settings.DYNAMODB_TABLES["tts_settings"]
    dynamodb_http.delete_table(TableName=table)
    headers = auth_header()

    got = client.get(SETTINGS_URL, headers=headers)
    saved = save_settings(client, headers, apiKey="k")

    for response in (got, saved):
        assert response.status_code == 500
        assert response.json()["code"] == "table_not_found"
        assert table in response.json()["error"]
