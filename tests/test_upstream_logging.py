"""No API key, password, JWT/refresh token or presigned signature reaches any log record.

Every third-party route is exercised once against its stand-in (moto for DynamoDB, S3 and Cognito;
the local fake upstream for ElevenLabs, Gemini, OpenRouter) with the root logger and the chatty
libraries (botocore, urllib3, zappa) at DEBUG, and every captured record is searched for the secrets
the calls carried.
"""

from __future__ import annotations

import json
import logging
import re
from urllib.parse import parse_qs, urlparse

from tests.upstream import Reply

DEBUG_LOGGERS = (
    "",
    "botocore",
    "botocore.auth",
    "botocore.endpoint",
    "botocore.parsers",
    "urllib3",
    "urllib3.connectionpool",
    "requests",
    "zappa",
    "vela",
)
TTS_KEY = "xi-SECRET-tts-7781"
CHAT_KEYS = ("g-SECRET-chat-0001", "or-SECRET-chat-0002")
STREAM_KEY = "g-SECRET-stream-0003"
PASSWORD = "pw-SECRET-9911"


def google_sse(text):
    return b"data: " + json.dumps({"candidates": [{"content": {"parts": [{"text": text}]}}]}).encode() + b"\r\n\r\n"


def make_pool(idp):
    pool_id = idp.create_user_pool(
        PoolName="p",
        UsernameAttributes=["email"],
        Policies={
            "PasswordPolicy": {
                "MinimumLength": 6,
                "RequireUppercase": False,
                "RequireLowercase": False,
                "RequireNumbers": False,
                "RequireSymbols": False,
            }
        },
    )["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="c", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )["UserPoolClient"]["ClientId"]
    idp.sign_up(
        ClientId=client_id,
        Username="l@example.com",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "l@example.com"}],
    )
    idp.admin_confirm_sign_up(UserPoolId=pool_id, Username="l@example.com")
    return pool_id, client_id


def test_no_secret_in_any_log_record(client, dynamodb, cognito, upstream, settings, caplog):
    import vela.http  # noqa: F401  (its import quiets urllib3; raise the levels after it, as a debugging operator would)
    from vela.aws import client as aws_client

    for name in DEBUG_LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name or None)
    aws_client("s3").create_bucket(Bucket="vela-tts-logs")
    settings.TTS_AUDIO_BUCKET_NAME = "vela-tts-logs"
    upstream.on("POST", "/v1/text-to-speech/", Reply(body=b"ID3-mp3"))
    upstream.on(
        "POST",
        "/v1beta/models/gemini-2.5-flash-lite:generateContent",
        Reply(body=b'{"candidates":[{"content":{"parts":[{"text":"ok"}]}}]}'),
    )
    upstream.on(
        "POST",
        "/v1beta/models/gemini-2.5-flash-lite:streamGenerateContent",
        Reply(body=[google_sse("a"), google_sse("b")]),
    )
    upstream.on("POST", "/api/v1/chat/completions", Reply(status=401, body=b'{"error":"bad key"}'))
    id_token = cognito.token("user-logs", email="l@example.com")
    auth = {"Authorization": f"Bearer {id_token}"}
    secrets = [TTS_KEY, *CHAT_KEYS, STREAM_KEY, PASSWORD, id_token]

    # TTS: settings, generate (ElevenLabs + S3 + presign), audio (presign)
    client.post("/api/tts/settings", {"apiKey": TTS_KEY}, content_type="application/json", headers=auth)
    generated = client.post(
        "/api/tts/generate", {"vocabularyId": "v1", "text": "猫"}, content_type="application/json", headers=auth
    )
    audio = client.get("/api/tts/audio/v1", headers=auth)
    assert generated.status_code == audio.status_code == 200
    for url in (generated.json()["audioUrl"], audio.json()["audioUrl"]):
        secrets += parse_qs(urlparse(url).query)["X-Amz-Signature"]

    # LLM bridge (success and an upstream 401), streaming analysis
    for provider, key in zip(("google", "openrouter"), CHAT_KEYS, strict=True):
        client.post(
            "/api/llm-chat", {"provider": provider, "prompt": "hi", "apiKey": key}, content_type="application/json"
        )
    analysis = client.post(
        "/api/my-dictionaries/analyze",
        {"sentence": "猫", "provider": "google", "apiKey": STREAM_KEY},
        content_type="application/json",
        headers=auth,
    )
    assert b'"done"' in b"".join(analysis.streaming_content)

    # Auth proxy end to end on moto's Cognito
    pool_id, client_id = make_pool(aws_client("cognito-idp"))
    settings.COGNITO_USER_POOL_ID, settings.COGNITO_CLIENT_ID = pool_id, client_id
    signed_in = client.post(
        "/api/auth/signin", {"email": "l@example.com", "password": PASSWORD}, content_type="application/json"
    ).json()["tokens"]
    refreshed = client.post(
        "/api/auth/refresh", {"refreshToken": signed_in["refreshToken"]}, content_type="application/json"
    ).json()["tokens"]
    client.get("/api/auth/session", headers={"Authorization": f"Bearer {signed_in['accessToken']}"})
    client.post("/api/auth/signout", headers={"Authorization": f"Bearer {signed_in['accessToken']}"})
    secrets += [*signed_in.values(), refreshed["accessToken"], refreshed["idToken"]]

    logged = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
    assert {r.name for r in caplog.records} >= {"botocore.endpoint", "botocore.parsers", "urllib3.connectionpool"}
    assert "InitiateAuth" in logged  # botocore did log the Cognito calls, at DEBUG
    leaked = [s for s in secrets if s and s in logged]
    assert leaked == []
    assert not re.search(r"X-Amz-Signature=[0-9a-f]{8}", logged)


def test_no_provider_key_in_any_log_record_for_openai_gemini_and_jisho(
    client, dynamodb, cognito, upstream, settings, caplog
):
    """Today's TTS providers (key in `Authorization: Bearer` / `x-goog-api-key`) and the dictionary
    lookup (which must not forward the caller's token), at DEBUG, success and upstream failures."""
    import base64

    import vela.http  # noqa: F401
    from vela.aws import s3_client

    for name in DEBUG_LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name or None)
    s3_client().create_bucket(Bucket="vela-tts-logs")
    settings.TTS_AUDIO_BUCKET_NAME = "vela-tts-logs"
    pcm = base64.b64encode(b"\x00\x01" * 100).decode()
    inline = {"data": pcm, "mimeType": "audio/L16;rate=24000"}
    gemini = {"candidates": [{"content": {"parts": [{"inlineData": inline}]}}]}
    upstream.on("POST", "/v1/audio/speech", Reply(body=b"mp3"))
    upstream.on("POST", "/v1beta/models/", Reply(body=json.dumps(gemini).encode()))
    upstream.on("GET", "/api/v1/search/words", Reply(body='{"data":[{"japanese":[{"word":"猫"}]}]}'.encode()))
    id_token = cognito.token("user-logs-2")
    auth = {"Authorization": f"Bearer {id_token}"}
    keys = {"openai": "sk-SECRET-openai-5512", "gemini": "AIza-SECRET-gemini-6623"}
    secrets = [*keys.values(), id_token]

    for provider, key in keys.items():
        saved = client.post(
            "/api/tts/settings", {"provider": provider, "apiKey": key}, content_type="application/json", headers=auth
        )
        generated = client.post(
            "/api/tts/generate", {"vocabularyId": provider, "text": "猫"}, content_type="application/json", headers=auth
        )
        assert (saved.status_code, generated.status_code) == (200, 200)
        secrets += parse_qs(urlparse(generated.json()["audioUrl"]).query)["X-Amz-Signature"]
    upstream.on("POST", "/v1beta/models/", Reply(status=403, body=b'{"error":"API key AIza-SECRET-gemini-6623 bad"}'))
    failed = client.post(
        "/api/tts/generate", {"vocabularyId": "again", "text": "犬"}, content_type="application/json", headers=auth
    )
    looked_up = client.get("/api/dictionary/lookup?word=猫", headers=auth)

    assert failed.status_code == 502
    assert looked_up.status_code == 200
    assert all("authorization" not in r.headers for r in upstream.requests if r.method == "GET")
    logged = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
    assert "UpdateItem" in logged  # botocore did log the settings writes, at DEBUG
    assert [s for s in secrets if s in logged] == []
