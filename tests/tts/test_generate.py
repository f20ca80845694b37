"""POST /api/tts/generate and GET /api/tts/audio/<id> (HEAD §8.7) with the ElevenLabs provider.

DynamoDB and S3 are a moto server over HTTP; ElevenLabs is the local fake upstream (tests/upstream.py),
which records the exact request. Presigned URLs are fetched from moto, so their signatures are checked.
"""

from __future__ import annotations

import hashlib
import json
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from tests.tts.conftest import BUCKET, generate, put_raw_settings, save_settings
from tests.upstream import Reply
from vela.aws import s3_client

AUDIO_MP3 = b"ID3\x04fake-mp3-bytes" * 50
DEFAULT_VOICE = "ErXwobaYiN019PkySvjV"


def expected_key(sub: str, vocabulary_id: str, provider: str = "elevenlabs", voice: str = "", model: str = "") -> str:
    return f"tts/{sub}/{vocabulary_id}/{hashlib.sha256(f'{provider}:{voice}:{model}'.encode()).hexdigest()[:16]}"


@pytest.fixture
def eleven(tts_env):
    tts_env.on("POST", "/v1/text-to-speech/", Reply(body=AUDIO_MP3, headers={"Content-Type": "audio/mpeg"}))
    return tts_env


@pytest.mark.parametrize(
    ("args", "digest"),
    [
        (("elevenlabs",), "0db8420b90aa3d33"),
        (("openai",), "b06bebf1cb0e0c14"),
        (("gemini",), "9fb241c374311538"),
        (("openai", "nova"), "5d6507bc879797cd"),
        (("gemini", "Puck"), "f53f68396a73ff2a"),
    ],
)
def test_cache_keys_match_heads_examples(args, digest):
    assert expected_key("u", "v1", *args) == f"tts/u/v1/{digest}"


def test_first_generate_calls_elevenlabs_uploads_and_presigns(client, eleven, auth_header):
    headers = auth_header("user-1")
    save_settings(client, headers, apiKey="xi-user-key-123")

    response = generate(client, headers)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"audioUrl", "cached", "effectiveSettings"}
    assert body["cached"] is False
    assert body["effectiveSettings"] == {"provider": "elevenlabs", "voiceId": None, "model": None}
    [sent] = eleven.requests
    assert sent.method == "POST"
    assert sent.path == f"/v1/text-to-speech/{DEFAULT_VOICE}"
    assert sent.headers["xi-api-key"] == "xi-user-key-123"
    assert sent.headers["accept"] == "audio/mpeg"
    assert sent.headers["content-type"] == "application/json"
    assert "authorization" not in sent.headers  # the caller's Cognito token never goes upstream
    assert (
        sent.body
        == json.dumps(
            {
                "text": "こんにちは",
                "model_id": "eleven_multilingual_v2",
                "voice_settings": {"stability": 0.5, "similarity_boost": 0.75},
            },
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
    )
    url = urlparse(body["audioUrl"])
    assert url.path.endswith("/" + expected_key("user-1", "v1"))
    query = parse_qs(url.query)
    assert query["X-Amz-Expires"] == ["900"]
    assert "X-Amz-Signature" in query
    stored = s3_client().get_object(Bucket=BUCKET, Key=expected_key("user-1", "v1"))
    assert (stored["Body"].read(), stored["ContentType"]) == (AUDIO_MP3, "audio/mpeg")
    fetched = requests.get(body["audioUrl"], timeout=5)
    assert (fetched.status_code, fetched.content) == (200, AUDIO_MP3)


def test_second_generate_is_served_from_the_cache(client, eleven, auth_header):
    headers = auth_header("user-1")
    save_settings(client, headers, apiKey="k")
    generate(client, headers)

    again = generate(client, headers, text="ignored on a hit")

    assert again.status_code == 200
    assert again.json()["cached"] is True
    assert again.json()["effectiveSettings"] == {"provider": "elevenlabs", "voiceId": None, "model": None}
    assert len(eleven.requests) == 1


def test_stored_voice_and_model_drive_the_call_and_the_key(client, eleven, auth_header):
    headers = auth_header("user-2")
    save_settings(client, headers, apiKey="k", voiceId="voice/x", model="eleven_turbo_v2")

    response = generate(client, headers, vocabulary_id="w-42")

    assert response.status_code == 200
    assert response.json()["effectiveSettings"] == {
        "provider": "elevenlabs",
        "voiceId": "voice/x",
        "model": "eleven_turbo_v2",
    }
    assert eleven.requests[0].path == "/v1/text-to-speech/voice%2Fx"
    assert json.loads(eleven.requests[0].body)["model_id"] == "eleven_turbo_v2"
    key = expected_key("user-2", "w-42", voice="voice/x", model="eleven_turbo_v2")
    assert s3_client().head_object(Bucket=BUCKET, Key=key)["ContentLength"] == len(AUDIO_MP3)


def test_changing_provider_makes_new_audio_and_keeps_the_old(client, tts_env, eleven, auth_header):
    tts_env.on("POST", "/v1/audio/speech", Reply(body=b"openai-mp3"))
    headers = auth_header("user-3")
    save_settings(client, headers, apiKey="k")
    generate(client, headers)

    save_settings(client, headers, provider="openai", apiKey="sk-o")
    switched = generate(client, headers)

    assert switched.json()["cached"] is False
    assert switched.json()["effectiveSettings"]["provider"] == "openai"
    assert [r.path for r in tts_env.requests] == [f"/v1/text-to-speech/{DEFAULT_VOICE}", "/v1/audio/speech"]
    keys = {o["Key"] for o in s3_client().list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert keys == {expected_key("user-3", "v1"), expected_key("user-3", "v1", "openai")}


def test_users_never_see_each_others_audio_or_settings(client, eleven, auth_header):
    alice, bob = auth_header("alice"), auth_header("bob")
    save_settings(client, alice, apiKey="alice-key")
    generate(client, alice, vocabulary_id="shared")

    bob_without_settings = client.get("/api/tts/audio/shared", headers=bob)
    bob_generate_without_settings = generate(client, bob, vocabulary_id="shared")
    save_settings(client, bob, apiKey="bob-key")
    bob_audio = client.get("/api/tts/audio/shared", headers=bob)
    bob_generated = generate(client, bob, vocabulary_id="shared")

    assert bob_without_settings.status_code == 400
    assert bob_generate_without_settings.status_code == 400
    assert bob_audio.status_code == 404  # alice's object is under tts/alice/...
    assert bob_generated.json()["cached"] is False
    assert [r.headers["xi-api-key"] for r in eleven.requests] == ["alice-key", "bob-key"]
    assert urlparse(bob_generated.json()["audioUrl"]).path.endswith(expected_key("bob", "shared"))


def test_without_settings_or_key_is_400(client, eleven, auth_header, dynamodb_http, settings):
    put_raw_settings(dynamodb_http, settings, {"user_id": {"S": "user-k"}, "api_key": {"S": ""}})

    for sub in ("nobody", "user-k"):
        response = generate(client, auth_header(sub))
        assert response.status_code == 400
        assert response.json() == {
            "error": "TTS API key not configured. Please configure in Settings.",
            "code": "tts_not_configured",
        }
    assert eleven.requests == []


@pytest.mark.parametrize("bad_key", ["ключ", "abc\ndef"])
def test_a_stored_key_that_cannot_go_in_a_header_is_400_not_500(
    client, eleven, auth_header, dynamodb_http, settings, bad_key
):
    """Rows saved before keys were checked at save time (issue 12 defect 2)."""
    put_raw_settings(dynamodb_http, settings, {"user_id": {"S": "legacy"}, "api_key": {"S": bad_key}})

    response = generate(client, auth_header("legacy"))

    assert response.status_code == 400
    assert response.json()["code"] == "tts_not_configured"
    assert eleven.requests == []


def test_a_latin1_key_reaches_the_upstream_intact(client, eleven, auth_header):
    headers = auth_header()
    save_settings(client, headers, apiKey="clé-ÿ")

    response = generate(client, headers)

    assert response.status_code == 200
    assert eleven.requests[0].headers["xi-api-key"] == "clé-ÿ"  # sent as Latin-1 bytes, read back as Latin-1


def test_without_bucket_is_500_before_any_upstream_call(client, eleven, auth_header, settings):
    headers = auth_header()
    save_settings(client, headers, apiKey="k")
    settings.TTS_AUDIO_BUCKET_NAME = ""

    generated = generate(client, headers)
    audio = client.get("/api/tts/audio/v1", headers=headers)

    for response in (generated, audio):
        assert response.status_code == 500
        assert response.json() == {
            "error": "TTS audio bucket not configured",
            "code": "tts_audio_bucket_not_configured",
        }
    assert eleven.requests == []


def test_invalid_stored_provider_is_400_on_generate_and_audio(client, eleven, auth_header, dynamodb_http, settings):
    put_raw_settings(dynamodb_http, settings, {"user_id": {"S": "odd"}, "api_key": {"S": "k"}, "provider": {"S": "x"}})

    generated = generate(client, auth_header("odd"))
    audio = client.get("/api/tts/audio/v1", headers=auth_header("odd"))

    for response in (generated, audio):
        assert response.status_code == 400
        assert response.json() == {
            "error": "Invalid TTS provider configuration",
            "code": "tts_invalid_provider_configuration",
        }
    assert eleven.requests == []


@pytest.mark.parametrize("status", [401, 422, 500, 503])
def test_upstream_error_status_is_502_and_hides_the_body(client, tts_env, auth_header, status, caplog):
    tts_env.on("POST", "/v1/text-to-speech/", Reply(status=status, body=b'{"detail":"upstream-secret-detail"}'))
    headers = auth_header()
    save_settings(client, headers, apiKey="xi-secret-key")

    response = generate(client, headers)

    assert response.status_code == 502
    assert response.json() == {"error": "Failed to generate TTS audio", "code": "tts_generation_failed"}
    assert len(tts_env.requests) == 1  # a POST is never retried
    assert "upstream-secret-detail" not in caplog.text
    assert "xi-secret-key" not in caplog.text
    assert s3_client().list_objects_v2(Bucket=BUCKET)["KeyCount"] == 0


def test_empty_audio_is_502(client, tts_env, auth_header):
    tts_env.on("POST", "/v1/text-to-speech/", Reply(body=b""))
    headers = auth_header()
    save_settings(client, headers, apiKey="k")

    assert generate(client, headers).status_code == 502


def test_slow_upstream_headers_are_a_504(client, tts_env, auth_header, settings):
    settings.TTS_UPSTREAM_TIMEOUT = 0.3
    tts_env.on("POST", "/v1/text-to-speech/", Reply(body=AUDIO_MP3, delay=1.2))
    headers = auth_header()
    save_settings(client, headers, apiKey="k")

    response = generate(client, headers)

    assert response.status_code == 504
    assert response.json() == {"error": "TTS generation timed out", "code": "tts_generation_timeout"}
    assert len(tts_env.requests) == 1


def test_trickling_body_past_the_total_bound_is_a_504(client, tts_env, auth_header, settings):
    settings.TTS_UPSTREAM_TIMEOUT = 0.5
    tts_env.on("POST", "/v1/text-to-speech/", Reply(body=[b"x" * 10] * 8, chunk_delay=0.15))
    headers = auth_header()
    save_settings(client, headers, apiKey="k")

    response = generate(client, headers)

    assert response.status_code == 504
    assert s3_client().list_objects_v2(Bucket=BUCKET)["KeyCount"] == 0


def test_upstream_cut_mid_body_is_502(client, tts_env, auth_header):
    tts_env.on("POST", "/v1/text-to-speech/", Reply(body=[b"ID3", b"more", b"rest"], abort_after=2))
    headers = auth_header()
    save_settings(client, headers, apiKey="k")

    response = generate(client, headers)

    assert response.status_code == 502
    assert response.json()["code"] == "tts_generation_failed"


def test_unreachable_upstream_is_502(client, tts_env, auth_header, settings):
    settings.ELEVENLABS_API_BASE_URL = "http://127.0.0.1:9"
    headers = auth_header()
    save_settings(client, headers, apiKey="k")

    response = generate(client, headers)

    assert response.status_code == 502
    assert response.json() == {"error": "Failed to generate TTS audio", "code": "tts_generation_failed"}


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"vocabularyId": "", "text": 5}, {"vocabularyId", "text"}),
        ({"vocabularyId": "v"}, {"text"}),
        ({"text": "t"}, {"vocabularyId"}),
        ({"vocabularyId": "v" * 201, "text": "t"}, {"vocabularyId"}),
        ({"vocabularyId": "v", "text": "t" * 5001}, {"text"}),
        ({"vocabularyId": None, "text": ["t"]}, {"vocabularyId", "text"}),
    ],
)
def test_generate_validation_errors(client, tts_env, auth_header, body, fields):
    response = client.post("/api/tts/generate", body, content_type="application/json", headers=auth_header())

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert set(response.json()["fields"]) == fields


def test_generate_without_token_is_401(client, tts_env):
    assert client.post("/api/tts/generate", {}, content_type="application/json").status_code == 401
    assert client.get("/api/tts/audio/v1").status_code == 401


def test_audio_before_settings_is_400(client, tts_env, auth_header):
    response = client.get("/api/tts/audio/v1", headers=auth_header("new-user"))

    assert response.status_code == 400
    assert response.json() == {
        "error": "TTS settings not found. Please configure in Settings.",
        "code": "tts_not_configured",
    }


def test_audio_not_generated_is_404(client, tts_env, auth_header):
    headers = auth_header()
    save_settings(client, headers, apiKey="k")

    response = client.get("/api/tts/audio/v1", headers=headers)

    assert response.status_code == 404
    assert response.json() == {"error": "Audio not found. Please generate it first.", "code": "tts_audio_not_found"}


def test_audio_after_generate_returns_a_working_presigned_url(client, eleven, auth_header):
    headers = auth_header("user-9")
    save_settings(client, headers, apiKey="k", voiceId="v-1")
    generate(client, headers, vocabulary_id="食べる:タベル")

    response = client.get("/api/tts/audio/%E9%A3%9F%E3%81%B9%E3%82%8B:%E3%82%BF%E3%83%99%E3%83%AB", headers=headers)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"audioUrl", "effectiveSettings"}
    assert body["effectiveSettings"] == {"provider": "elevenlabs", "voiceId": "v-1", "model": None}
    fetched = requests.get(body["audioUrl"], timeout=5)  # moto serves the presigned GET
    assert (fetched.status_code, fetched.content) == (200, AUDIO_MP3)


def test_audio_with_an_empty_stored_key_still_answers(client, eleven, auth_header, dynamodb_http, settings):
    put_raw_settings(dynamodb_http, settings, {"user_id": {"S": "nokey"}, "api_key": {"S": ""}})

    assert client.get("/api/tts/audio/v1", headers=auth_header("nokey")).status_code == 404


def test_audio_id_over_the_bound_is_400(client, tts_env, auth_header):
    response = client.get("/api/tts/audio/" + "v" * 201, headers=auth_header())

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["vocabulary_id"]


def test_s3_cache_check_failure_is_503_and_audio_read_failure_500(client, eleven, auth_header, settings):
    headers = auth_header()
    save_settings(client, headers, apiKey="k")
    settings.TTS_AUDIO_BUCKET_NAME = "not a valid bucket name!"  # botocore refuses it: not a 404

    generated = generate(client, headers)
    audio = client.get("/api/tts/audio/v1", headers=headers)

    assert generated.status_code == 503
    assert generated.json() == {
        "error": "Audio service temporarily unavailable. Please try again.",
        "code": "tts_audio_service_unavailable",
    }
    assert (audio.status_code, audio.json()) == (
        500,
        {"error": "Failed to retrieve audio", "code": "tts_audio_access_failed"},
    )
    assert eleven.requests == []


def test_upload_failure_is_500_storage_failed(client, eleven, auth_header, settings):
    headers = auth_header()
    save_settings(client, headers, apiKey="k")
    settings.TTS_AUDIO_BUCKET_NAME = "vela-bucket-that-does-not-exist"  # HeadObject 404, then PutObject fails

    response = generate(client, headers)

    assert response.status_code == 500
    assert response.json() == {
        "error": "Audio was generated but could not be saved. Please try again.",
        "code": "tts_audio_storage_failed",
    }
    assert len(eleven.requests) == 1


def test_settings_table_missing_is_the_boundary_error_everywhere(client, tts_env, auth_header, dynamodb_http, settings):
    dynamodb_http.delete_table(TableName=settings.DYNAMODB_TABLES["tts_settings"])
    headers = auth_header()

    generated = generate(client, headers)
    audio = client.get("/api/tts/audio/v1", headers=headers)

    for response in (generated, audio):
        assert response.status_code == 500
        assert response.json()["code"] == "table_not_found"
