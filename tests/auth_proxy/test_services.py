"""The Cognito proxy's services (auth_proxy.services) called directly against moto's Cognito user pool
(tests/auth_proxy/conftest.py): the tokens they return, what Cognito ends up holding, and which
`vela.errors` error each refusal or failure becomes. "Unreachable" is a closed local port as endpoint."""

from __future__ import annotations

import socket

import pytest

from auth_proxy.services import (
    CognitoFailure,
    auth_auto_confirm,
    auth_refresh,
    auth_sign_in,
    auth_sign_out,
    cognito_filter_value,
)
from tests.auth_proxy.conftest import PASSWORD
from vela.errors import (
    ApplicationError,
    BadRequestError,
    NotFoundError,
    ServiceMisconfiguredError,
    UnauthorizedError,
    UpstreamError,
)

EMAIL = "learner@example.com"


def raised(excinfo):
    error = excinfo.value
    return error.status_code, error.code, error.message


@pytest.fixture
def unreachable_cognito(pool, monkeypatch):
    """Every new client's endpoint is a local port nothing listens on (botocore: EndpointConnectionError)."""
    from vela.aws import reset_clients

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")
    reset_clients()
    yield
    reset_clients()


def test_sign_in_returns_the_pools_tokens_and_hides_them_in_repr(pool):
    pool.confirmed_user(EMAIL)

    tokens = auth_sign_in(email=EMAIL, password=PASSWORD)

    user = pool.idp.get_user(AccessToken=tokens.access_token)  # moto accepts it: a real token of the pool
    assert {"Name": "email", "Value": EMAIL} in user["UserAttributes"]
    assert tokens.id_token
    assert tokens.refresh_token
    assert repr(tokens) == "Tokens(...)"


@pytest.mark.parametrize(
    ("email", "password"),
    [(EMAIL, "wrong-password"), ("ghost@example.com", PASSWORD), ("x" * 300, PASSWORD)],
    ids=["wrong-password", "unknown-email", "not-an-email"],
)
def test_every_refused_sign_in_is_the_same_401(pool, email, password):
    pool.confirmed_user(EMAIL)

    with pytest.raises(UnauthorizedError) as excinfo:
        auth_sign_in(email=email, password=password)

    assert raised(excinfo) == (401, "invalid_credentials", "Invalid email or password")


def test_sign_in_of_an_unconfirmed_user_or_one_facing_a_challenge_is_401_saying_which(pool):
    pool.idp.sign_up(ClientId=pool.client_id, Username="new@example.com", Password=PASSWORD)
    pool.idp.admin_create_user(UserPoolId=pool.id, Username="admin-made@example.com", TemporaryPassword=PASSWORD)

    with pytest.raises(UnauthorizedError) as unconfirmed:
        auth_sign_in(email="new@example.com", password=PASSWORD)
    with pytest.raises(UnauthorizedError) as challenged:  # NEW_PASSWORD_REQUIRED: no tokens in the answer
        auth_sign_in(email="admin-made@example.com", password=PASSWORD)

    assert raised(unconfirmed) == (401, "user_not_confirmed", "User not confirmed. Please check your email.")
    assert raised(challenged) == (401, "challenge_required", "Authentication failed")


@pytest.mark.parametrize(
    ("email", "password"), [(None, PASSWORD), (EMAIL, None), ("", PASSWORD), ([EMAIL], PASSWORD), (EMAIL, 123456)]
)
def test_sign_in_without_string_credentials_is_400_before_any_setting_is_read(pool, settings, email, password):
    settings.COGNITO_USER_POOL_ID = ""

    with pytest.raises(BadRequestError) as excinfo:
        auth_sign_in(email=email, password=password)

    assert raised(excinfo) == (400, "credentials_required", "Email and password are required")


def test_missing_pool_or_client_id_is_a_500_misconfiguration(pool, settings):
    settings.COGNITO_CLIENT_ID = ""
    with pytest.raises(ServiceMisconfiguredError) as no_client:
        auth_sign_in(email=EMAIL, password=PASSWORD)
    with pytest.raises(ServiceMisconfiguredError) as no_client_refresh:
        auth_refresh(refresh_token="r")
    settings.COGNITO_USER_POOL_ID = ""
    with pytest.raises(ServiceMisconfiguredError) as no_pool:
        auth_sign_in(email=EMAIL, password=PASSWORD)

    assert raised(no_client) == raised(no_client_refresh) == (500, "misconfigured", "Cognito client ID not configured")
    assert raised(no_pool) == (500, "misconfigured", "User pool ID not configured")


def test_other_cognito_errors_are_500_carrying_the_cognito_error_name(pool, settings):
    settings.COGNITO_CLIENT_ID = "unknown-client-id"

    with pytest.raises(CognitoFailure) as sign_in:
        auth_sign_in(email=EMAIL, password=PASSWORD)
    with pytest.raises(CognitoFailure) as refresh:
        auth_refresh(refresh_token="r")

    assert raised(sign_in) == (500, "cognito_error", "Sign in failed")
    assert raised(refresh) == (500, "cognito_error", "Token refresh failed")
    assert sign_in.value.extra == refresh.value.extra == {"name": "ResourceNotFoundException"}


def test_refresh_returns_new_tokens_with_the_same_refresh_token(pool):
    pool.confirmed_user(EMAIL)
    signed_in = pool.sign_in(EMAIL)

    tokens = auth_refresh(refresh_token=signed_in["RefreshToken"])

    assert tokens.refresh_token == signed_in["RefreshToken"]
    assert pool.idp.get_user(AccessToken=tokens.access_token)["Username"]
    assert tokens.id_token


def test_refresh_with_a_blank_or_unknown_token_is_400_or_401(pool):
    with pytest.raises(BadRequestError) as blank:
        auth_refresh(refresh_token="")
    with pytest.raises(BadRequestError) as not_a_string:
        auth_refresh(refresh_token={"token": "x"})
    with pytest.raises(UnauthorizedError) as unknown:
        auth_refresh(refresh_token="not-a-refresh-token")

    assert raised(blank) == raised(not_a_string) == (400, "refresh_token_required", "Refresh token is required")
    assert raised(unknown) == (401, "invalid_refresh_token", "Invalid or expired refresh token")


def test_sign_out_revokes_only_the_callers_tokens(pool):
    pool.confirmed_user("a@example.com")
    pool.confirmed_user("b@example.com")
    a, b = pool.sign_in("a@example.com"), pool.sign_in("b@example.com")

    signed_out = auth_sign_out(access_token=a["AccessToken"])

    assert signed_out is True
    with pytest.raises(pool.idp.exceptions.NotAuthorizedException):
        pool.idp.get_user(AccessToken=a["AccessToken"])
    with pytest.raises(UnauthorizedError):
        auth_refresh(refresh_token=a["RefreshToken"])
    assert pool.idp.get_user(AccessToken=b["AccessToken"])["Username"]


@pytest.mark.parametrize("access_token", [None, "", "junk"])
def test_sign_out_without_a_valid_token_is_false_not_an_error(pool, access_token):
    assert auth_sign_out(access_token=access_token) is False


def test_auto_confirm_confirms_only_when_enabled(pool, settings):
    pool.idp.sign_up(
        ClientId=pool.client_id,
        Username="new@example.com",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "new@example.com"}],
    )
    settings.AUTH_AUTO_CONFIRM_ENABLED = False
    with pytest.raises(NotFoundError) as disabled:
        auth_auto_confirm(email="new@example.com")
    status_while_disabled = pool.status("new@example.com")
    settings.AUTH_AUTO_CONFIRM_ENABLED = True

    auth_auto_confirm(email="new@example.com")

    assert raised(disabled) == (404, "not_found", "Not found.")
    assert status_while_disabled == "UNCONFIRMED"
    assert pool.status("new@example.com") == "CONFIRMED"


def test_auto_confirm_refusals(pool, settings):
    settings.AUTH_AUTO_CONFIRM_ENABLED = True

    with pytest.raises(BadRequestError) as missing:
        auth_auto_confirm(email=None)
    with pytest.raises(NotFoundError) as unknown:
        auth_auto_confirm(email="ghost@example.com")
    with pytest.raises(BadRequestError) as unfilterable:  # Cognito: InvalidParameterException
        auth_auto_confirm(email="4\u00b3\n\u00e2W\t\u000f@example.com")
    settings.COGNITO_USER_POOL_ID = "us-east-1_DoesNotExist"
    with pytest.raises(ApplicationError) as failed:
        auth_auto_confirm(email="ghost@example.com")

    assert raised(missing) == (400, "email_required", "Email is required")
    assert raised(unknown) == (404, "user_not_found", "User not found")
    assert raised(unfilterable)[:2] == (400, "invalid_email")
    assert raised(failed) == (500, "cognito_error", "Failed to auto-confirm user")


def test_auto_confirm_sends_an_escaped_filter_that_confirms_nobody_else(pool, settings):
    settings.AUTH_AUTO_CONFIRM_ENABLED = True
    pool.idp.sign_up(
        ClientId=pool.client_id,
        Username="x@example.com",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "x@example.com"}],
    )
    sent = []
    pool.idp.meta.events.register(  # the app's cached client: observe the ListUsers filter it sends
        "provide-client-params.cognito-idp.ListUsers", lambda params, **kw: sent.append(params["Filter"])
    )

    with pytest.raises(NotFoundError):
        auth_auto_confirm(email='x" or email ^= "\\')

    assert sent == ['email = "x\\" or email ^= \\"\\\\"']
    assert cognito_filter_value('a\\b"c') == 'a\\\\b\\"c'
    assert pool.status("x@example.com") == "UNCONFIRMED"


def test_cognito_unreachable_is_502_and_sign_out_still_answers(pool, settings, unreachable_cognito):
    settings.AUTH_AUTO_CONFIRM_ENABLED = True

    with pytest.raises(UpstreamError) as sign_in:
        auth_sign_in(email=EMAIL, password=PASSWORD)
    with pytest.raises(UpstreamError) as refresh:
        auth_refresh(refresh_token="r")
    with pytest.raises(UpstreamError) as confirm:
        auth_auto_confirm(email=EMAIL)
    signed_out = auth_sign_out(access_token="any")

    assert (
        raised(sign_in) == raised(refresh) == raised(confirm) == (502, "cognito_unreachable", "Cognito is unreachable")
    )
    assert signed_out is False
