import socket
from urllib.parse import parse_qs, urlsplit

import pytest

from dsql_backend import auth

HOST = "vela0test0cluster0id0abcd.dsql.us-east-1.on.aws"


def _query(token: str) -> dict[str, str]:
    parts = urlsplit(f"https://{token}")
    assert parts.hostname == HOST
    return {key: values[0] for key, values in parse_qs(parts.query).items()}


@pytest.mark.parametrize(("user", "action"), [("admin", "DbConnectAdmin"), ("vela_app", "DbConnect")])
def test_token_action_follows_the_user(user, action):
    token = auth.generate_auth_token(host=HOST, region="us-east-1", user=user, expires_in=600)

    query = _query(token)
    assert query["Action"] == action
    assert query["X-Amz-Expires"] == "600"
    assert query["X-Amz-Credential"].endswith("/us-east-1/dsql/aws4_request")
    assert len(query["X-Amz-Signature"]) == 64


def test_signing_is_local_and_reuses_one_client(monkeypatch):
    auth.reset_signers()
    auth.generate_auth_token(host=HOST, region="us-east-1", user="admin")  # warm: client built once
    signer = auth.get_signer("us-east-1")

    def no_network(*args, **kwargs):
        raise AssertionError("token signing must not touch the network")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    tokens = {auth.generate_auth_token(host=HOST, region="us-east-1", user="vela_app") for _ in range(3)}

    assert auth.get_signer("us-east-1") is signer
    assert all(_query(t)["Action"] == "DbConnect" for t in tokens)


def test_signer_is_injectable():
    class FakeSigner:
        def generate_db_connect_auth_token(self, Hostname, Region, ExpiresIn):
            return f"user:{Hostname}:{Region}:{ExpiresIn}"

        def generate_db_connect_admin_auth_token(self, Hostname, Region, ExpiresIn):
            return f"admin:{Hostname}:{Region}:{ExpiresIn}"

    token = auth.generate_auth_token(host="h", region="r", user="admin", expires_in=5, signer=FakeSigner())

    assert token == "admin:h:r:5"


def _same_second_pair(sign, sign_again=None):
    """Two tokens signed within one wall-clock second (retry if a second boundary intervenes)."""
    import time

    for _ in range(5):
        second = int(time.time())
        first, again = sign(), (sign_again or sign)()
        if int(time.time()) == second:
            return first, again
    raise AssertionError("could not sign twice within one second")


def test_sigv4_tokens_are_deterministic_within_a_second():
    first, again = _same_second_pair(lambda: auth.generate_auth_token(host=HOST, region="us-east-1", user="admin"))

    assert first == again  # the premise of SecondTokenCache: reuse within the second changes nothing


def test_second_cache_returns_the_token_signing_would_give_and_renews_next_second():
    import time

    cache = auth.SecondTokenCache()
    cached, direct = _same_second_pair(
        lambda: cache.token(host=HOST, region="us-east-1", user="vela_app", expires_in=900),
        lambda: auth.generate_auth_token(host=HOST, region="us-east-1", user="vela_app", expires_in=900),
    )
    assert cached == direct

    time.sleep(1.05)
    later = cache.token(host=HOST, region="us-east-1", user="vela_app", expires_in=900)

    assert later != cached
    assert _query(later)["Action"] == "DbConnect"
