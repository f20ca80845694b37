"""No lost updates (CONTRACT §2.3): concurrent game sessions against a moto server over real HTTP.

In-process moto serialises calls; the server handles requests on its own threads, so these races
are real read-modify-write races for any non-atomic implementation.
"""

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from django.test import Client

from tests.dynamo_helpers import get, put, scan

pytestmark = pytest.mark.slow

SESSIONS = 50


def today():
    return datetime.now(UTC).strftime("%Y-%m-%d")


def game(i):
    # Different figures per game so a lost update shows in every sum.
    return {
        "game_type": "vocabulary" if i % 2 else "sentence",
        "score": i,
        "duration_seconds": 60 * (i % 3) + 10,
        "questions_answered": 4 + i % 5,
        "correct_answers": i % 5,
        "experience_gained": 10 + i,
    }


def run_concurrently(headers, bodies, workers=16):
    def one(body):
        response = Client().post(
            "/api/progress/game-session", json.dumps(body), content_type="application/json", headers=headers
        )
        return response.status_code

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, bodies))


def expected_totals(bodies, base=None):
    base = base or {"vocabulary_studied": 0, "sentences_completed": 0, "time_spent_minutes": 0, "experience_gained": 0}
    accuracies = [b["correct_answers"] / b["questions_answered"] * 100 for b in bodies]
    return {
        "vocabulary_studied": base["vocabulary_studied"]
        + sum(b["questions_answered"] for b in bodies if b["game_type"] == "vocabulary"),
        "sentences_completed": base["sentences_completed"]
        + sum(b["questions_answered"] for b in bodies if b["game_type"] == "sentence"),
        "time_spent_minutes": base["time_spent_minutes"] + sum((b["duration_seconds"] + 30) // 60 for b in bodies),
        "experience_gained": base["experience_gained"] + sum(b["experience_gained"] for b in bodies),
        "accuracies": accuracies,
    }


def test_fifty_concurrent_sessions_give_exact_totals(dynamodb_http, auth_header):
    put(dynamodb_http, "profiles", {"user_id": "user-1", "total_experience": 100})
    bodies = [game(i) for i in range(SESSIONS)]

    statuses = run_concurrently(auth_header("user-1"), bodies)

    assert statuses == [200] * SESSIONS
    row = get(dynamodb_http, "daily_progress", user_id="user-1", date=today())
    expected = expected_totals(bodies)
    assert row["games_played"] == SESSIONS
    for name in ("vocabulary_studied", "sentences_completed", "time_spent_minutes", "experience_gained"):
        assert row[name] == expected[name], name
    assert row["accuracy_percentage"] == int(sum(expected["accuracies"]) / SESSIONS + 0.5)
    assert get(dynamodb_http, "profiles", user_id="user-1")["total_experience"] == 100 + expected["experience_gained"]
    assert len(scan(dynamodb_http, "game_sessions")) == SESSIONS


def test_concurrent_sessions_on_a_row_written_by_the_original_api(dynamodb_http, auth_header):
    legacy = {
        "vocabulary_studied": 10,
        "sentences_completed": 2,
        "time_spent_minutes": 5,
        "experience_gained": 30,
    }
    put(
        dynamodb_http,
        "daily_progress",
        {"user_id": "user-1", "date": today(), **legacy, "games_played": 2, "accuracy_percentage": 80},
    )
    bodies = [game(i) for i in range(20)]

    statuses = run_concurrently(auth_header("user-1"), bodies, workers=10)

    assert statuses == [200] * 20
    row = get(dynamodb_http, "daily_progress", user_id="user-1", date=today())
    expected = expected_totals(bodies, legacy)
    assert row["games_played"] == 22
    for name in legacy:
        assert row[name] == expected[name], name
    assert row["accuracy_sum"] == pytest.approx(160 + sum(expected["accuracies"]))
    assert row["accuracy_percentage"] == int((160 + sum(expected["accuracies"])) / 22 + 0.5)
