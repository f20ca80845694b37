"""Progress over HTTP (reference §5.5, CONTRACT §2.1/§2.3)."""

import json
import re
from datetime import UTC, datetime

import pytest

from tests.dynamo_helpers import get, put, scan

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
SESSION, ANALYTICS = "/api/progress/game-session", "/api/progress/analytics"
GAME = {
    "game_type": "vocabulary",
    "score": 70,
    "duration_seconds": 95,
    "questions_answered": 10,
    "correct_answers": 7,
    "experience_gained": 25,
}


def today():
    return datetime.now(UTC).strftime("%Y-%m-%d")


def post(client, body, headers):
    raw = body if isinstance(body, str) else json.dumps(body)
    return client.post(SESSION, raw, content_type="application/json", headers=headers)


def test_worked_example_of_the_reference(client, dynamodb, auth_header):
    day = today()
    put(
        dynamodb,
        "daily_progress",
        {
            "user_id": "user-1",
            "date": day,
            "vocabulary_studied": 10,
            "sentences_completed": 2,
            "time_spent_minutes": 5,
            "experience_gained": 30,
            "games_played": 2,
            "accuracy_percentage": 80,
        },
    )
    put(dynamodb, "profiles", {"user_id": "user-1", "total_experience": 100})

    response = post(client, GAME, auth_header("user-1"))

    assert response.status_code == 200
    assert response.json() == {"success": True}
    row = get(dynamodb, "daily_progress", user_id="user-1", date=day)
    figures = [row[k] for k in ("vocabulary_studied", "sentences_completed", "time_spent_minutes")]
    figures += [row[k] for k in ("experience_gained", "games_played", "accuracy_percentage")]
    assert figures == [20, 2, 7, 55, 3, 77]
    profile = get(dynamodb, "profiles", user_id="user-1")
    assert profile["total_experience"] == 125
    assert ISO.match(profile["last_activity"])


def test_session_is_stored_with_original_shape(client, dynamodb, auth_header):
    post(client, GAME, auth_header("user-1"))

    (session,) = scan(dynamodb, "game_sessions")
    assert re.match(r"^\d{13}-[0-9a-z]{9}$", session["session_id"])
    assert ISO.match(session["created_at"])
    assert session == {
        **GAME,
        "user_id": "user-1",
        "created_at": session["created_at"],
        "session_id": session["session_id"],
    }


def test_first_game_of_the_day_creates_the_row(client, dynamodb, auth_header):
    body = {**GAME, "game_type": "sentence", "duration_seconds": 29, "questions_answered": 3, "correct_answers": 2}

    post(client, body, auth_header("user-1"))

    row = get(dynamodb, "daily_progress", user_id="user-1", date=today())
    (session,) = scan(dynamodb, "game_sessions")
    assert row.pop("counted_sessions") == [session["session_id"]]  # guards a re-sent write
    assert {k: v for k, v in row.items() if k != "accuracy_sum"} == {
        "user_id": "user-1",
        "date": today(),
        "vocabulary_studied": 0,
        "sentences_completed": 3,
        "time_spent_minutes": 0,
        "experience_gained": 25,
        "games_played": 1,
        "accuracy_percentage": 67,
    }


def test_other_game_types_and_zero_questions(client, dynamodb, auth_header):
    body = {**GAME, "game_type": "kanji", "questions_answered": 0, "correct_answers": 0, "duration_seconds": 90}

    post(client, body, auth_header("user-1"))

    row = get(dynamodb, "daily_progress", user_id="user-1", date=today())
    assert (row["vocabulary_studied"], row["sentences_completed"], row["accuracy_percentage"]) == (0, 0, 0)
    assert row["time_spent_minutes"] == 2  # Math.round(1.5) rounds half up


def test_accuracy_is_the_average_of_games(client, dynamodb, auth_header):
    for correct in (10, 5, 0):
        post(client, {**GAME, "correct_answers": correct}, auth_header("user-1"))

    row = get(dynamodb, "daily_progress", user_id="user-1", date=today())
    assert (row["games_played"], row["accuracy_percentage"]) == (3, 50)


def test_floats_and_negatives_are_accepted_as_the_original(client, dynamodb, auth_header):
    body = {**GAME, "score": -3.5, "experience_gained": 2.25}

    response = post(client, body, auth_header("user-1"))

    assert response.status_code == 200
    assert get(dynamodb, "daily_progress", user_id="user-1", date=today())["experience_gained"] == 2.25


def test_missing_profile_is_skipped_not_created(client, dynamodb, auth_header):
    response = post(client, GAME, auth_header("user-1"))

    assert response.status_code == 200
    assert get(dynamodb, "profiles", user_id="user-1") is None


def test_user_id_of_another_user_is_403_and_writes_nothing(client, dynamodb, auth_header):
    put(dynamodb, "profiles", {"user_id": "user-2", "total_experience": 10})

    response = post(client, {**GAME, "user_id": "user-2"}, auth_header("user-1"))

    assert response.status_code == 403
    assert scan(dynamodb, "game_sessions") == []
    assert scan(dynamodb, "daily_progress") == []
    assert get(dynamodb, "profiles", user_id="user-2") == {"user_id": "user-2", "total_experience": 10}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"game_type": ""}, "game_type"),
        ({"game_type": None}, "game_type"),
        ({"game_type": 3}, "game_type"),
        ({"score": "70"}, "score"),
        ({"score": True}, "score"),
        ({"duration_seconds": None}, "duration_seconds"),
        ({"questions_answered": [1]}, "questions_answered"),
        ({"correct_answers": {"n": 1}}, "correct_answers"),
        ({"experience_gained": 1e10}, "experience_gained"),
        ({"experience_gained": -1e300}, "experience_gained"),
        ({"user_id": ""}, "user_id"),
    ],
)
def test_bad_fields_are_400(client, dynamodb, auth_header, change, field):
    response = post(client, {**GAME, **change}, auth_header("user-1"))

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["fields"]) == [field]


def test_missing_fields_are_all_reported(client, dynamodb, auth_header):
    response = post(client, {}, auth_header("user-1"))

    assert response.status_code == 400
    assert sorted(response.json()["fields"]) == sorted(GAME)


@pytest.mark.parametrize("raw", ["{", "[]", '{"score": Infinity}', "\u65e5\u672c"])
def test_malformed_json_is_400(client, dynamodb, auth_header, raw):
    response = post(client, raw, auth_header("user-1"))

    assert response.status_code == 400


def test_analytics_without_profile_is_404(client, dynamodb, auth_header):
    response = client.get(ANALYTICS, headers=auth_header("user-1"))

    assert response.status_code == 404
    assert response.json() == {"error": "User profile not found", "code": "not_found"}


def test_analytics_from_profile(client, dynamodb, auth_header):
    put(
        dynamodb,
        "profiles",
        {
            "user_id": "user-1",
            "total_experience": 340,
            "current_level": 4,
            "learning_streak": 6,
            "last_activity": "2025-03-04T05:06:07.089Z",
        },
    )

    response = client.get(ANALYTICS, {"user_id": "user-1"}, headers=auth_header("user-1"))

    assert response.status_code == 200
    assert response.json() == {
        "totalExperience": 340,
        "experienceToNextLevel": 100,
        "currentLevel": 4,
        "wordsLearned": 0,
        "sentencesCompleted": 0,
        "averageAccuracy": 0,
        "dailyProgress": [],
        "learningStreak": {
            "current_streak": 6,
            "longest_streak": 6,
            "start_date": "2025-03-04T05:06:07.089Z",
            "is_active": True,
        },
        "achievements": [],
    }


def test_analytics_falls_back_like_javascript_or(client, dynamodb, auth_header):
    put(dynamodb, "profiles", {"user_id": "user-1", "current_level": 0, "last_activity": ""})

    body = client.get(ANALYTICS, headers=auth_header("user-1")).json()

    assert (body["totalExperience"], body["currentLevel"]) == (0, 1)
    assert body["learningStreak"]["current_streak"] == 0
    assert ISO.match(body["learningStreak"]["start_date"])


def test_analytics_of_another_user_is_403(client, dynamodb, auth_header):
    put(dynamodb, "profiles", {"user_id": "user-2", "total_experience": 5})

    response = client.get(ANALYTICS, {"user_id": "user-2"}, headers=auth_header("user-1"))

    assert response.status_code == 403


def test_unicode_game_type_is_stored_verbatim(client, dynamodb, auth_header):
    response = post(client, {**GAME, "game_type": "語彙🎮"}, auth_header("user-1"))

    assert response.status_code == 200
    assert scan(dynamodb, "game_sessions")[0]["game_type"] == "語彙🎮"


def test_unicode_user_id_of_someone_else_is_403(client, dynamodb, auth_header):
    response = client.get(ANALYTICS, {"user_id": "ユーザー🙂"}, headers=auth_header("user-1"))

    assert response.status_code == 403
