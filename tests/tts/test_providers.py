"""OpenAI and Gemini TTS through the routes (HEAD §8.7 "Provider wire calls"), and the pieces behind them.

The fake upstream records each exact request; DynamoDB and S3 are the moto server over HTTP. Gemini's
raw PCM must come out as a WAV the stdlib `wave` module (and so a browser) can read.
"""

from __future__ import annotations

import base64
import io
import json
import math
import struct
import wave

import pytest
import requests

from tests.tts.conftest import BUCKET, generate, save_settings
from tests.upstream import Reply
from tts.providers.gemini import content_type
from tts.wav import mime_parameters, pcm16_to_wav
from vela.aws import s3_client

GEMINI_MODEL_PATH = "/v1beta/models/gemini-2.5-flash-preview-tts:generateContent"


def sine_pcm(seconds: float = 0.25, rate: int = 24000, channels: int = 1) -> bytes:
    frames = int(seconds * rate)
    samples = (int(12000 * math.sin(2 * math.pi * 440 * i / rate)) for i in range(frames) for _ in range(channels))
    return b"".join(struct.pack("<h", s) for s in samples)


def gemini_reply(data: bytes, **inline: str) -> Reply:
    part = {"inlineData": {"data": base64.b64encode(data).decode(), **inline}}
    return Reply(body=json.dumps({"candidates": [{"content": {"parts": [part]}}]}).encode())


def stored_object(response) -> dict:
    key = requests.utils.urlparse(response.json()["audioUrl"]).path.split(f"/{BUCKET}/", 1)[1]
    return s3_client().get_object(Bucket=BUCKET, Key=requests.utils.unquote(key))


def test_openai_request_and_mp3(client, tts_env, auth_header, caplog):
    tts_env.on("POST", "/v1/audio/speech", Reply(body=b"openai-mp3-bytes", headers={"Content-Type": "audio/mpeg"}))
    headers = auth_header("user-o")
    save_settings(client, headers, provider="openai", apiKey="sk-openai-secret")

    response = generate(client, headers, text="猫です")

    assert response.status_code == 200
    assert response.json()["effectiveSettings"] == {"provider": "openai", "voiceId": None, "model": None}
    [sent] = tts_env.requests
    assert (sent.method, sent.path) == ("POST", "/v1/audio/speech")
    assert sent.headers["authorization"] == "Bearer sk-openai-secret"
    assert sent.headers["content-type"] == "application/json"
    assert sent.body == '{"model":"tts-1","input":"猫です","voice":"alloy","response_format":"mp3"}'.encode()
    stored = stored_object(response)
    assert (stored["Body"].read(), stored["ContentType"]) == (b"openai-mp3-bytes", "audio/mpeg")
    assert "sk-openai-secret" not in caplog.text


def test_openai_stored_voice_and_model(client, tts_env, auth_header):
    tts_env.on("POST", "/v1/audio/speech", Reply(body=b"x"))
    headers = auth_header()
    save_settings(client, headers, provider="openai", apiKey="k", voiceId="nova", model="tts-1-hd")

    generate(client, headers, text="a")

    assert json.loads(tts_env.requests[0].body) == {
        "model": "tts-1-hd",
        "input": "a",
        "voice": "nova",
        "response_format": "mp3",
    }


def test_gemini_request_and_pcm_stored_as_playable_wav(client, tts_env, auth_header, caplog):
    pcm = sine_pcm()
    tts_env.on("POST", "/v1beta/models/", gemini_reply(pcm, mimeType="audio/L16;codec=pcm;rate=24000"))
    headers = auth_header("user-g")
    save_settings(client, headers, provider="gemini", apiKey="AIza-gemini-secret")

    response = generate(client, headers, text="こんにちは")

    assert response.status_code == 200
    assert response.json()["effectiveSettings"] == {"provider": "gemini", "voiceId": None, "model": None}
    [sent] = tts_env.requests
    assert (sent.method, sent.path) == ("POST", GEMINI_MODEL_PATH)
    assert sent.headers["x-goog-api-key"] == "AIza-gemini-secret"
    assert sent.headers["content-type"] == "application/json"
    assert "key=" not in sent.path
    assert json.loads(sent.body) == {
        "contents": [{"parts": [{"text": "こんにちは"}]}],
        "generationConfig": {
            "responseModalities": ["AUDIO"],
            "speechConfig": {"voiceConfig": {"prebuiltVoiceConfig": {"voiceName": "Kore"}}},
        },
    }
    stored = stored_object(response)
    assert stored["ContentType"] == "audio/wav"
    data = stored["Body"].read()
    assert (data[:4], data[8:12]) == (b"RIFF", b"WAVE")
    with wave.open(io.BytesIO(data)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 24000)
        assert wav.getnframes() == len(pcm) // 2
        assert wav.readframes(wav.getnframes()) == pcm
    downloaded = requests.get(response.json()["audioUrl"], timeout=5)
    assert downloaded.content == data
    assert "AIza-gemini-secret" not in caplog.text


def test_gemini_stored_voice_and_model(client, tts_env, auth_header):
    tts_env.on("POST", "/v1beta/models/", gemini_reply(b"\x00\x01" * 10, mimeType="audio/L16;rate=16000"))
    headers = auth_header()
    save_settings(client, headers, provider="gemini", apiKey="k", voiceId="Puck", model="gemini-2.5-pro-preview-tts")

    response = generate(client, headers)

    assert tts_env.requests[0].path == "/v1beta/models/gemini-2.5-pro-preview-tts:generateContent"
    assert json.loads(tts_env.requests[0].body)["generationConfig"]["speechConfig"] == {
        "voiceConfig": {"prebuiltVoiceConfig": {"voiceName": "Puck"}}
    }
    with wave.open(io.BytesIO(stored_object(response)["Body"].read())) as wav:
        assert wav.getframerate() == 16000


@pytest.mark.parametrize(
    ("inline", "expected_type"),
    [
        ({"mimeType": "audio/mpeg"}, "audio/mpeg"),
        ({"mimeType": "audio/ogg; codecs=opus"}, "audio/ogg"),
        ({"outputFormat": "WAV", "mimeType": "audio/L16"}, "audio/wav"),
        ({"mimeType": "something/else"}, "audio/mpeg"),
        ({}, "audio/mpeg"),
    ],
)
def test_gemini_non_pcm_audio_is_stored_as_sent(client, tts_env, auth_header, inline, expected_type):
    tts_env.on("POST", "/v1beta/models/", gemini_reply(b"encoded-audio", **inline))
    headers = auth_header()
    save_settings(client, headers, provider="gemini", apiKey="k")

    response = generate(client, headers)

    stored = stored_object(response)
    assert (stored["Body"].read(), stored["ContentType"]) == (b"encoded-audio", expected_type)


@pytest.mark.parametrize(
    "body",
    [
        b'{"candidates":[]}',
        b'{"candidates":[{"content":{"parts":[{"text":"no audio"}]}}]}',
        b'{"candidates":[{"content":{"parts":[{"inlineData":{"data":"!!not base64!!"}}]}}]}',
        b"not json",
        b"[]",
    ],
)
def test_gemini_without_audio_is_502(client, tts_env, auth_header, body):
    tts_env.on("POST", "/v1beta/models/", Reply(body=body))
    headers = auth_header()
    save_settings(client, headers, provider="gemini", apiKey="k")

    response = generate(client, headers)

    assert response.status_code == 502
    assert response.json() == {"error": "Failed to generate TTS audio", "code": "tts_generation_failed"}
    assert s3_client().list_objects_v2(Bucket=BUCKET)["KeyCount"] == 0


@pytest.mark.parametrize(("provider", "path"), [("openai", "/v1/audio/speech"), ("gemini", GEMINI_MODEL_PATH)])
def test_each_provider_maps_timeouts_and_errors(client, tts_env, auth_header, settings, provider, path):
    headers = auth_header()
    save_settings(client, headers, provider=provider, apiKey="k")
    settings.TTS_UPSTREAM_TIMEOUT = 0.3

    tts_env.on("POST", path, Reply(status=429, body=b'{"error":"quota"}'))
    limited = generate(client, headers)
    tts_env.on("POST", path, Reply(body=b"late", delay=1.0))
    slow = generate(client, headers)
    setattr(settings, f"{'OPENAI' if provider == 'openai' else 'GEMINI'}_API_BASE_URL", "http://127.0.0.1:9")
    unreachable = generate(client, headers)

    assert (limited.status_code, limited.json()["code"]) == (502, "tts_generation_failed")
    assert (slow.status_code, slow.json()["code"]) == (504, "tts_generation_timeout")
    assert (unreachable.status_code, unreachable.json()["code"]) == (502, "tts_generation_failed")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("MP3", "audio/mpeg"),
        ("audio/mpeg", "audio/mpeg"),
        ("OGG_OPUS", "audio/ogg"),
        ("audio/opus", "audio/ogg"),
        ("wav", "audio/wav"),
        ("WAV-L16", "audio/wav"),
        ("audio/L16;codec=pcm;rate=24000", "audio/L16"),
        (" pcm ", "audio/pcm"),
        ("PCM_L16", "audio/pcm"),
        ("alaw", "audio/PCMA"),
        ("audio/pcmu", "audio/PCMU"),
        ("MU-LAW", "audio/PCMU"),
        ("flac", "audio/mpeg"),
        ("", "audio/mpeg"),
    ],
)
def test_gemini_content_type_mapping_is_heads(name, expected):
    assert content_type(name) == expected


def test_wav_honours_rate_and_channels_and_drops_a_partial_frame():
    pcm = sine_pcm(0.01, rate=48000, channels=2) + b"\x01"

    data = pcm16_to_wav(pcm, mime="audio/L16; rate=48000; channels=2")

    with wave.open(io.BytesIO(data)) as wav:
        assert (wav.getnchannels(), wav.getframerate(), wav.getnframes()) == (2, 48000, 480)
    assert mime_parameters('audio/L16;Rate="8000"') == {"rate": "8000"}
    with wave.open(io.BytesIO(pcm16_to_wav(b"\x00\x00", mime="audio/L16;rate=abc"))) as wav:
        assert wav.getframerate() == 24000
