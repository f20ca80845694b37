import logging

import pytest
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from tests.cognito import new_key
from vela.errors import ForbiddenError, UnauthorizedError
from vela.identity import Identity, resolve_user_id, verify_token


def test_valid_id_token_gives_sub_and_email(cognito):
    identity = verify_token(cognito.token("sub-1", email="a@example.com"))

    assert (identity.sub, identity.token_use, identity.email) == ("sub-1", "id", "a@example.com")


def test_valid_access_token_is_accepted_via_client_id(cognito):
    identity = verify_token(cognito.token("sub-2", token_use="access"))

    assert (identity.sub, identity.token_use, identity.email) == ("sub-2", "access", None)


@pytest.mark.parametrize(
    "claims",
    [
        {"expires_in": -60},
        {"client_id": "someone-elses-client"},
        {"issuer": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other"},
        {"token_use": "refresh"},
        {"algorithm": "none"},
        {"key": new_key()},
        {"kid": "unknown-kid"},
    ],
    ids=["expired", "wrong-audience", "wrong-issuer", "wrong-token-use", "alg-none", "forged", "unknown-kid"],
)
def test_bad_tokens_are_rejected(cognito, claims):
    kid = claims.pop("kid", None)
    token = cognito.token("sub-1", **claims)
    if kid:
        import jwt

        token = jwt.encode(jwt.decode(token, options={"verify_signature": False}), new_key(), "RS256", {"kid": kid})

    with pytest.raises(UnauthorizedError) as excinfo:
        verify_token(token)

    assert excinfo.value.message == "Unauthorized: Invalid or expired token"


def test_access_token_with_wrong_client_id_is_rejected(cognito):
    with pytest.raises(UnauthorizedError):
        verify_token(cognito.token("sub-1", token_use="access", client_id="other"))


def test_garbage_token_is_rejected(cognito):
    with pytest.raises(UnauthorizedError):
        verify_token("not-a-jwt")


def test_unconfigured_pool_rejects_every_token(cognito, settings):
    token = cognito.token("sub-1")
    settings.COGNITO_CLIENT_ID = ""

    with pytest.raises(UnauthorizedError):
        verify_token(token)


def test_jwks_is_fetched_once_and_cached(cognito):
    before = cognito.jwks_fetches

    for sub in ("a", "b", "c"):
        verify_token(cognito.token(sub))

    assert cognito.jwks_fetches - before == 1


def _request(identity=None):
    request = Request(APIRequestFactory().get("/"))
    request.user = identity
    return request


def _identity(sub="sub-1"):
    return Identity(sub=sub, token_use="id", email=None, username=None, token="t")


def test_user_id_defaults_to_the_token_sub():
    assert resolve_user_id(_request(_identity("sub-9")), None) == "sub-9"


def test_user_id_naming_another_user_is_forbidden():
    with pytest.raises(ForbiddenError):
        resolve_user_id(_request(_identity("sub-9")), "someone-else")


def test_no_token_is_unauthorized_by_default():
    with pytest.raises(UnauthorizedError):
        resolve_user_id(_request(), "sub-9")


def test_migration_switch_trusts_user_id_and_warns(settings, caplog):
    settings.VELA_ALLOW_UNAUTHENTICATED_USER_ID = True

    with caplog.at_level(logging.WARNING, logger="vela.identity"):
        assert resolve_user_id(_request(), "legacy-user") == "legacy-user"

    assert "VELA_ALLOW_UNAUTHENTICATED_USER_ID" in caplog.text


def test_identity_repr_hides_the_token():
    assert "secret-token" not in repr(Identity("s", "id", None, None, "secret-token"))


# --- Both app clients (HEAD §3.1, CONTRACT §3a: COGNITO_MOBILE_CLIENT_ID) -------------------------
MOBILE_CLIENT = "velamobileclientid0987654321"


@pytest.mark.parametrize("token_use", ["id", "access"])
def test_tokens_of_the_mobile_client_are_accepted_when_configured(cognito, settings, token_use):
    settings.COGNITO_MOBILE_CLIENT_ID = MOBILE_CLIENT

    identity = verify_token(cognito.token("sub-m", token_use=token_use, client_id=MOBILE_CLIENT))

    assert (identity.sub, identity.token_use) == ("sub-m", token_use)


@pytest.mark.parametrize("token_use", ["id", "access"])
def test_web_client_tokens_still_work_next_to_the_mobile_client(cognito, settings, token_use):
    settings.COGNITO_MOBILE_CLIENT_ID = MOBILE_CLIENT

    assert verify_token(cognito.token("sub-w", token_use=token_use)).sub == "sub-w"


@pytest.mark.parametrize("token_use", ["id", "access"])
def test_mobile_tokens_are_rejected_without_the_setting(cognito, settings, token_use):
    settings.COGNITO_MOBILE_CLIENT_ID = ""

    with pytest.raises(UnauthorizedError):
        verify_token(cognito.token("sub-m", token_use=token_use, client_id=MOBILE_CLIENT))


def test_a_third_client_is_rejected_with_both_configured(cognito, settings):
    settings.COGNITO_MOBILE_CLIENT_ID = MOBILE_CLIENT

    with pytest.raises(UnauthorizedError):
        verify_token(cognito.token("sub-t", client_id="vela-test-client-e2e"))


def test_removing_the_mobile_client_is_not_hidden_by_the_verified_cache(cognito, settings):
    settings.COGNITO_MOBILE_CLIENT_ID = MOBILE_CLIENT
    token = cognito.token("sub-m", client_id=MOBILE_CLIENT)
    assert verify_token(token).sub == "sub-m"

    settings.COGNITO_MOBILE_CLIENT_ID = ""

    with pytest.raises(UnauthorizedError):
        verify_token(token)


def test_mobile_id_token_reaches_a_protected_route(client, dynamodb, cognito, settings):
    settings.COGNITO_MOBILE_CLIENT_ID = MOBILE_CLIENT
    token = cognito.token("sub-m", client_id=MOBILE_CLIENT)

    response = client.get("/api/profiles", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200
    assert response.json()["profile"]["user_id"] == "sub-m"
