"""Identity on every user-data route of profiles and progress (CONTRACT §2.1)."""

import json

import pytest

from tests.cognito import new_key
from tests.dynamo_helpers import get, put, scan

GAME = {
    "game_type": "vocabulary",
    "score": 1,
    "duration_seconds": 60,
    "questions_answered": 2,
    "correct_answers": 1,
    "experience_gained": 5,
}
ROUTES = [
    ("GET", "/api/profiles", None),
    ("PUT", "/api/profiles/update", {"username": "x"}),
    ("POST", "/api/profiles/create", {"email": "a@example.com"}),
    ("GET", "/api/progress/analytics", None),
    ("POST", "/api/progress/game-session", GAME),
]
ROUTE_IDS = [f"{m} {p}" for m, p, _ in ROUTES]
BAD_TOKENS = {
    "expired": {"expires_in": -120},
    "forged": {"key": new_key()},
    "wrong-audience": {"client_id": "another-client"},
    "wrong-issuer": {"issuer": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other"},
    "alg-none": {"algorithm": "none"},
    "refresh-token-use": {"token_use": "refresh"},
}


def call(client, method, path, body, headers):
    if body is None:
        return client.generic(method, path, headers=headers)
    return client.generic(method, path, json.dumps(body), content_type="application/json", headers=headers)


@pytest.mark.parametrize(("method", "path", "body"), ROUTES, ids=ROUTE_IDS)
@pytest.mark.parametrize("header", [None, "bearer x"], ids=["none", "lowercase-scheme"])
def test_missing_or_malformed_header_is_401(client, dynamodb, cognito, method, path, body, header):
    headers = {"Authorization": header} if header else {}

    response = call(client, method, path, body, headers)

    assert response.status_code == 401
    assert response.json()["error"].startswith("Unauthorized")
    assert scan(dynamodb, "profiles") == []


@pytest.mark.parametrize(("method", "path", "body"), ROUTES, ids=ROUTE_IDS)
@pytest.mark.parametrize("claims", list(BAD_TOKENS.values()), ids=list(BAD_TOKENS))
def test_bad_tokens_are_401(client, dynamodb, cognito, method, path, body, claims):
    token = cognito.token("user-1", **claims)

    response = call(client, method, path, body, {"Authorization": f"Bearer {token}"})

    assert response.status_code == 401
    assert response.json() == {"error": "Unauthorized: Invalid or expired token", "code": "invalid_token"}
    assert scan(dynamodb, "profiles") == []
    assert scan(dynamodb, "game_sessions") == []


def test_unauthenticated_bad_body_is_401_not_400(client, dynamodb, cognito):
    response = call(client, "POST", "/api/progress/game-session", {"score": "x"}, {})

    assert response.status_code == 401


@pytest.mark.parametrize(("method", "path", "body"), ROUTES, ids=ROUTE_IDS)
def test_user_a_never_reads_or_changes_user_b(client, dynamodb, auth_header, method, path, body):
    b_profile = {"user_id": "user-b", "username": "bee", "total_experience": 40}
    put(dynamodb, "profiles", b_profile)
    as_b = dict(body or {}, user_id="user-b")

    if body is None:
        response = client.generic(method, f"{path}?user_id=user-b", headers=auth_header("user-a"))
    else:
        response = call(client, method, path, as_b, auth_header("user-a"))

    assert response.status_code == 403
    assert "bee" not in response.content.decode()
    assert get(dynamodb, "profiles", user_id="user-b") == b_profile
    assert scan(dynamodb, "game_sessions") == []
    assert scan(dynamodb, "daily_progress") == []


@pytest.mark.parametrize(("method", "path", "body"), ROUTES, ids=ROUTE_IDS)
def test_without_user_id_a_only_touches_own_data(client, dynamodb, auth_header, method, path, body):
    b_profile = {"user_id": "user-b", "username": "bee", "total_experience": 40}
    put(dynamodb, "profiles", b_profile)
    put(dynamodb, "profiles", {"user_id": "user-a", "username": "ay", "total_experience": 1})

    response = call(client, method, path, body, auth_header("user-a"))

    assert response.status_code == 200
    assert "bee" not in response.content.decode()
    assert get(dynamodb, "profiles", user_id="user-b") == b_profile
    assert all(row["user_id"] == "user-a" for row in scan(dynamodb, "game_sessions") + scan(dynamodb, "daily_progress"))
