"""POST /api/auth/signin and /api/auth/refresh against moto's Cognito (reference §5.9)."""

from __future__ import annotations

import pytest

from tests.auth_proxy.conftest import PASSWORD, post

SIGNIN = "/api/auth/signin"
REFRESH = "/api/auth/refresh"


def test_signin_returns_cognito_tokens(client, pool):
    pool.confirmed_user("learner@example.com")

    response = post(client, SIGNIN, {"email": "learner@example.com", "password": PASSWORD})

    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    assert body["message"] == "Sign in successful"
    assert set(body["tokens"]) == {"accessToken", "refreshToken", "idToken"}
    user = pool.idp.get_user(AccessToken=body["tokens"]["accessToken"])  # moto accepts them: real tokens
    assert {"Name": "email", "Value": "learner@example.com"} in user["UserAttributes"]


def test_wrong_password_is_401(client, pool):
    pool.confirmed_user("learner@example.com")

    response = post(client, SIGNIN, {"email": "learner@example.com", "password": "wrong-password"})

    assert response.status_code == 401
    assert response.json()["error"] == "Invalid email or password"


def test_unconfirmed_user_is_401(client, pool):
    pool.idp.sign_up(ClientId=pool.client_id, Username="new@example.com", Password=PASSWORD)

    response = post(client, SIGNIN, {"email": "new@example.com", "password": PASSWORD})

    assert response.status_code == 401
    assert response.json()["error"] == "User not confirmed. Please check your email."


def test_a_challenge_instead_of_tokens_is_401(client, pool):
    pool.idp.admin_create_user(UserPoolId=pool.id, Username="admin-made@example.com", TemporaryPassword=PASSWORD)

    response = post(client, SIGNIN, {"email": "admin-made@example.com", "password": PASSWORD})

    assert response.status_code == 401
    assert response.json()["error"] == "Authentication failed"


def test_unknown_email_and_wrong_password_get_the_same_401(client, pool):
    pool.confirmed_user("learner@example.com")

    wrong_password = post(client, SIGNIN, {"email": "learner@example.com", "password": "wrong-password"})
    unknown = post(client, SIGNIN, {"email": "ghost@example.com", "password": PASSWORD})  # moto: UserNotFoundException
    not_an_email = post(client, SIGNIN, {"email": "x" * 300, "password": PASSWORD})

    assert wrong_password.status_code == unknown.status_code == not_an_email.status_code == 401
    assert wrong_password.content == unknown.content == not_an_email.content
    assert unknown.json() == {"error": "Invalid email or password", "code": "invalid_credentials"}


def test_other_cognito_errors_are_500_with_their_name(client, pool, settings):
    settings.COGNITO_CLIENT_ID = "unknown-client-id"

    response = post(client, SIGNIN, {"email": "ghost@example.com", "password": PASSWORD})

    assert response.status_code == 500
    assert response.json()["error"] == "Sign in failed"
    assert response.json()["name"] == "ResourceNotFoundException"


@pytest.mark.parametrize(
    "body",
    [{}, {"email": "a@b.c"}, {"password": "x"}, {"email": "", "password": "x"}, {"email": ["a@b.c"], "password": "x"}],
)
def test_missing_credentials_are_400(client, pool, body):
    response = post(client, SIGNIN, body)

    assert response.status_code == 400
    assert response.json()["error"] == "Email and password are required"


def test_malformed_json_is_400_not_500(client, pool):
    for url in (SIGNIN, REFRESH, "/api/auth/signout"):
        response = post(client, url, "{oops")
        assert response.status_code == (200 if url.endswith("signout") else 400)


def test_misconfiguration_is_500(client, pool, settings):
    settings.COGNITO_CLIENT_ID = ""
    no_client = post(client, SIGNIN, {"email": "a@b.c", "password": "x"})
    no_client_refresh = post(client, REFRESH, {"refreshToken": "r"})
    settings.COGNITO_USER_POOL_ID = ""
    no_pool = post(client, SIGNIN, {"email": "a@b.c", "password": "x"})

    assert no_client.status_code == no_client_refresh.status_code == no_pool.status_code == 500
    assert no_client.json()["error"] == "Cognito client ID not configured"
    assert no_client_refresh.json()["error"] == "Cognito client ID not configured"
    assert no_pool.json()["error"] == "User pool ID not configured"


def test_refresh_returns_new_tokens_and_echoes_the_refresh_token(client, pool):
    pool.confirmed_user("learner@example.com")
    tokens = pool.sign_in("learner@example.com")

    response = post(client, REFRESH, {"refreshToken": tokens["RefreshToken"]})

    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    assert body["message"] == "Token refreshed successfully"
    assert body["tokens"]["refreshToken"] == tokens["RefreshToken"]
    assert pool.idp.get_user(AccessToken=body["tokens"]["accessToken"])["Username"]
    assert body["tokens"]["idToken"]


def test_refresh_with_unknown_token_is_401(client, pool):
    response = post(client, REFRESH, {"refreshToken": "not-a-refresh-token"})

    assert response.status_code == 401
    assert response.json()["error"] == "Invalid or expired refresh token"


def test_refresh_without_token_is_400(client, pool):
    response = post(client, REFRESH, {"refreshToken": ""})

    assert response.status_code == 400
    assert response.json()["error"] == "Refresh token is required"


def test_refresh_cognito_error_is_500_with_its_name(client, pool, settings):
    settings.COGNITO_CLIENT_ID = "unknown-client-id"

    response = post(client, REFRESH, {"refreshToken": "r"})

    assert response.status_code == 500
    assert response.json()["error"] == "Token refresh failed"
    assert response.json()["name"] == "ResourceNotFoundException"
