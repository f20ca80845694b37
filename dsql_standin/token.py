"""Offline validation of Aurora DSQL IAM authentication tokens.

A DSQL token is a SigV4 *presigned URL* without its scheme::

    <host>/?Action=DbConnect&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=<AKID>/<date>/<region>/dsql/aws4_request
        &X-Amz-Date=<yyyymmddThhmmssZ>&X-Amz-Expires=<seconds>&X-Amz-SignedHeaders=host[&X-Amz-Security-Token=...]
        &X-Amz-Signature=<hex>

The canonical request is ``GET``, ``/``, the sorted canonical query string without the signature,
``host:<host>``, signed headers ``host`` and the SHA-256 of the empty payload. Validation needs only the
secret key of the access key id named in the credential scope, so it runs offline with stdlib ``hmac``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, unquote

__all__ = ["ACTION_CONNECT", "ACTION_CONNECT_ADMIN", "ADMIN_USER", "TokenClaims", "TokenError", "validate_token"]

ADMIN_USER = "admin"
ACTION_CONNECT = "DbConnect"
ACTION_CONNECT_ADMIN = "DbConnectAdmin"
ALGORITHM = "AWS4-HMAC-SHA256"
SERVICE = "dsql"
EMPTY_PAYLOAD_SHA256 = hashlib.sha256(b"").hexdigest()
MAX_EXPIRES_SECONDS = 604_800  # one week, the SigV4 presign maximum
ACCESS_DENIED = "unable to accept connection, access denied"


class TokenError(Exception):
    """A token failed validation.

    ``check`` names the failed check (stable, for logs and tests); ``message`` is the client-facing text;
    ``sqlstate`` is what the stand-in reports (``28P01`` invalid password, ``28000`` invalid authorization).
    Neither ever contains the token or its signature.
    """

    def __init__(self, check: str, message: str, sqlstate: str = "28P01") -> None:
        super().__init__(message)
        self.check = check
        self.message = message
        self.sqlstate = sqlstate


@dataclass(frozen=True)
class TokenClaims:
    """What a valid token asserts (safe to log)."""

    hostname: str
    action: str
    access_key_id: str
    region: str
    signed_at: datetime
    expires_at: datetime
    has_session_token: bool


def _uri_encode(value: str) -> str:
    return quote(value, safe="-_.~")


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def signing_key(secret_key: str, date: str, region: str, service: str = SERVICE) -> bytes:
    """Derive the SigV4 signing key for ``date`` (yyyymmdd), ``region`` and ``service``."""
    k_date = _hmac(("AWS4" + secret_key).encode("utf-8"), date)
    return _hmac(_hmac(_hmac(k_date, region), service), "aws4_request")


def _parse_query(query: str) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for part in query.split("&"):
        if not part:
            continue
        key, sep, value = part.partition("=")
        if not sep:
            raise TokenError("malformed", f"{ACCESS_DENIED}: malformed token (query parameter without value)")
        pairs.append((unquote(key), unquote(value)))
    return pairs


def _deny(check: str, reason: str, sqlstate: str = "28P01") -> TokenError:
    return TokenError(check, f"{ACCESS_DENIED}: {reason}", sqlstate)


_REQUIRED = (
    "Action",
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-SignedHeaders",
    "X-Amz-Signature",
)
_DATE_FORMAT = "%Y%m%dT%H%M%SZ"


@dataclass(frozen=True)
class _Parsed:
    host: str
    pairs: list[tuple[str, str]]
    params: dict[str, str]
    scope: list[str]  # access key id, date, region, service, "aws4_request"


def _parse(token: str) -> _Parsed:
    """Split the token into host and query parameters; check the fixed parts of the format."""
    host, sep, query = token.partition("/?")
    if not sep or not host or not query:
        raise _deny("malformed", "malformed token (expected '<hostname>/?Action=...')")
    pairs = _parse_query(query)
    params: dict[str, str] = {}
    for key, value in pairs:
        if key in params:
            raise _deny("malformed", f"malformed token (duplicate parameter {key})")
        params[key] = value
    missing = [name for name in _REQUIRED if not params.get(name)]
    if missing:
        raise _deny("malformed", f"malformed token (missing {', '.join(missing)})")
    if params["X-Amz-Algorithm"] != ALGORITHM:
        raise _deny("algorithm", f"unsupported signing algorithm {params['X-Amz-Algorithm']!r}")
    if params["X-Amz-SignedHeaders"].lower() != "host":
        raise _deny("signed_headers", "token must sign exactly the 'host' header")
    scope = params["X-Amz-Credential"].split("/")
    if len(scope) != 5 or scope[4] != "aws4_request":
        raise _deny("credential", "malformed credential scope")
    return _Parsed(host, pairs, params, scope)


def _check_target(parsed: _Parsed, *, user: str, hostname: str, region: str) -> None:
    """Service, region, host and action must be this cluster's and fit the role."""
    _, _, scope_region, scope_service, _ = parsed.scope
    if scope_service != SERVICE:
        raise _deny("service", f"credential scope is for service {scope_service!r}, expected {SERVICE!r}")
    if scope_region != region:
        raise _deny("region", f"token was signed for region {scope_region!r}, this cluster is in {region!r}")
    if parsed.host.lower() != hostname.lower():
        raise _deny("hostname", f"token was generated for host {parsed.host!r}, not for this cluster ({hostname!r})")
    action = parsed.params["Action"]
    if action not in (ACTION_CONNECT, ACTION_CONNECT_ADMIN):
        raise _deny("action", f"unknown action {action!r}")
    if user == ADMIN_USER and action != ACTION_CONNECT_ADMIN:
        raise _deny("action", f"role 'admin' requires a {ACTION_CONNECT_ADMIN} token (got {action})")
    if user != ADMIN_USER and action != ACTION_CONNECT:
        raise _deny(
            "action",
            f"role {user!r} requires a {ACTION_CONNECT} token (got {action}); "
            f"{ACTION_CONNECT_ADMIN} tokens are only for role 'admin'",
        )


def _validity(parsed: _Parsed) -> tuple[datetime, int]:
    """(signed at, expires in seconds), checked for format and range."""
    amz_date = parsed.params["X-Amz-Date"]
    try:
        signed_at = datetime.strptime(amz_date, _DATE_FORMAT).replace(tzinfo=UTC)
        expires_in = int(parsed.params["X-Amz-Expires"])
    except ValueError:
        raise _deny("malformed", "malformed X-Amz-Date or X-Amz-Expires") from None
    if amz_date[:8] != parsed.scope[1]:
        raise _deny("credential", "credential scope date does not match X-Amz-Date")
    if not 0 < expires_in <= MAX_EXPIRES_SECONDS:
        raise _deny("expires", f"X-Amz-Expires must be between 1 and {MAX_EXPIRES_SECONDS} seconds")
    return signed_at, expires_in


def _check_signature(parsed: _Parsed, secret: str) -> None:
    """Recompute the SigV4 signature of the presigned URL with ``secret``."""
    canonical_query = "&".join(
        f"{_uri_encode(k)}={_uri_encode(v)}" for k, v in sorted(parsed.pairs) if k != "X-Amz-Signature"
    )
    # botocore lower-cases the host when it builds the canonical headers
    canonical_headers = f"host:{parsed.host.lower()}\n"
    canonical_request = f"GET\n/\n{canonical_query}\n{canonical_headers}\nhost\n{EMPTY_PAYLOAD_SHA256}"
    string_to_sign = "\n".join(
        [
            ALGORITHM,
            parsed.params["X-Amz-Date"],
            "/".join(parsed.scope[1:]),
            hashlib.sha256(canonical_request.encode()).hexdigest(),
        ]
    )
    key = signing_key(secret, parsed.scope[1], parsed.scope[2])
    expected = hmac.new(key, string_to_sign.encode(), hashlib.sha256)
    if not hmac.compare_digest(expected.hexdigest(), parsed.params["X-Amz-Signature"].lower()):
        raise _deny("signature", "the token signature does not match (wrong secret key or tampered token)")


def _check_time(amz_date: str, signed_at: datetime, expires_in: int, now: datetime, clock_skew: timedelta) -> datetime:
    expires_at = signed_at + timedelta(seconds=expires_in)
    if now >= expires_at:
        raise _deny(
            "expired",
            f"Signature expired: {now.strftime(_DATE_FORMAT)} is now later than "
            f"{expires_at.strftime(_DATE_FORMAT)} ({amz_date} + {expires_in} sec)",
        )
    if signed_at > now + clock_skew:
        raise _deny(
            "not_yet_valid",
            f"Signature not yet current: {amz_date} is still later than "
            f"{(now + clock_skew).strftime(_DATE_FORMAT)} "
            f"({now.strftime(_DATE_FORMAT)} + clock skew)",
        )
    return expires_at


def validate_token(
    token: str,
    *,
    user: str,
    hostname: str,
    region: str,
    credentials: Mapping[str, str],
    now: datetime | None = None,
    clock_skew: timedelta = timedelta(minutes=5),
    allowed_roles: Collection[str] | None = None,
) -> TokenClaims:
    """Validate ``token`` presented by ``user`` for the cluster ``hostname`` in ``region``.

    ``credentials`` maps access key ids to secret keys (the IAM principals allowed to connect).
    ``allowed_roles``, when given, lists the non-admin database roles that exist. Raises
    :class:`TokenError` naming the failed check; returns the claims otherwise.
    """
    now = now or datetime.now(UTC)
    parsed = _parse(token)
    _check_target(parsed, user=user, hostname=hostname, region=region)
    access_key_id = parsed.scope[0]
    secret = credentials.get(access_key_id)
    if secret is None:
        raise _deny("access_key", f"the access key id {access_key_id!r} is not allowed to connect to this cluster")
    signed_at, expires_in = _validity(parsed)
    _check_signature(parsed, secret)
    expires_at = _check_time(parsed.params["X-Amz-Date"], signed_at, expires_in, now, clock_skew)
    if user != ADMIN_USER and allowed_roles is not None and user not in allowed_roles:
        raise TokenError("role", f'role "{user}" does not exist', "28000")
    return TokenClaims(
        hostname=parsed.host,
        action=parsed.params["Action"],
        access_key_id=access_key_id,
        region=parsed.scope[2],
        signed_at=signed_at,
        expires_at=expires_at,
        has_session_token="X-Amz-Security-Token" in parsed.params,
    )
