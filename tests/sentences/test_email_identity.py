"""The saved-sentences identity is the caller's email (CONTRACT §2.1), incl. Cognito GetUser for access tokens.

Two layers, because moto signs its tokens with its own key for its own pool:
- `resolve_email`'s GetUser path runs against moto's cognito-idp with a real user created here.
- Over HTTP, the ID-token path is covered in test_views.py with local-JWKS tokens; for the
  access-token path here, the local JWKS server publishes *moto's* public key, so a token moto
  issued to a signed-in user passes our RS256/issuer/client checks and GetUser is answered by moto.
"""

from __future__ import annotations

import json

import jwt
import pytest
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from tests.cognito import FakeCognito, serve_jwks
from tests.sentences.conftest import URL
from vela.aws import client as aws_client
from vela.errors import UnauthorizedError
from vela.identity import Identity, reset_jwks_cache, resolve_email

PASSWORD = "Correct-horse-1"


@pytest.fixture
def pool(dynamodb):
    """A moto user pool and app client (moto is already running for this package)."""
    idp = aws_client("cognito-idp")
    pool_id = idp.create_user_pool(PoolName="vela-test", UsernameAttributes=["email"])["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="web", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )["UserPoolClient"]["ClientId"]
    return idp, pool_id, client_id


def sign_up(pool, email, attributes=None):
    """A confirmed user; returns (sub, access token) as Cognito's USER_PASSWORD_AUTH gives them."""
    idp, pool_id, client_id = pool
    attributes = [{"Name": "email", "Value": email}] if attributes is None else attributes
    user = idp.admin_create_user(UserPoolId=pool_id, Username=email, UserAttributes=attributes)["User"]
    idp.admin_set_user_password(UserPoolId=pool_id, Username=email, Password=PASSWORD, Permanent=True)
    tokens = idp.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD}
    )["AuthenticationResult"]
    sub = next(a["Value"] for a in user["Attributes"] if a["Name"] == "sub")
    return sub, tokens["AccessToken"]


def _request(identity):
    request = Request(APIRequestFactory().get("/"))
    request.user = identity
    return request


def test_access_token_email_comes_from_cognito_get_user(pool):
    sub, token = sign_up(pool, "learner@example.com")

    email = resolve_email(_request(Identity(sub=sub, token_use="access", email=None, username=sub, token=token)))

    assert email == "learner@example.com"


def test_access_token_cognito_does_not_know_is_401(pool):
    identity = Identity(sub="s", token_use="access", email=None, username="s", token="not-a-cognito-token")

    with pytest.raises(UnauthorizedError) as excinfo:
        resolve_email(_request(identity))

    assert excinfo.value.message == "Unauthorized"


def test_id_token_email_claim_needs_no_cognito_call(pool):
    identity = Identity(sub="s", token_use="id", email="claim@example.com", username="s", token="unused")

    assert resolve_email(_request(identity)) == "claim@example.com"


@pytest.fixture
def moto_keys(pool, settings):
    """Our JWKS endpoint publishes moto's signing key; settings name moto's pool and client."""
    from moto.utilities.utils import load_resource

    private_jwk = load_resource("cognitoidp/resources/jwks-private.json")
    key = jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(private_jwk))
    server = serve_jwks(FakeCognito(keys={private_jwk["kid"]: key}))
    jwks = next(server)
    _, pool_id, client_id = pool
    settings.COGNITO_USER_POOL_ID = pool_id
    settings.COGNITO_CLIENT_ID = client_id
    settings.COGNITO_ISSUER = f"https://cognito-idp.us-east-1.amazonaws.com/{pool_id}"
    settings.COGNITO_JWKS_URL = jwks.jwks_url
    reset_jwks_cache()
    yield pool
    reset_jwks_cache()
    server.close()


def test_http_with_a_cognito_access_token_stores_under_the_users_email(client, moto_keys):
    _, token = sign_up(moto_keys, "reader@example.com")
    headers = {"Authorization": f"Bearer {token}"}

    saved = client.post(URL, {"sentence": "猫が好きです。"}, format="json", headers=headers)
    listed = client.get(URL, headers=headers)

    assert saved.status_code == 200
    assert saved.json()["data"]["user_id"] == "reader@example.com"
    assert [s["sentence"] for s in listed.json()["data"]] == ["猫が好きです。"]


def test_http_access_token_of_a_signed_out_user_is_401(client, moto_keys):
    idp, pool_id, _ = moto_keys
    _, token = sign_up(moto_keys, "gone@example.com")
    idp.admin_user_global_sign_out(UserPoolId=pool_id, Username="gone@example.com")

    response = client.get(URL, headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 401


@pytest.mark.parametrize("claim", [None, 12345], ids=["missing", "not-a-string"])
def test_id_token_without_a_string_email_keys_by_sub(client, dynamodb, cognito, claim):
    """HEAD §3.3/§8.8: the email claim if it is a string, else `sub` (no 401 for a user without email)."""
    token = cognito.token("sub-no-mail", email=claim)
    headers = {"Authorization": f"Bearer {token}"}

    saved = client.post("/api/my-dictionaries", {"sentence": "猫"}, content_type="application/json", headers=headers)
    listed = client.get("/api/my-dictionaries", headers=headers)

    assert saved.status_code == 200
    assert saved.json()["data"]["user_id"] == "sub-no-mail"
    assert [s["sentence"] for s in listed.json()["data"]] == ["猫"]
