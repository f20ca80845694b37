"""TTS tests run against a moto server over HTTP (DynamoDB and S3, tests/conftest.py `dynamodb_http`),
the local JWKS for tokens, and the fake upstream (tests/upstream.py) for ElevenLabs/OpenAI/Gemini."""

from __future__ import annotations

from typing import Any

import pytest

BUCKET = "vela-tts-audio-test"
SETTINGS_URL = "/api/tts/settings"
GENERATE_URL = "/api/tts/generate"


@pytest.fixture
def tts_env(dynamodb_http: Any, cognito: Any, upstream: Any, settings: Any) -> Any:
    from vela.aws import s3_client

    s3_client().create_bucket(Bucket=BUCKET)
    settings.TTS_AUDIO_BUCKET_NAME = BUCKET
    return upstream


def save_settings(client: Any, headers: dict[str, str], **body: Any) -> Any:
    return client.post(SETTINGS_URL, body, content_type="application/json", headers=headers)


def generate(client: Any, headers: dict[str, str], vocabulary_id: str = "v1", text: str = "こんにちは") -> Any:
    return client.post(
        GENERATE_URL, {"vocabularyId": vocabulary_id, "text": text}, content_type="application/json", headers=headers
    )


def stored_item(dynamodb: Any, settings: Any, user_id: str) -> dict[str, Any]:
    table = settings.DYNAMODB_TABLES["tts_settings"]
    return dynamodb.get_item(TableName=table, Key={"user_id": {"S": user_id}}).get("Item", {})


def put_raw_settings(dynamodb: Any, settings: Any, item: dict[str, Any]) -> None:
    dynamodb.put_item(TableName=settings.DYNAMODB_TABLES["tts_settings"], Item=item)
