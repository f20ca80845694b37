"""POST /api/tts/generate and GET /api/tts/audio/<id> (reference §5.8).

moto stands in for S3 and DynamoDB (in-process); a real local HTTP server stands in for ElevenLabs
(tests/upstream.py) and records the exact request; tokens come from the local JWKS (`cognito`).
"""

from __future__ import annotations

import hashlib
import json
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from tests.tts.conftest import BUCKET, save_settings
from tests.upstream import Reply
from vela.aws import client as aws_client

GENERATE = "/api/tts/generate"
AUDIO_MP3 = b"ID3\x04fake-mp3-bytes" * 50
DEFAULT_VOICE = "ErXwobaYiN019PkySvjV"


def expected_key(sub: str, vocabulary_id: str, voice: str = DEFAULT_VOICE, model: str = "eleven_multilingual_v2"):
    return f"tts/{sub}/{vocabulary_id}/{hashlib.sha256(f'{voice}:{model}'.encode()).hexdigest()[:16]}.mp3"


def generate(client, headers, vocabulary_id="v1", text="こんにちは"):
    return client.post(
        GENERATE, {"vocabularyId": vocabulary_id, "text": text}, content_type="application/json", headers=headers
    )


@pytest.fixture
def eleven(tts_env):
    tts_env.on("POST", "/v1/text-to-speech/", Reply(body=AUDIO_MP3, headers={"Content-Type": "audio/mpeg"}))
    return tts_env


def test_default_cache_key_matches_the_original():
    assert expected_key("u", "v1") == "tts/u/v1/77a9ea28a902740d.mp3"


def test_first_generate_calls_elevenlabs_uploads_and_presigns(client, eleven, auth_header):
    headers = auth_header("user-1")
    save_settings(client, headers, apiKey="xi-user-key-123")

    response = generate(client, headers)

    assert response.status_code == 200
    body = response.json()
    assert body["cached"] is False
    [sent] = eleven.requests
    assert sent.method == "POST"
    assert sent.path == f"/v1/text-to-speech/{DEFAULT_VOICE}"
    assert sent.headers["xi-api-key"] == "xi-user-key-123"
    assert sent.headers["accept"] == "audio/mpeg"
    assert sent.headers["content-type"] == "application/json"
    assert json.loads(sent.body) == {
        "text": "こんにちは",
        "model_id": "eleven_multilingual_v2",
        "voice_settings": {"stability": 0.5, "similarity_boost": 0.75},
    }
    url = urlparse(body["audioUrl"])
    assert url.path.endswith("/" + expected_key("user-1", "v1"))
    query = parse_qs(url.query)
    assert query["X-Amz-Expires"] == ["3600"]
    assert "X-Amz-Signature" in query
    stored = aws_client("s3").get_object(Bucket=BUCKET, Key=expected_key("user-1", "v1"))
    assert stored["Body"].read() == AUDIO_MP3
    assert stored["ContentType"] == "audio/mpeg"


def test_second_generate_is_served_from_the_cache(client, eleven, auth_header):
    headers = auth_header("user-1")
    save_settings(client, headers, apiKey="k")
    generate(client, headers)

    again = generate(client, headers)

    assert again.status_code == 200
    assert again.json()["cached"] is True
    assert len(eleven.requests) == 1


def test_stored_voice_and_model_drive_the_call_and_the_key(client, eleven, auth_header):
    headers = auth_header("user-2")
    save_settings(client, headers, apiKey="k", voiceId="voice/x", model="eleven_turbo_v2")

    response = generate(client, headers, vocabulary_id="w-42")

    assert response.status_code == 200
    assert eleven.requests[0].path == "/v1/text-to-speech/voice%2Fx"
    assert json.loads(eleven.requests[0].body)["model_id"] == "eleven_turbo_v2"
    key = expected_key("user-2", "w-42", voice="voice/x", model="eleven_turbo_v2")
    assert aws_client("s3").head_object(Bucket=BUCKET, Key=key)["ContentLength"] == len(AUDIO_MP3)


def test_without_settings_or_key_is_400(client, eleven, auth_header):
    response = generate(client, auth_header("nobody"))

    assert response.status_code == 400
    assert response.json()["error"] == "TTS API key not configured. Please configure in Settings."
    assert eleven.requests == []


def test_without_bucket_is_500(client, eleven, auth_header, settings):
    headers = auth_header()
    save_settings(client, headers, apiKey="k")
    settings.TTS_AUDIO_BUCKET_NAME = ""

    response = generate(client, headers)

    assert response.status_code == 500
    assert response.json()["error"] == "TTS audio bucket not configured"


@pytest.mark.parametrize(("status", "reason"), [(401, "Unauthorized"), (422, "Unprocessable Entity"), (500, "Boom")])
def test_upstream_error_is_500_with_status_text(client, tts_env, auth_header, status, reason):
    tts_env.on("POST", "/v1/text-to-speech/", Reply(status=status, reason=reason, body=b'{"detail":"nope"}'))
    headers = auth_header()
    save_settings(client, headers, apiKey="k")

    response = generate(client, headers)

    assert response.status_code == 500
    assert response.json()["error"] == f"Failed to generate TTS audio: {reason}"
    assert len(tts_env.requests) == 1  # a POST is never retried


def test_slow_upstream_headers_are_a_504(client, tts_env, auth_header, settings):
    settings.TTS_UPSTREAM_TIMEOUT = 0.3
    tts_env.on("POST", "/v1/text-to-speech/", Reply(body=AUDIO_MP3, delay=1.2))
    headers = auth_header()
    save_settings(client, headers, apiKey="k")

    response = generate(client, headers)

    assert response.status_code == 504
    assert response.json()["error"] == "Request timeout: TTS generation took too long"
    assert len(tts_env.requests) == 1


def test_trickling_body_past_the_total_bound_is_a_504(client, tts_env, auth_header, settings):
    settings.TTS_UPSTREAM_TIMEOUT = 0.5
    tts_env.on("POST", "/v1/text-to-speech/", Reply(body=[b"x" * 10] * 8, chunk_delay=0.15))
    headers = auth_header()
    save_settings(client, headers, apiKey="k")

    response = generate(client, headers)

    assert response.status_code == 504
    assert aws_client("s3").list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0


def test_unreachable_upstream_is_502(client, tts_env, auth_header, settings):
    settings.ELEVENLABS_API_BASE_URL = "http://127.0.0.1:9"
    headers = auth_header()
    save_settings(client, headers, apiKey="k")

    response = generate(client, headers)

    assert response.status_code == 502
    assert response.json()["error"] == "Failed to generate TTS"


def test_generate_validation_and_auth(client, tts_env, auth_header):
    blank = client.post(
        GENERATE, {"vocabularyId": "", "text": 5}, content_type="application/json", headers=auth_header()
    )
    anonymous = client.post(GENERATE, {}, content_type="application/json")

    assert blank.status_code == 400
    assert set(blank.json()["fields"]) == {"vocabularyId", "text"}
    assert anonymous.status_code == 401


def test_audio_before_settings_is_400(client, tts_env, auth_header):
    response = client.get("/api/tts/audio/v1", headers=auth_header("new-user"))

    assert response.status_code == 400
    assert response.json()["error"] == "TTS settings not found. Please configure in Settings."


def test_audio_not_generated_is_404(client, tts_env, auth_header):
    headers = auth_header()
    save_settings(client, headers, apiKey="k")

    response = client.get("/api/tts/audio/v1", headers=headers)

    assert response.status_code == 404
    assert response.json()["error"] == "Audio not found. Please generate it first."


def test_audio_after_generate_returns_a_working_presigned_url(client, eleven, auth_header):
    headers = auth_header("user-9")
    save_settings(client, headers, apiKey="k")
    generate(client, headers, vocabulary_id="v7")

    response = client.get("/api/tts/audio/v7", headers=headers)

    assert response.status_code == 200
    url = response.json()["audioUrl"]
    assert urlparse(url).path.endswith(expected_key("user-9", "v7"))
    fetched = requests.get(url, timeout=5)  # moto serves the presigned GET
    assert (fetched.status_code, fetched.content) == (200, AUDIO_MP3)
    assert client.get("/api/tts/audio/v7", headers=auth_header("someone-else")).status_code == 400


def test_audio_storage_failure_is_500(client, tts_env, auth_header, settings):
    headers = auth_header()
    save_settings(client, headers, apiKey="k")
    settings.TTS_AUDIO_BUCKET_NAME = "not a valid bucket name!"

    response = client.get("/api/tts/audio/v1", headers=headers)

    assert response.status_code == 500
    assert response.json()["error"] == "Failed to retrieve audio"


def test_audio_without_bucket_is_500(client, tts_env, auth_header, settings):
    headers = auth_header()
    save_settings(client, headers, apiKey="k")
    settings.TTS_AUDIO_BUCKET_NAME = ""

    response = client.get("/api/tts/audio/v1", headers=headers)

    assert response.status_code == 500
    assert response.json()["error"] == "TTS audio bucket not configured"


def test_stored_settings_without_a_key_are_400(client, eleven, auth_header, dynamodb, settings):
    table = settings.DYNAMODB_TABLES["tts_settings"]
    dynamodb.put_item(TableName=table, Item={"user_id": {"S": "user-k"}, "api_key": {"S": ""}})

    response = generate(client, auth_header("user-k"))

    assert response.status_code == 400
    assert response.json()["error"] == "TTS API key not configured. Please configure in Settings."


def test_upload_failure_is_500(client, eleven, auth_header, settings):
    headers = auth_header()
    save_settings(client, headers, apiKey="k")
    settings.TTS_AUDIO_BUCKET_NAME = "vela-bucket-that-does-not-exist"  # HeadObject 404, then PutObject fails

    response = generate(client, headers)

    assert response.status_code == 500
    assert response.json()["error"] == "Failed to generate TTS"
    assert len(eleven.requests) == 1


def test_settings_table_failures_are_500_with_fixed_messages(client, tts_env, auth_header, dynamodb, settings):
    headers = auth_header()
    dynamodb.delete_table(TableName=settings.DYNAMODB_TABLES["tts_settings"])

    got = client.get("/api/tts/settings", headers=headers)
    saved = save_settings(client, headers, apiKey="k")
    generated = generate(client, headers)
    audio = client.get("/api/tts/audio/v1", headers=headers)

    assert (got.status_code, got.json()["error"]) == (500, "Failed to get TTS settings")
    assert (saved.status_code, saved.json()["error"]) == (500, "Failed to save TTS settings")
    assert (generated.status_code, generated.json()["error"]) == (500, "Failed to generate TTS")
    assert (audio.status_code, audio.json()["error"]) == (500, "Failed to get audio URL")
