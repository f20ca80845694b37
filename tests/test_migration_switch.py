"""VELA_ALLOW_UNAUTHENTICATED_USER_ID: the December web app's token-less calls during the migration window,
against a moto server over real HTTP.

The December build sends no token on profiles, progress and chat history; each of those calls names its
user (`user_id`/`UserId`) except `GET /api/chat-history/messages`, which sends only `thread_id`: the
caller is then taken to be the thread's owner (the user of its earliest message), with a warning.
"""

from __future__ import annotations

import json
import logging

import pytest

from tests.dynamo_helpers import put

MESSAGES = "/api/chat-history/messages"


@pytest.fixture
def switch_on(settings, cognito):
    settings.VELA_ALLOW_UNAUTHENTICATED_USER_ID = True


def seed_thread(ddb, thread_id, owner, count=3):
    for n in range(count):
        put(
            ddb,
            "chat_history",
            {
                "ThreadId": thread_id,
                "Timestamp": 100 + n,
                "UserId": owner,
                "message": f"m{n}",
                "is_user": n % 2 == 0,
                "context": {},
            },
        )


def test_december_messages_call_reads_the_owners_thread_with_a_warning(client, dynamodb_http, switch_on, caplog):
    seed_thread(dynamodb_http, "t-alice", "alice")
    caplog.set_level(logging.WARNING, logger="vela.identity")

    response = client.get(MESSAGES, {"thread_id": "t-alice"})

    assert response.status_code == 200
    assert [(i["UserId"], i["Timestamp"], i["message"]) for i in response.json()["items"]] == [
        ("alice", 100, "m0"),
        ("alice", 101, "m1"),
        ("alice", 102, "m2"),
    ]
    assert "trusted as the owner of thread_id='t-alice'" in caplog.text


def test_unknown_thread_reads_empty(client, dynamodb_http, switch_on):
    assert client.get(MESSAGES, {"thread_id": "nobody"}).json() == {"items": []}


def test_without_the_switch_the_december_call_is_401(client, dynamodb_http, cognito, settings):
    settings.VELA_ALLOW_UNAUTHENTICATED_USER_ID = False
    seed_thread(dynamodb_http, "t-alice", "alice")

    response = client.get(MESSAGES, {"thread_id": "t-alice"})

    assert response.status_code == 401
    assert response.json()["error"] == "Unauthorized: Missing or invalid Authorization header"


def test_a_named_user_still_gets_403_for_someone_elses_thread(client, dynamodb_http, switch_on):
    seed_thread(dynamodb_http, "t-alice", "alice")

    response = client.get(MESSAGES, {"thread_id": "t-alice", "user_id": "bob"})

    assert response.status_code == 403
    assert response.json()["error"] == "Forbidden: You do not own this thread"


def test_a_token_still_decides_with_the_switch_on(client, dynamodb_http, switch_on, auth_header):
    seed_thread(dynamodb_http, "t-alice", "alice")

    bob = client.get(MESSAGES, {"thread_id": "t-alice"}, headers=auth_header("bob"))
    alice = client.get(MESSAGES, {"thread_id": "t-alice"}, headers=auth_header("alice"))

    assert bob.status_code == 403
    assert len(alice.json()["items"]) == 3


def test_missing_thread_id_is_still_400(client, dynamodb_http, switch_on):
    response = client.get(MESSAGES)

    assert (response.status_code, response.json()["error"]) == (400, "thread_id is required")


def send(client, method, path, body=None):
    if body is None:
        return client.generic(method, path)
    return client.generic(method, path, json.dumps(body), content_type="application/json")


def test_every_december_tokenless_call_works_with_the_switch(client, dynamodb_http, switch_on):
    """The December build's calls without a token (README, 'Migration window'), in the order a session makes them."""
    calls = [
        ("POST", "/api/profiles/create", {"user_id": "old-1", "email": "old@example.com", "username": "old"}),
        ("GET", "/api/profiles?user_id=old-1", None),
        ("PUT", "/api/profiles/update", {"user_id": "old-1", "preferences": {"dailyGoal": 20}}),
        (
            "POST",
            "/api/progress/game-session",
            {
                "user_id": "old-1",
                "game_type": "vocabulary",
                "score": 5,
                "duration_seconds": 60,
                "questions_answered": 5,
                "correct_answers": 4,
                "experience_gained": 10,
            },
        ),
        ("GET", "/api/progress/analytics?user_id=old-1", None),
        (
            "POST",
            "/api/chat-history/save",
            {
                "ThreadId": "th-1",
                "Timestamp": 1700000000000,
                "UserId": "old-1",
                "message": "こんにちは",
                "is_user": True,
            },
        ),
        ("GET", "/api/chat-history/threads?user_id=old-1", None),
        ("GET", "/api/chat-history/messages?thread_id=th-1", None),
    ]

    statuses = [send(client, method, path, body).status_code for method, path, body in calls]

    assert statuses == [200] * len(calls)
    assert client.get(MESSAGES, {"thread_id": "th-1"}).json()["items"][0]["UserId"] == "old-1"


@pytest.mark.parametrize(
    ("method", "path", "body", "message"),
    [
        ("GET", "/api/profiles?user_id=alice", None, "Forbidden: Cannot access another user's profile"),
        (
            "PUT",
            "/api/profiles/update",
            {"user_id": "alice", "username": "x"},
            "Forbidden: Cannot update another user's profile",
        ),
        ("POST", "/api/profiles/create", {"user_id": "alice"}, "Forbidden: Cannot create profile for another user"),
        ("GET", "/api/progress/analytics?user_id=alice", None, "Forbidden: Cannot access another user's progress"),
        (
            "POST",
            "/api/progress/game-session",
            {
                "user_id": "alice",
                "game_type": "vocabulary",
                "score": 1,
                "duration_seconds": 1,
                "questions_answered": 1,
                "correct_answers": 1,
                "experience_gained": 1,
            },
            "Forbidden: Cannot record game session for another user",
        ),
        (
            "GET",
            "/api/chat-history/threads?user_id=alice",
            None,
            "Forbidden: Cannot access another user's chat history",
        ),
    ],
)
def test_another_users_id_is_403_with_heads_message_and_touches_nothing(
    client, dynamodb_http, auth_header, method, path, body, message
):
    """HEAD §3.4: the token is bob's; naming alice is a 403 worded per route (with or without the switch)."""
    headers = auth_header("bob")
    if body is None:
        response = client.generic(method, path, headers=headers)
    else:
        response = client.generic(method, path, json.dumps(body), content_type="application/json", headers=headers)

    assert response.status_code == 403
    assert response.json() == {"error": message, "code": "user_mismatch"}
    assert all(
        dynamodb_http.scan(TableName=name)["Items"] == []
        for name in ("vela-profiles", "vela-game-sessions", "vela-daily-progress")
    )
