"""Happy path of every profiles/progress/games route against a moto server over real HTTP
(the botocore serialisation and endpoint path production uses), plus the table command there."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.dynamo_helpers import get, scan

pytestmark = pytest.mark.slow


def send(client, method, path, body=None, headers=None):
    if body is None:
        return client.generic(method, path, headers=headers or {})
    return client.generic(method, path, json.dumps(body), content_type="application/json", headers=headers or {})


def test_every_route_happy_path(client, dynamodb_http, auth_header):
    me = auth_header("user-1", email="u1@example.com")
    call_command("seed_demo_data", stdout=io.StringIO())

    created = send(client, "POST", "/api/profiles/create", {"email": "u1@example.com", "username": "ユーザー"}, me)
    fetched = send(client, "GET", "/api/profiles", headers=me)
    updated = send(client, "PUT", "/api/profiles/update", {"preferences": {"notifications": True, "x": 1}}, me)
    game = {
        "game_type": "vocabulary",
        "score": 9,
        "duration_seconds": 95,
        "questions_answered": 10,
        "correct_answers": 7,
        "experience_gained": 25,
    }
    played = send(client, "POST", "/api/progress/game-session", game, me)
    analytics = send(client, "GET", "/api/progress/analytics?user_id=user-1", headers=me)
    vocabulary = send(client, "GET", "/api/games/vocabulary?limit=4")
    sentences = send(client, "GET", "/api/games/sentences")

    assert [r.status_code for r in (created, fetched, updated, played, analytics, vocabulary, sentences)] == [200] * 7
    assert created.json() == {"success": True}
    assert fetched.json()["profile"]["username"] == "ユーザー"
    assert updated.json()["profile"]["preferences"] == {  # HEAD's keys only, the numbers' defaults filled in
        "dailyGoal": 30,
        "dailyLessonGoal": 5,
        "lessonDurationMinutes": 6,
        "notifications": True,
        "todayStudyTime": 0,
    }
    assert played.json() == {"success": True}
    assert analytics.json()["totalExperience"] == 25
    assert len(vocabulary.json()["vocabulary"]) == 4
    assert len(sentences.json()["sentences"]) == 5
    assert get(dynamodb_http, "profiles", user_id="user-1")["total_experience"] == 25
    assert len(scan(dynamodb_http, "game_sessions")) == 1


def test_missing_table_over_http_is_clear_500(client, moto_server, auth_header):
    response = send(client, "GET", "/api/profiles", headers=auth_header("user-1"))

    assert response.status_code == 500
    assert response.json()["code"] == "table_not_found"
    assert "'vela-profiles'" in response.json()["error"]


def test_dynamodb_tables_command_is_idempotent(moto_server, settings):
    first, second, described = io.StringIO(), io.StringIO(), io.StringIO()

    call_command("dynamodb_tables", "create", stdout=first)
    call_command("dynamodb_tables", "create", stdout=second)
    call_command("dynamodb_tables", "describe", stdout=described)

    assert "vela-profiles: creating" in first.getvalue()
    assert "vela-profiles: already exists" in second.getvalue()
    assert second.getvalue().count(": ACTIVE") == len(settings.DYNAMODB_TABLES)
    lines = described.getvalue().splitlines()
    assert len(lines) == len(settings.DYNAMODB_TABLES)
    chat = next(line for line in lines if line.startswith("chat_history"))
    assert "ThreadId (HASH) + Timestamp (RANGE)" in chat
    assert "GSI UserIdIndex" in chat


def test_dynamodb_tables_delete_needs_yes_and_is_idempotent(moto_server):
    call_command("dynamodb_tables", "create", "--table", "profiles", stdout=io.StringIO())
    with pytest.raises(CommandError, match="--yes"):
        call_command("dynamodb_tables", "delete", stdout=io.StringIO())
    out = io.StringIO()

    call_command("dynamodb_tables", "delete", "--yes", stdout=out)
    call_command("dynamodb_tables", "describe", "--table", "profiles", stdout=out)

    assert "vela-profiles: deleted" in out.getvalue()
    assert "vela-vocabulary: not present" in out.getvalue()
    assert "vela-profiles" in out.getvalue().splitlines()[-1]
    assert "MISSING" in out.getvalue().splitlines()[-1]


def test_dynamodb_tables_explicit_endpoint(moto_server_url, settings):
    # settings point nowhere in particular; --endpoint-url alone decides where the tables go.
    import requests

    requests.post(f"{moto_server_url}/moto-api/reset", timeout=10)
    out = io.StringIO()

    call_command("dynamodb_tables", "create", "--table", "vocabulary", "--endpoint-url", moto_server_url, stdout=out)

    assert f"Creating tables on {moto_server_url}" in out.getvalue()
    assert "vela-vocabulary: ACTIVE" in out.getvalue()


def test_dynamodb_tables_unreachable_endpoint_is_command_error():
    with pytest.raises(CommandError, match="DynamoDB create failed"):
        call_command(
            "dynamodb_tables", "create", "--endpoint-url", "http://127.0.0.1:9", "--timeout", "1", stdout=io.StringIO()
        )


def test_tts_routes_happy_path_over_http(client, dynamodb_http, auth_header, upstream, settings):
    """TTS settings, generate and audio with DynamoDB and S3 both on the moto server; the presigned
    URL is fetched from that server, so the signature the app made is checked over real HTTP."""
    import requests

    from tests.upstream import Reply
    from vela.aws import client as aws_client

    audio = b"ID3\x04over-http" * 40
    upstream.on("POST", "/v1/text-to-speech/", Reply(body=audio, headers={"Content-Type": "audio/mpeg"}))
    settings.TTS_AUDIO_BUCKET_NAME = "vela-tts-audio-http"
    aws_client("s3").create_bucket(Bucket="vela-tts-audio-http")
    me = auth_header("user-tts")

    saved = send(client, "POST", "/api/tts/settings", {"apiKey": "eleven-key", "voiceId": None}, me)
    read = send(client, "GET", "/api/tts/settings", headers=me)
    first = send(client, "POST", "/api/tts/generate", {"vocabularyId": "v1", "text": "みず"}, me)
    second = send(client, "POST", "/api/tts/generate", {"vocabularyId": "v1", "text": "みず"}, me)
    fetched = send(client, "GET", "/api/tts/audio/v1", headers=me)

    assert [r.status_code for r in (saved, read, first, second, fetched)] == [200] * 5
    assert read.json() == {"hasApiKey": True, "provider": "elevenlabs", "voiceId": None, "model": None}
    assert (first.json()["cached"], second.json()["cached"]) == (False, True)
    assert len(upstream.requests) == 1
    download = requests.get(fetched.json()["audioUrl"], timeout=5)
    assert (download.status_code, download.content) == (200, audio)
