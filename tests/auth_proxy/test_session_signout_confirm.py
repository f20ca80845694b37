"""GET /api/auth/session, POST /api/auth/signout and /api/auth/auto-confirm against moto's Cognito."""

from __future__ import annotations

import pytest
from botocore.config import Config

from tests.auth_proxy.conftest import post

SESSION = "/api/auth/session"
SIGNOUT = "/api/auth/signout"
CONFIRM = "/api/auth/auto-confirm"


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_session_without_token(client, pool):
    for headers in ({}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer "}):
        response = client.get(SESSION, headers=headers)
        assert response.status_code == 200
        assert response.json() == {"authenticated": False, "message": "No access token provided"}


def test_session_with_valid_access_token(client, pool):
    pool.confirmed_user("learner@example.com")
    tokens = pool.sign_in("learner@example.com")

    response = client.get(SESSION, headers=bearer(tokens["AccessToken"]))

    assert response.status_code == 200
    username = pool.idp.get_user(AccessToken=tokens["AccessToken"])["Username"]
    assert response.json() == {
        "authenticated": True,
        "user": {"username": username, "email": "learner@example.com", "emailVerified": True},
    }


def test_session_email_not_verified(client, pool):
    pool.confirmed_user("learner@example.com", verified=False)
    tokens = pool.sign_in("learner@example.com")

    response = client.get(SESSION, headers=bearer(tokens["AccessToken"]))

    assert response.json()["user"]["emailVerified"] is False


def test_session_with_invalid_token_is_200_unauthenticated(client, pool):
    response = client.get(SESSION, headers=bearer("not-a-cognito-token"))

    assert response.status_code == 200
    assert response.json() == {"authenticated": False, "message": "Invalid or expired token"}


def test_session_when_cognito_is_unreachable_is_502(client, pool, monkeypatch):
    # Cognito unreachable: a client pointed at a closed local port (no retries), instead of moto.
    import boto3

    from auth_proxy import services

    broken = boto3.session.Session().client(
        "cognito-idp",
        region_name="us-east-1",
        endpoint_url="http://127.0.0.1:9",
        config=Config(retries={"max_attempts": 1}, connect_timeout=1),
    )
    monkeypatch.setattr(services, "_cognito", lambda: broken)

    response = client.get(SESSION, headers=bearer("any-token"))

    assert response.status_code == 502
    body = response.json()
    assert body["code"] == "cognito_unreachable"
    assert body["authenticated"] is False
    assert body["message"] == "Session check failed"


def test_signout_revokes_the_users_tokens(client, pool):
    pool.confirmed_user("learner@example.com")
    tokens = pool.sign_in("learner@example.com")

    response = post(client, SIGNOUT, {}, headers=bearer(tokens["AccessToken"]))

    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Sign out successful"}
    after = client.get(SESSION, headers=bearer(tokens["AccessToken"]))
    assert after.json() == {"authenticated": False, "message": "Invalid or expired token"}
    refresh = post(client, "/api/auth/refresh", {"refreshToken": tokens["RefreshToken"]})
    assert refresh.status_code == 401


def test_signout_only_affects_the_caller(client, pool):
    pool.confirmed_user("a@example.com")
    pool.confirmed_user("b@example.com")
    a, b = pool.sign_in("a@example.com"), pool.sign_in("b@example.com")

    post(client, SIGNOUT, {}, headers=bearer(a["AccessToken"]))

    assert client.get(SESSION, headers=bearer(b["AccessToken"])).json()["authenticated"] is True


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer junk"}, {"Authorization": "Basic x"}])
def test_signout_always_succeeds(client, pool, headers):
    response = post(client, SIGNOUT, {}, headers=headers)

    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Sign out successful"}


def test_auto_confirm_is_404_when_disabled(client, pool, settings):
    settings.AUTH_AUTO_CONFIRM_ENABLED = False
    pool.idp.sign_up(ClientId=pool.client_id, Username="new@example.com", Password="secret-pw-1")

    response = post(client, CONFIRM, {"email": "new@example.com"})
    as_get = client.get(CONFIRM)

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert as_get.status_code == 404
    assert pool.status("new@example.com") == "UNCONFIRMED"


def test_auto_confirm_confirms_when_enabled(client, pool, settings):
    settings.AUTH_AUTO_CONFIRM_ENABLED = True
    pool.idp.sign_up(
        ClientId=pool.client_id,
        Username="new@example.com",
        Password="secret-pw-1",
        UserAttributes=[{"Name": "email", "Value": "new@example.com"}],
    )

    response = post(client, CONFIRM, {"email": "new@example.com"})

    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "User auto-confirmed successfully"}
    assert pool.status("new@example.com") == "CONFIRMED"


def test_auto_confirm_errors(client, pool, settings):
    settings.AUTH_AUTO_CONFIRM_ENABLED = True

    missing = post(client, CONFIRM, {})
    unknown = post(client, CONFIRM, {"email": "ghost@example.com"})
    malformed = post(client, CONFIRM, "{x")
    unfilterable = post(client, CONFIRM, {"email": "4\u00b3\n\u00e2W\t\u000f@example.com"})  # Cognito: InvalidParameter
    settings.COGNITO_USER_POOL_ID = ""
    no_pool = post(client, CONFIRM, {"email": "ghost@example.com"})

    assert (missing.status_code, missing.json()["error"]) == (400, "Email is required")
    assert (unknown.status_code, unknown.json()["error"]) == (404, "User not found")
    assert malformed.status_code == 400
    assert (unfilterable.status_code, unfilterable.json()["code"]) == (400, "invalid_email")
    assert (no_pool.status_code, no_pool.json()["error"]) == (500, "User pool ID not configured")


def test_auto_confirm_escapes_the_filter_value(client, pool, settings):
    settings.AUTH_AUTO_CONFIRM_ENABLED = True
    from vela.aws import client as aws_client

    seen = []
    aws_client("cognito-idp").meta.events.register(
        "provide-client-params.cognito-idp.ListUsers", lambda params, **kw: seen.append(params["Filter"])
    )
    hostile = 'x" or email ^= "\\'

    response = post(client, CONFIRM, {"email": hostile})

    assert response.status_code == 404
    assert seen == ['email = "x\\" or email ^= \\"\\\\"']


def test_cognito_failure_during_auto_confirm_is_500(client, pool, settings, monkeypatch):
    settings.AUTH_AUTO_CONFIRM_ENABLED = True
    monkeypatch.setattr(settings, "COGNITO_USER_POOL_ID", "us-east-1_DoesNotExist")

    response = post(client, CONFIRM, {"email": "a@example.com"})

    assert response.status_code == 500
    assert response.json()["error"] == "Failed to auto-confirm user"
