"""Who is calling: Cognito JWTs verified locally (CONTRACT §2.1).

RS256 against the pool's JWKS (fetched once, cached by PyJWT's PyJWKClient), issuer, expiry,
`token_use` in {id, access}; ID tokens must carry `aud`, access tokens `client_id`, equal to one of the
app clients: the web client (COGNITO_CLIENT_ID) or the mobile client (COGNITO_MOBILE_CLIENT_ID, HEAD §3.1).

Every DRF view imports this module (DEFAULT_AUTHENTICATION_CLASSES), so PyJWT and its crypto
(cryptography.x509, ~6% of a Lambda cold start here) are imported by the first token check instead.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from vela.errors import ForbiddenError, UnauthorizedError, UpstreamError

if TYPE_CHECKING:
    import jwt

logger = logging.getLogger("vela.identity")

MISSING_HEADER = "Unauthorized: Missing or invalid Authorization header"
INVALID_TOKEN = "Unauthorized: Invalid or expired token"
BEARER = "Bearer "
JWKS_TIMEOUT = 5
LEEWAY_SECONDS = 5


@dataclass(frozen=True, slots=True)
class Identity:
    """A verified caller. `token` is kept only to call Cognito on the caller's behalf; never log it."""

    sub: str
    token_use: str
    email: str | None
    username: str | None
    token: str

    is_authenticated = True

    def __repr__(self) -> str:  # keep the token out of any repr that reaches a log
        return f"Identity(sub={self.sub!r}, token_use={self.token_use!r})"


_jwks_clients: dict[str, jwt.PyJWKClient] = {}
_jwks_lock = threading.Lock()


def jwks_client(url: str) -> jwt.PyJWKClient:
    found = _jwks_clients.get(url)
    if found is None:
        import jwt

        with _jwks_lock:
            found = _jwks_clients.setdefault(
                url, jwt.PyJWKClient(url, cache_keys=True, lifespan=3600, timeout=JWKS_TIMEOUT)
            )
    return found


# Verified tokens, until their `exp`: the web app sends the same token for up to an hour, and
# re-verifying costs more CPU than the rest of a request (PyJWT checks base64 per character).
# Keyed by the token and the pool settings; bounded; never logged.
_verified: OrderedDict[tuple[str, ...], tuple[Identity, float]] = OrderedDict()
VERIFIED_CACHE_SIZE = 4096


def reset_jwks_cache() -> None:
    with _jwks_lock:
        _jwks_clients.clear()
        _verified.clear()


def _unverified_kid(token: str) -> str:
    """The `kid` of the token's header, read once (jwt.decode validates the whole token afterwards)."""
    import jwt

    try:
        segment = token.split(".", 1)[0]
        header = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, TypeError) as exc:
        raise jwt.DecodeError("Invalid header") from exc
    kid = header.get("kid") if isinstance(header, dict) else None
    if not isinstance(kid, str):
        raise jwt.DecodeError("Token header has no kid")
    return kid


def verify_token(token: str) -> Identity:
    """Verify a Cognito ID or access token; raise UnauthorizedError (never echoing the token)."""
    key = (token, settings.COGNITO_JWKS_URL, settings.COGNITO_ISSUER, *app_client_ids())
    cached = _verified.get(key)
    if cached is not None and time.time() < cached[1]:
        return cached[0]
    identity, expires_at = _verify_token(token)
    with _jwks_lock:
        _verified[key] = (identity, expires_at)
        while len(_verified) > VERIFIED_CACHE_SIZE:
            _verified.popitem(last=False)
    return identity


def app_client_ids() -> tuple[str, ...]:
    """The app clients whose tokens are accepted: web, then mobile (when configured)."""
    return tuple(c for c in (settings.COGNITO_CLIENT_ID, settings.COGNITO_MOBILE_CLIENT_ID) if c)


def _verify_token(token: str) -> tuple[Identity, float]:
    if not (settings.COGNITO_JWKS_URL and settings.COGNITO_ISSUER and settings.COGNITO_CLIENT_ID):
        logger.warning("Rejecting bearer token: Cognito pool/client not configured")
        raise UnauthorizedError(INVALID_TOKEN, code="invalid_token")
    import jwt

    try:
        signing_key = jwks_client(settings.COGNITO_JWKS_URL).get_signing_key(_unverified_kid(token))
        claims: dict[str, Any] = jwt.decode(
            token,
            signing_key.key,
            algorithms=["RS256"],
            issuer=settings.COGNITO_ISSUER,
            leeway=LEEWAY_SECONDS,
            options={"require": ["exp", "iat", "iss", "sub", "token_use"], "verify_aud": False},
        )
    except jwt.PyJWKClientConnectionError as exc:
        logger.error("Cannot fetch Cognito JWKS from %s: %s", settings.COGNITO_JWKS_URL, exc.__class__.__name__)
        raise UpstreamError(
            "Cannot verify token: identity provider keys unavailable.", code="jwks_unavailable"
        ) from exc
    except (jwt.PyJWTError, ValueError) as exc:
        logger.info("Rejected bearer token: %s", exc.__class__.__name__)
        raise UnauthorizedError(INVALID_TOKEN, code="invalid_token") from exc

    token_use = claims.get("token_use")
    clients = app_client_ids()
    if token_use == "id":
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        valid_client = any(isinstance(a, str) and a in clients for a in audiences)
    elif token_use == "access":
        valid_client = claims.get("client_id") in clients
    else:
        valid_client = False
    if not valid_client:
        logger.info("Rejected bearer token: wrong token_use or client (token_use=%r)", token_use)
        raise UnauthorizedError(INVALID_TOKEN, code="invalid_token")
    identity = Identity(
        sub=str(claims["sub"]),
        token_use=str(token_use),
        # HEAD §3.3: the claim only when it is a string (a numeric or missing claim is no email).
        email=email if token_use == "id" and isinstance(email := claims.get("email"), str) and email else None,
        username=claims.get("cognito:username") or claims.get("username"),
        token=token,
    )
    return identity, float(claims["exp"])


def bearer_token(request: Request) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header:
        return None
    if not header.startswith(BEARER):
        raise UnauthorizedError(MISSING_HEADER, code="missing_token")
    return header[len(BEARER) :]


class CognitoAuthentication(BaseAuthentication):
    """DRF authentication: a present but bad token is a 401; no header leaves the request anonymous."""

    def authenticate(self, request: Request) -> tuple[Identity, str] | None:
        token = bearer_token(request)
        if token is None:
            return None
        identity = verify_token(token)
        return identity, token

    def authenticate_header(self, request: Request) -> str:
        return "Bearer"


def current_identity(request: Request) -> Identity:
    """The verified caller, or a 401 with the original API's message."""
    identity = request.user
    if not isinstance(identity, Identity):
        raise UnauthorizedError(MISSING_HEADER, code="missing_token")
    return identity


USER_MISMATCH = "Forbidden: user_id does not match the authenticated user"


def resolve_user_id(request: Request, supplied: str | None, *, forbidden: str = USER_MISMATCH) -> str:
    """CONTRACT §2.1: a supplied `user_id` must equal the token's `sub`; absent, the `sub` is used.

    With VELA_ALLOW_UNAUTHENTICATED_USER_ID (migration window) a request without a token may still
    name its `user_id`; each such request logs a warning. `forbidden` is the route's 403 message
    (HEAD §3.4 words it per route).
    """
    identity = request.user
    if isinstance(identity, Identity):
        if supplied and supplied != identity.sub:
            raise ForbiddenError(forbidden, code="user_mismatch")
        return identity.sub
    if supplied and settings.VELA_ALLOW_UNAUTHENTICATED_USER_ID:
        logger.warning(
            "Unauthenticated request trusted for user_id=%r on %s %s (VELA_ALLOW_UNAUTHENTICATED_USER_ID)",
            supplied,
            request.method,
            request.path,
        )
        return supplied
    raise UnauthorizedError(MISSING_HEADER, code="missing_token")


def migration_anonymous(request: Request) -> bool:
    """A request without a token let through by VELA_ALLOW_UNAUTHENTICATED_USER_ID (migration window)."""
    return not isinstance(request.user, Identity) and bool(settings.VELA_ALLOW_UNAUTHENTICATED_USER_ID)


def resolve_email(request: Request) -> str:
    """The saved-sentences key: the ID token's email claim, Cognito GetUser's email for an access token,
    else the token's `sub` (HEAD §3.3: a user without an email still has a key; a sub never looks
    like an email, so it cannot reach anyone's legacy email-keyed rows)."""
    identity = current_identity(request)
    return caller_email(identity) or identity.sub


def caller_email(identity: Identity) -> str | None:
    """The caller's email: the ID token's claim, or Cognito GetUser for an access token; None if it has none."""
    if identity.email:
        return identity.email
    if identity.token_use == "access":
        from botocore.exceptions import BotoCoreError, ClientError

        from vela.aws import client, client_error_code, unreachable

        try:
            response = client("cognito-idp").get_user(AccessToken=identity.token)
        except ClientError as exc:
            code = client_error_code(exc)
            if code in {"NotAuthorizedException", "UserNotFoundException"}:
                raise UnauthorizedError("Unauthorized", code="invalid_token") from exc
            raise UpstreamError(f"Cognito GetUser failed: {code}", code="cognito_error") from exc
        except BotoCoreError as exc:
            raise unreachable(exc, "Cognito GetUser", "cognito") from exc
        for attribute in response.get("UserAttributes", []):
            if attribute.get("Name") == "email" and attribute.get("Value"):
                return str(attribute["Value"])
    return None
