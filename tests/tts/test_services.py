"""tts.services called directly: DynamoDB and S3 are the moto server over HTTP (`dynamodb_http`), the
providers are the local fake upstream (tests/upstream.py), which records the exact request. The routes'
HTTP contract is in test_settings.py, test_generate.py and test_providers.py."""

from __future__ import annotations

import hashlib
import json
from urllib.parse import parse_qs, urlparse

import pytest

from tests.tts.conftest import BUCKET, put_raw_settings, stored_item
from tests.upstream import Reply
from tts import services
from tts.records import EffectiveSettings
from tts.services import SettingsView, tts_audio_url, tts_generate, tts_settings_get, tts_settings_save
from vela.aws import s3_client
from vela.errors import ApplicationError, BadRequestError, NotFoundError, ServiceMisconfiguredError, UpstreamError

AUDIO = b"ID3\x04fake-mp3-bytes" * 20
ELEVEN_PATH = "/v1/text-to-speech/ErXwobaYiN019PkySvjV"  # ElevenLabs' default voice
KEY = "test-key-not-real"


def audio_key(user_id, vocabulary_id, provider="elevenlabs", voice="", model=""):
    """HEAD's scheme, computed here independently of tts.storage."""
    digest = hashlib.sha256(f"{provider}:{voice}:{model}".encode()).hexdigest()[:16]
    return f"tts/{user_id}/{vocabulary_id}/{digest}"


def s3_keys():
    return {o["Key"] for o in s3_client().list_objects_v2(Bucket=BUCKET).get("Contents", [])}


@pytest.fixture
def tts(dynamodb_http, upstream, settings):
    s3_client().create_bucket(Bucket=BUCKET)
    settings.TTS_AUDIO_BUCKET_NAME = BUCKET
    upstream.on("POST", "/v1/text-to-speech/", Reply(body=AUDIO, headers={"Content-Type": "audio/mpeg"}))
    upstream.on("POST", "/v1/audio/speech", Reply(body=b"openai-mp3", headers={"Content-Type": "audio/mpeg"}))
    return upstream


def test_settings_without_a_row_are_the_defaults(tts):
    assert tts_settings_get(user_id="nobody") == SettingsView(
        has_api_key=False, provider="elevenlabs", voice_id=None, model=None
    )


def test_save_stores_empty_voice_and_model_as_null_and_keeps_created_at(tts, dynamodb_http, settings):
    tts_settings_save(user_id="u1", api_key=KEY, provider="openai", voice_id="nova", model="tts-1-hd")
    created = stored_item(dynamodb_http, settings, "u1")["created_at"]

    tts_settings_save(user_id="u1", api_key=KEY, provider="gemini", voice_id="", model="")

    row = stored_item(dynamodb_http, settings, "u1")
    assert (row["provider"], row["voice_id"], row["model"]) == ({"S": "gemini"}, {"NULL": True}, {"NULL": True})
    assert row["created_at"] == created
    assert int(row["updated_at"]["N"]) >= int(created["N"])
    assert tts_settings_get(user_id="u1") == SettingsView(
        has_api_key=True, provider="gemini", voice_id=None, model=None
    )


def test_rows_without_or_with_an_unknown_provider_read_as_elevenlabs(tts, dynamodb_http, settings):
    put_raw_settings(dynamodb_http, settings, {"user_id": {"S": "old"}, "api_key": {"S": "k"}})
    put_raw_settings(dynamodb_http, settings, {"user_id": {"S": "odd"}, "provider": {"S": "polly"}})

    assert tts_settings_get(user_id="old") == SettingsView(True, "elevenlabs", None, None)
    assert tts_settings_get(user_id="odd") == SettingsView(False, "elevenlabs", None, None)


@pytest.mark.parametrize(
    ("provider", "api_key", "message"),
    [
        ("polly", KEY, "Invalid TTS provider"),
        ("openai", "abc\ndef", "API key must not contain line breaks or other control characters."),
    ],
)
def test_save_refuses_an_unknown_provider_and_a_key_that_cannot_go_in_a_header(
    tts, dynamodb_http, settings, provider, api_key, message
):
    with pytest.raises(BadRequestError) as raised:
        tts_settings_save(user_id="u1", api_key=api_key, provider=provider)

    assert (raised.value.code, raised.value.message) == ("invalid", message)
    assert stored_item(dynamodb_http, settings, "u1") == {}


def test_generate_calls_the_default_provider_stores_under_the_key_scheme_and_presigns(tts):
    tts_settings_save(user_id="u1", api_key=KEY)

    link = tts_generate(user_id="u1", vocabulary_id="v1", text="こんにちは")

    assert (link.cached, link.effective_settings) == (False, EffectiveSettings("elevenlabs", None, None))
    [sent] = tts.requests
    assert (sent.method, sent.path, sent.headers["xi-api-key"]) == ("POST", ELEVEN_PATH, KEY)
    assert json.loads(sent.body) == {
        "text": "こんにちは",
        "model_id": "eleven_multilingual_v2",
        "voice_settings": {"stability": 0.5, "similarity_boost": 0.75},
    }
    assert s3_keys() == {audio_key("u1", "v1")}
    stored = s3_client().get_object(Bucket=BUCKET, Key=audio_key("u1", "v1"))
    assert (stored["Body"].read(), stored["ContentType"]) == (AUDIO, "audio/mpeg")
    url = urlparse(link.audio_url)
    assert url.path == f"/{BUCKET}/{audio_key('u1', 'v1')}"
    assert parse_qs(url.query)["X-Amz-Expires"] == ["900"]


def test_a_second_generate_is_the_cached_object_without_an_upstream_call(tts):
    tts_settings_save(user_id="u1", api_key=KEY)
    tts_generate(user_id="u1", vocabulary_id="v1", text="こんにちは")

    again = tts_generate(user_id="u1", vocabulary_id="v1", text="ignored on a hit")

    assert again.cached is True
    assert urlparse(again.audio_url).path == f"/{BUCKET}/{audio_key('u1', 'v1')}"
    assert len(tts.requests) == 1


def test_the_stored_provider_voice_and_model_drive_the_call_the_key_and_effective_settings(tts):
    tts_settings_save(user_id="u1", api_key=KEY)
    tts_generate(user_id="u1", vocabulary_id="v1", text="猫")
    tts_settings_save(user_id="u1", api_key=KEY, provider="openai", voice_id="nova", model="tts-1-hd")

    link = tts_generate(user_id="u1", vocabulary_id="v1", text="猫")

    assert (link.cached, link.effective_settings) == (False, EffectiveSettings("openai", "nova", "tts-1-hd"))
    sent = tts.requests[-1]
    assert (sent.path, sent.headers["authorization"]) == ("/v1/audio/speech", f"Bearer {KEY}")
    assert json.loads(sent.body) == {"model": "tts-1-hd", "input": "猫", "voice": "nova", "response_format": "mp3"}
    assert s3_keys() == {audio_key("u1", "v1"), audio_key("u1", "v1", "openai", "nova", "tts-1-hd")}


def test_generate_refuses_missing_settings_an_empty_key_and_a_stored_key_unfit_for_a_header(
    tts, dynamodb_http, settings
):
    put_raw_settings(dynamodb_http, settings, {"user_id": {"S": "empty"}, "api_key": {"S": ""}})
    put_raw_settings(dynamodb_http, settings, {"user_id": {"S": "legacy"}, "api_key": {"S": "abc\ndef"}})

    refusals = {}
    for user_id in ("nobody", "empty", "legacy"):
        with pytest.raises(BadRequestError) as raised:
            tts_generate(user_id=user_id, vocabulary_id="v1", text="t")
        refusals[user_id] = (raised.value.code, raised.value.message)

    assert refusals == {
        "nobody": ("tts_not_configured", "TTS API key not configured. Please configure in Settings."),
        "empty": ("tts_not_configured", "TTS API key not configured. Please configure in Settings."),
        "legacy": (
            "tts_not_configured",
            "The stored TTS API key cannot be used. Please configure it again in Settings.",
        ),
    }
    assert tts.requests == []


def test_an_invalid_stored_provider_is_refused_by_generate_and_audio(tts, dynamodb_http, settings):
    put_raw_settings(dynamodb_http, settings, {"user_id": {"S": "odd"}, "api_key": {"S": "k"}, "provider": {"S": "x"}})

    with pytest.raises(BadRequestError) as generated:
        tts_generate(user_id="odd", vocabulary_id="v1", text="t")
    with pytest.raises(BadRequestError) as audio:
        tts_audio_url(user_id="odd", vocabulary_id="v1")

    assert generated.value.code == audio.value.code == "tts_invalid_provider_configuration"
    assert tts.requests == []


def test_without_a_bucket_nothing_reaches_the_upstream(tts, settings):
    tts_settings_save(user_id="u1", api_key=KEY)
    settings.TTS_AUDIO_BUCKET_NAME = ""

    with pytest.raises(ServiceMisconfiguredError) as raised:
        tts_generate(user_id="u1", vocabulary_id="v1", text="t")

    assert (raised.value.code, raised.value.status_code) == ("tts_audio_bucket_not_configured", 500)
    assert tts.requests == []


def test_an_upstream_error_is_502_hides_the_body_and_stores_nothing(tts):
    tts.on("POST", "/v1/text-to-speech/", Reply(status=401, body=b'{"detail":"upstream-detail"}'))
    tts_settings_save(user_id="u1", api_key=KEY)

    with pytest.raises(UpstreamError) as raised:
        tts_generate(user_id="u1", vocabulary_id="v1", text="t")

    assert (raised.value.code, raised.value.status_code) == ("tts_generation_failed", 502)
    assert raised.value.message == "Failed to generate TTS audio"
    assert s3_keys() == set()


def test_audio_url_needs_settings_then_a_generated_object(tts, dynamodb_http, settings):
    put_raw_settings(dynamodb_http, settings, {"user_id": {"S": "u1"}, "api_key": {"S": ""}, "voice_id": {"S": "v"}})

    with pytest.raises(BadRequestError) as unset:
        tts_audio_url(user_id="nobody", vocabulary_id="v1")
    with pytest.raises(NotFoundError) as missing:
        tts_audio_url(user_id="u1", vocabulary_id="v1")  # an empty stored key still gets this far

    assert (unset.value.code, missing.value.code) == ("tts_not_configured", "tts_audio_not_found")
    s3_client().put_object(Bucket=BUCKET, Key=audio_key("u1", "v1", voice="v"), Body=AUDIO)
    link = tts_audio_url(user_id="u1", vocabulary_id="v1")
    assert (link.cached, link.effective_settings) == (True, EffectiveSettings("elevenlabs", "v", None))
    assert urlparse(link.audio_url).path == f"/{BUCKET}/{audio_key('u1', 'v1', voice='v')}"


def test_an_unforeseen_failure_is_500_tts_unexpected_error():
    """A repository that raises a plain RuntimeError (a fake passed as `repo=`) stands in for a bug nothing
    here can trigger."""

    class Broken:
        def get(self, *, user_id: str) -> None:
            raise RuntimeError("boom with sensitive detail")

    with pytest.raises(ApplicationError) as generated:
        services.tts_generate(user_id="u", vocabulary_id="v", text="t", repo=Broken())  # type: ignore[arg-type]
    with pytest.raises(ApplicationError) as audio:
        services.tts_audio_url(user_id="u", vocabulary_id="v", repo=Broken())  # type: ignore[arg-type]

    assert (generated.value.status_code, generated.value.code) == (500, "tts_unexpected_error")
    assert generated.value.message == "Failed to generate TTS audio"
    assert (audio.value.code, audio.value.message) == ("tts_unexpected_error", "Failed to get audio URL")
