"""A local stand-in for a Cognito user pool's token side: RSA keys, a JWKS served over real HTTP,
and a factory for ID/access tokens signed like Cognito's (RS256, `kid`, `token_use`, ...)."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

POOL_ID = "us-east-1_VelaTest1"
CLIENT_ID = "velatestclientid1234567890"
REGION = "us-east-1"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class FakeCognito:
    """Serves `/.well-known/jwks.json` for `keys` and mints tokens; counts JWKS fetches."""

    issuer: str = ""
    jwks_url: str = ""
    keys: dict[str, rsa.RSAPrivateKey] = field(default_factory=dict)
    jwks_fetches: int = 0

    def jwks(self) -> dict[str, Any]:
        entries = []
        for kid, key in self.keys.items():
            jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
            entries.append({**jwk, "kid": kid, "alg": "RS256", "use": "sig"})
        return {"keys": entries}

    def token(
        self,
        sub: str | None = None,
        *,
        token_use: str = "id",
        email: str | None = "learner@example.com",
        expires_in: int = 3600,
        issuer: str | None = None,
        client_id: str = CLIENT_ID,
        kid: str | None = None,
        key: rsa.RSAPrivateKey | None = None,
        algorithm: str = "RS256",
        **extra: Any,
    ) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "sub": sub or str(uuid.uuid4()),
            "iss": issuer or self.issuer,
            "iat": now,
            "auth_time": now,
            "exp": now + expires_in,
            "token_use": token_use,
            "jti": str(uuid.uuid4()),
        }
        if token_use == "id":
            claims |= {"aud": client_id, "cognito:username": claims["sub"]}
            if email is not None:
                claims["email"] = email
        else:
            claims |= {"client_id": client_id, "username": claims["sub"], "scope": "aws.cognito.signin.user.admin"}
        claims |= extra
        kid = kid or next(iter(self.keys))
        if algorithm == "none":
            return jwt.encode(claims, None, algorithm="none", headers={"kid": kid})
        return jwt.encode(claims, key or self.keys[kid], algorithm=algorithm, headers={"kid": kid})


def serve_jwks(cognito: FakeCognito) -> Iterator[FakeCognito]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.endswith("/.well-known/jwks.json"):
                cognito.jwks_fetches += 1
                body = json.dumps(cognito.jwks()).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            else:
                self.send_response(404)
                self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}/{POOL_ID}"
    cognito.issuer = f"https://cognito-idp.{REGION}.amazonaws.com/{POOL_ID}"
    cognito.jwks_url = f"{base}/.well-known/jwks.json"
    try:
        yield cognito
    finally:
        server.shutdown()
        server.server_close()
