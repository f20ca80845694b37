"""GET/POST /api/tts/settings (reference §5.8) against moto DynamoDB; tokens from the local JWKS."""

from __future__ import annotations

from tests.tts.conftest import save_settings

URL = "/api/tts/settings"


def test_get_without_settings_returns_defaults(client, tts_env, auth_header):
    response = client.get(URL, headers=auth_header("user-a"))

    assert response.status_code == 200
    assert response.json() == {"hasApiKey": False, "voiceId": None, "model": None}


def test_save_then_get_reports_key_presence_but_never_the_key(client, tts_env, auth_header, dynamodb, settings):
    headers = auth_header("user-a")

    saved = save_settings(client, headers, apiKey="sk-eleven-secret-1", voiceId="voice-9", model="eleven_turbo_v2")
    fetched = client.get(URL, headers=headers)

    assert saved.status_code == 200
    assert saved.json() == {"success": True, "message": "TTS settings saved successfully"}
    assert fetched.json() == {"hasApiKey": True, "voiceId": "voice-9", "model": "eleven_turbo_v2"}
    assert b"sk-eleven-secret-1" not in fetched.content
    item = dynamodb.get_item(TableName=settings.DYNAMODB_TABLES["tts_settings"], Key={"user_id": {"S": "user-a"}})
    stored = item["Item"]
    assert stored["api_key"] == {"S": "sk-eleven-secret-1"}
    assert int(stored["created_at"]["N"]) == int(stored["updated_at"]["N"]) > 1_600_000_000_000


def test_empty_voice_and_model_are_stored_as_null(client, tts_env, auth_header, dynamodb, settings):
    headers = auth_header("user-b")

    save_settings(client, headers, apiKey="k", voiceId="", model=None)

    assert client.get(URL, headers=headers).json() == {"hasApiKey": True, "voiceId": None, "model": None}
    item = dynamodb.get_item(TableName=settings.DYNAMODB_TABLES["tts_settings"], Key={"user_id": {"S": "user-b"}})
    assert item["Item"]["voice_id"] == {"NULL": True}


def test_settings_are_per_user(client, tts_env, auth_header):
    save_settings(client, auth_header("user-a"), apiKey="k")

    assert client.get(URL, headers=auth_header("user-other")).json()["hasApiKey"] is False


def test_missing_api_key_is_a_field_error(client, tts_env, auth_header):
    response = save_settings(client, auth_header(), voiceId="v")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["fields"]) == ["apiKey"]


def test_wrong_types_and_malformed_json_are_400(client, tts_env, auth_header):
    wrong = save_settings(client, auth_header(), apiKey=["x"], voiceId={"a": 1})
    malformed = client.post(URL, "{not json", content_type="application/json", headers=auth_header())

    assert wrong.status_code == 400
    assert set(wrong.json()["fields"]) == {"apiKey", "voiceId"}
    assert malformed.status_code == 400
    assert malformed.json()["code"] == "malformed_json"


def test_without_token_is_401_before_validation(client, tts_env):
    response = client.post(URL, {}, content_type="application/json")

    assert response.status_code == 401
    assert response.json()["error"] == "Unauthorized: Missing or invalid Authorization header"


def test_non_bearer_and_invalid_tokens_are_401(client, tts_env, cognito):
    basic = client.get(URL, headers={"Authorization": "Basic abc"})
    expired = client.get(URL, headers={"Authorization": f"Bearer {cognito.token('u', expires_in=-60)}"})
    other_client = client.get(URL, headers={"Authorization": f"Bearer {cognito.token('u', client_id='someone-else')}"})

    assert basic.status_code == 401
    assert basic.json()["error"] == "Unauthorized: Missing or invalid Authorization header"
    for response in (expired, other_client):
        assert response.status_code == 401
        assert response.json()["error"] == "Unauthorized: Invalid or expired token"


def test_access_tokens_are_accepted_too(client, tts_env, cognito):
    headers = {"Authorization": f"Bearer {cognito.token('user-c', token_use='access')}"}

    save_settings(client, headers, apiKey="k2")

    assert client.get(URL, headers=headers).json()["hasApiKey"] is True
