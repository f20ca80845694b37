"""Verified tokens are remembered until their `exp`, per pool settings (vela.identity)."""

import jwt
import pytest

import vela.identity
from vela.errors import UnauthorizedError
from vela.identity import verify_token


@pytest.fixture
def decodes(monkeypatch):
    calls = []
    real = jwt.decode

    def spy(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(jwt, "decode", spy)  # vela.identity imports jwt where it verifies
    return calls


def test_same_token_is_verified_once(cognito, decodes):
    token = cognito.token("sub-1")

    first, second = verify_token(token), verify_token(token)

    assert first == second
    assert len(decodes) == 1


def test_token_past_exp_is_verified_again(cognito, decodes):
    token = cognito.token("sub-1", expires_in=-2)  # past exp, still inside the verifier's 5 s leeway

    verify_token(token)
    verify_token(token)

    assert len(decodes) == 2


def test_cache_does_not_outlive_a_settings_change(cognito, settings):
    token = cognito.token("sub-1")
    verify_token(token)

    settings.COGNITO_CLIENT_ID = "another-client"

    with pytest.raises(UnauthorizedError):
        verify_token(token)


def test_rejected_tokens_are_never_cached(cognito, decodes):
    token = cognito.token("sub-1", client_id="someone-else")

    for _ in range(2):
        with pytest.raises(UnauthorizedError):
            verify_token(token)

    assert len(decodes) == 2


def test_cache_is_bounded(cognito, monkeypatch):
    monkeypatch.setattr(vela.identity, "VERIFIED_CACHE_SIZE", 3)

    for i in range(5):
        verify_token(cognito.token(f"sub-{i}"))

    assert len(vela.identity._verified) == 3
