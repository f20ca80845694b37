"""IAM auth tokens for DSQL, signed locally (SigV4 presign: no network call).

One boto3 `dsql` client per (region, profile) per process: building a session per connection
(as AWS's connector does) costs ~55 ms and a credential fetch each time; a reused client signs in
~0.1 ms and resolves credentials once.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol, cast

ADMIN_USER = "admin"


class TokenSigner(Protocol):
    # botocore adds these to the "dsql" client at runtime; the stubs don't list them.
    def generate_db_connect_auth_token(self, Hostname: str, Region: str, ExpiresIn: int) -> str: ...

    def generate_db_connect_admin_auth_token(self, Hostname: str, Region: str, ExpiresIn: int) -> str: ...


_signers: dict[tuple[str, str | None], TokenSigner] = {}
_lock = threading.Lock()


def get_signer(region: str, profile: str | None = None) -> TokenSigner:
    key = (region, profile)
    signer = _signers.get(key)
    if signer is None:
        with _lock:  # boto3 session/client creation is not thread-safe
            signer = _signers.get(key)
            if signer is None:
                import boto3

                session = boto3.session.Session(profile_name=profile) if profile else boto3.session.Session()
                signer = cast("TokenSigner", session.client("dsql", region_name=region))
                _signers[key] = signer
    return signer


def reset_signers() -> None:
    """Forget cached clients and tokens (tests that swap credentials)."""
    with _lock:
        _signers.clear()
    token_cache.clear()


def token_action(user: str) -> str:
    """The IAM action a token for `user` is signed for."""
    return "DbConnectAdmin" if user == ADMIN_USER else "DbConnect"


def generate_auth_token(
    *,
    host: str,
    region: str,
    user: str,
    expires_in: int = 900,
    signer: TokenSigner | None = None,
    profile: str | None = None,
) -> str:
    """Sign a token for `user`: `admin` gets `DbConnectAdmin`, any other role `DbConnect`."""
    signer = signer or get_signer(region, profile)
    if user == ADMIN_USER:
        return signer.generate_db_connect_admin_auth_token(Hostname=host, Region=region, ExpiresIn=expires_in)
    return signer.generate_db_connect_auth_token(Hostname=host, Region=region, ExpiresIn=expires_in)


class SecondTokenCache:
    """Reuse a token for the rest of the wall-clock second it was signed in.

    SigV4 is deterministic at one-second resolution: signing again within the same second, with
    the same host, region, action, expiry and credentials, yields byte-for-byte the same token. So
    returning the one already signed this second changes nothing a server can see, and it keeps
    bursts of connections (a pool filling up, a test suite) from paying ~0.1-0.3 ms each. Every
    connection opened in a later second gets a newly signed token.
    """

    def __init__(self) -> None:
        self._tokens: dict[tuple[str, str, str, int, str | None], tuple[int, str]] = {}

    def token(self, *, host: str, region: str, user: str, expires_in: int, profile: str | None = None) -> str:
        key = (host, region, user, expires_in, profile)
        second = int(time.time())
        cached = self._tokens.get(key)
        if cached is not None and cached[0] == second:
            return cached[1]
        token = generate_auth_token(host=host, region=region, user=user, expires_in=expires_in, profile=profile)
        self._tokens[key] = (second, token)
        return token

    def clear(self) -> None:
        self._tokens.clear()


token_cache = SecondTokenCache()
