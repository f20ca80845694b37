"""GET /api/auth/session, POST /api/auth/signout and /api/auth/auto-confirm against moto's Cognito."""

from __future__ import annotations

import pytest

from tests.auth_proxy.conftest import post

SESSION = "/api/auth/session"
SIGNOUT = "/api/auth/signout"
CONFIRM = "/api/auth/auto-confirm"


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "Unauthorized: Missing or invalid Authorization header"),
        ({"Authorization": "Basic abc"}, "Unauthorized: Missing or invalid Authorization header"),
        ({"Authorization": "bearer abc"}, "Unauthorized: Missing or invalid Authorization header"),
        ({"Authorization": "Bearer "}, "Unauthorized: Invalid or expired token"),
        ({"Authorization": "Bearer not-a-cognito-token"}, "Unauthorized: Invalid or expired token"),
    ],
)
def test_session_without_a_valid_token_is_401_as_head(client, cognito, headers, message):
    """HEAD §8.1: the session check sits behind requireAuth (the base answered 200 authenticated:false)."""
    response = client.get(SESSION, headers=headers)

    assert response.status_code == 401
    assert response.json()["error"] == message


def test_session_with_a_valid_id_token_is_authenticated_with_sub_and_email(client, cognito):
    token = cognito.token("sub-42", email="learner@example.com")

    response = client.get(SESSION, headers=bearer(token))

    assert response.status_code == 200
    assert response.json() == {"authenticated": True, "user": {"userId": "sub-42", "email": "learner@example.com"}}


@pytest.mark.parametrize("claim", [None, 7], ids=["missing", "not-a-string"])
def test_session_email_is_null_without_a_string_claim(client, cognito, claim):
    response = client.get(SESSION, headers=bearer(cognito.token("sub-42", email=claim)))

    assert response.status_code == 200
    assert response.json() == {"authenticated": True, "user": {"userId": "sub-42", "email": None}}


def test_session_expired_id_token_is_401(client, cognito):
    response = client.get(SESSION, headers=bearer(cognito.token("sub-42", expires_in=-60)))

    assert response.status_code == 401
    assert response.json()["error"] == "Unauthorized: Invalid or expired token"


def test_session_with_a_mobile_client_id_token(client, cognito, settings):
    settings.COGNITO_MOBILE_CLIENT_ID = "vela-mobile-client-1"

    response = client.get(SESSION, headers=bearer(cognito.token("sub-m", client_id="vela-mobile-client-1")))

    assert response.status_code == 200
    assert response.json()["user"]["userId"] == "sub-m"


def test_session_migration_switch_keeps_the_december_tokenless_answer(client, cognito, settings):
    settings.VELA_ALLOW_UNAUTHENTICATED_USER_ID = True

    anonymous = client.get(SESSION)
    signed_in = client.get(SESSION, headers=bearer(cognito.token("sub-42", email="a@example.com")))

    assert anonymous.status_code == 200
    assert anonymous.json() == {"authenticated": False, "message": "No access token provided"}
    assert signed_in.json() == {"authenticated": True, "user": {"userId": "sub-42", "email": "a@example.com"}}


def test_signout_revokes_the_users_tokens(client, pool):
    pool.confirmed_user("learner@example.com")
    tokens = pool.sign_in("learner@example.com")

    response = post(client, SIGNOUT, {}, headers=bearer(tokens["AccessToken"]))

    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Sign out successful"}
    with pytest.raises(pool.idp.exceptions.NotAuthorizedException):
        pool.idp.get_user(AccessToken=tokens["AccessToken"])
    refresh = post(client, "/api/auth/refresh", {"refreshToken": tokens["RefreshToken"]})
    assert refresh.status_code == 401


def test_signout_only_affects_the_caller(client, pool):
    pool.confirmed_user("a@example.com")
    pool.confirmed_user("b@example.com")
    a, b = pool.sign_in("a@example.com"), pool.sign_in("b@example.com")

    post(client, SIGNOUT, {}, headers=bearer(a["AccessToken"]))

    assert pool.idp.get_user(AccessToken=b["AccessToken"])["Username"]
    with pytest.raises(pool.idp.exceptions.NotAuthorizedException):
        pool.idp.get_user(AccessToken=a["AccessToken"])


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


def test_session_access_token_cognito_rejects_is_401(client, pool, cognito):
    """Access tokens are accepted (CONTRACT §2.1); their email comes from GetUser, which knows this one not."""
    response = client.get(SESSION, headers=bearer(cognito.token("sub-a", token_use="access")))

    assert response.status_code == 401
    assert response.json()["error"] == "Unauthorized"
