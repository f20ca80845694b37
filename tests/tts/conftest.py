from __future__ import annotations

from typing import Any

import pytest

BUCKET = "vela-tts-audio-test"


@pytest.fixture
def tts_env(dynamodb: Any, cognito: Any, upstream: Any, settings: Any) -> Any:
    """moto DynamoDB + S3 (in-process), the local JWKS for tokens, and the fake ElevenLabs."""
    from vela.aws import client

    client("s3").create_bucket(Bucket=BUCKET)
    settings.TTS_AUDIO_BUCKET_NAME = BUCKET
    return upstream


def save_settings(client: Any, headers: dict[str, str], **body: Any) -> Any:
    return client.post("/api/tts/settings", body, content_type="application/json", headers=headers)
