"""POST /api/profiles/create without a race (HEAD §13.11) against a moto server over real HTTP.

HEAD does get-then-put, so concurrent first logins race and the last write wins. Here creation is one
PutItem conditional on `attribute_not_exists(user_id)`: exactly one caller creates, every caller gets
200, and the losers leave the profile as the winner wrote it.
"""

from __future__ import annotations

import json
import threading

import pytest
from django.test import Client

from tests.dynamo_helpers import get, put, scan

CREATE = "/api/profiles/create"


def create(client, headers, body):
    return client.post(CREATE, json.dumps(body), content_type="application/json", headers=headers)


def run_together(count, action):
    barrier = threading.Barrier(count)
    results = [None] * count

    def worker(n):
        barrier.wait()
        results[n] = action(n)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_concurrent_first_logins_create_one_profile(dynamodb_http, auth_header):
    headers = auth_header("user-race", email="race@example.com")

    def first_login(n):
        return create(Client(), headers, {"user_id": "user-race", "email": f"r{n}@example.com", "username": f"u{n}"})

    responses = run_together(12, first_login)

    assert [r.status_code for r in responses] == [200] * 12
    bodies = [r.json() for r in responses]
    assert bodies.count({"success": True}) == 1
    assert bodies.count({"success": True, "message": "Profile already exists"}) == 11
    [profile] = scan(dynamodb_http, "profiles")
    winner = bodies.index({"success": True})
    # The winner's item, untouched by the 11 losers (its username was set, so none fills it).
    assert (profile["email"], profile["username"]) == (f"r{winner}@example.com", f"u{winner}")
    assert profile["updated_at"] == profile["created_at"]


def test_losers_never_reset_a_used_profile(client, dynamodb_http, auth_header):
    existing = {
        "user_id": "user-1",
        "email": "old@example.com",
        "username": "aki",
        "current_level": 7,
        "total_experience": 900,
        "created_at": "2025-01-01T00:00:00.000Z",
    }
    put(dynamodb_http, "profiles", existing)

    responses = run_together(
        6, lambda n: create(Client(), auth_header("user-1"), {"email": "new@example.com", "username": f"n{n}"})
    )

    assert [r.json() for r in responses] == [{"success": True, "message": "Profile already exists"}] * 6
    assert get(dynamodb_http, "profiles", user_id="user-1") == existing


@pytest.mark.parametrize("stored", [{}, {"username": None}, {"username": ""}], ids=["absent", "null", "empty"])
def test_existing_profile_without_username_gains_the_sent_one(client, dynamodb_http, auth_header, stored):
    """HEAD §8.3: an existing profile gets `username` (and `updated_at`) only when it has none."""
    put(
        dynamodb_http,
        "profiles",
        {"user_id": "user-1", "current_level": 3, "updated_at": "2025-01-01T00:00:00.000Z"} | stored,
    )

    response = create(client, auth_header("user-1"), {"username": "アキ", "email": "x@example.com"})

    assert response.json() == {"success": True, "message": "Profile already exists"}
    profile = get(dynamodb_http, "profiles", user_id="user-1")
    assert profile["username"] == "アキ"
    assert profile["current_level"] == 3
    assert "email" not in profile  # only the username is filled
    assert profile["updated_at"] > "2025-01-01T00:00:00.000Z"


def test_concurrent_username_fills_keep_exactly_one(client, dynamodb_http, auth_header):
    put(dynamodb_http, "profiles", {"user_id": "user-1", "username": None})

    run_together(8, lambda n: create(Client(), auth_header("user-1"), {"username": f"name{n}"}))

    assert get(dynamodb_http, "profiles", user_id="user-1")["username"] in {f"name{n}" for n in range(8)}


def test_create_for_another_user_is_403_and_writes_nothing(client, dynamodb_http, auth_header):
    response = create(client, auth_header("user-b"), {"user_id": "user-a", "username": "evil"})

    assert response.status_code == 403
    assert scan(dynamodb_http, "profiles") == []


@pytest.mark.parametrize(
    ("body", "field"),
    [({"email": "nope"}, "email"), ({"username": 5}, "username"), ({"user_id": 7}, "user_id")],
)
def test_create_validation_errors_are_400_and_write_nothing(client, dynamodb_http, auth_header, body, field):
    response = create(client, auth_header("user-1"), body)

    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert scan(dynamodb_http, "profiles") == []
