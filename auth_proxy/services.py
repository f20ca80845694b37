"""A thin Cognito proxy (reference §5.9): the original's status codes and messages, made safe.

Differences kept deliberate (README): sign-out performs a real global sign-out with the caller's
access token (`GlobalSignOut`, no admin permission needed); auto-confirm exists only when
AUTH_AUTO_CONFIRM_ENABLED; ListUsers filter values are escaped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings

from vela.aws import client, client_error_code
from vela.errors import ApplicationError, BadRequestError, NotFoundError, ServiceMisconfiguredError, UnauthorizedError

logger = logging.getLogger("vela.auth")


class CognitoFailure(ApplicationError):
    """500 with the original's extra `name` (the Cognito error code)."""

    def __init__(self, message: str, *, name: str) -> None:
        super().__init__(message, code="cognito_error")
        self.extra = {"name": name}


class SessionCheckFailed(ApplicationError):
    def __init__(self) -> None:
        super().__init__("Session check failed", code="cognito_error")
        self.extra = {"authenticated": False, "message": "Session check failed"}


@dataclass(frozen=True, slots=True)
class Tokens:
    access_token: str
    id_token: str
    refresh_token: str

    def __repr__(self) -> str:
        return "Tokens(...)"


@dataclass(frozen=True, slots=True)
class SessionUser:
    username: str
    email: str | None
    email_verified: bool


def _cognito() -> Any:
    return client("cognito-idp")


def _error_code(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        return client_error_code(exc) or "ClientError"
    return exc.__class__.__name__


def _require_pool() -> str:
    if not settings.COGNITO_USER_POOL_ID:
        raise ServiceMisconfiguredError("User pool ID not configured")
    return str(settings.COGNITO_USER_POOL_ID)


def _require_client() -> str:
    if not settings.COGNITO_CLIENT_ID:
        raise ServiceMisconfiguredError("Cognito client ID not configured")
    return str(settings.COGNITO_CLIENT_ID)


def _text(value: Any) -> str | None:
    """The original checked truthiness only; anything but a non-empty string counts as missing here."""
    return value if isinstance(value, str) and value else None


def auth_sign_in(*, email: Any, password: Any) -> Tokens:
    email, password = _text(email), _text(password)
    if not email or not password:
        raise BadRequestError("Email and password are required", code="credentials_required")
    _require_pool()
    client_id = _require_client()
    try:
        answer = _cognito().initiate_auth(
            AuthFlow="USER_PASSWORD_AUTH",
            ClientId=client_id,
            AuthParameters={"USERNAME": email, "PASSWORD": password},
        )
    except (ClientError, BotoCoreError) as exc:
        code = _error_code(exc)
        if code == "NotAuthorizedException":
            raise UnauthorizedError("Invalid email or password", code="invalid_credentials") from exc
        if code == "UserNotConfirmedException":
            raise UnauthorizedError("User not confirmed. Please check your email.", code="user_not_confirmed") from exc
        logger.warning("Cognito sign-in failed: %s", code)
        raise CognitoFailure("Sign in failed", name=code) from exc
    result = answer.get("AuthenticationResult")
    if not result:  # a challenge (NEW_PASSWORD_REQUIRED, MFA...) the web app does not handle
        raise UnauthorizedError("Authentication failed", code="challenge_required")
    return Tokens(
        access_token=result.get("AccessToken", ""),
        id_token=result.get("IdToken", ""),
        refresh_token=result.get("RefreshToken", ""),
    )


def auth_refresh(*, refresh_token: Any) -> Tokens:
    token = _text(refresh_token)
    if not token:
        raise BadRequestError("Refresh token is required", code="refresh_token_required")
    client_id = _require_client()
    try:
        answer = _cognito().initiate_auth(
            AuthFlow="REFRESH_TOKEN_AUTH", ClientId=client_id, AuthParameters={"REFRESH_TOKEN": token}
        )
    except (ClientError, BotoCoreError) as exc:
        code = _error_code(exc)
        if code == "NotAuthorizedException":
            raise UnauthorizedError("Invalid or expired refresh token", code="invalid_refresh_token") from exc
        logger.warning("Cognito token refresh failed: %s", code)
        raise CognitoFailure("Token refresh failed", name=code) from exc
    result = answer.get("AuthenticationResult")
    if not result:
        raise UnauthorizedError("Token refresh failed", code="refresh_failed")
    return Tokens(access_token=result.get("AccessToken", ""), id_token=result.get("IdToken", ""), refresh_token=token)


def auth_sign_out(*, access_token: str | None) -> bool:
    """Always succeeds for the caller; revokes every token of the user when the access token is valid."""
    if not access_token:
        return False
    try:
        _cognito().global_sign_out(AccessToken=access_token)
    except (ClientError, BotoCoreError) as exc:
        logger.info("Global sign-out not performed: %s", _error_code(exc))
        return False
    return True


def auth_session(*, access_token: str | None) -> SessionUser | None:
    """The signed-in user, None for no/invalid token; SessionCheckFailed (500) when Cognito fails."""
    if not access_token:
        return None
    try:
        answer = _cognito().get_user(AccessToken=access_token)
    except (ClientError, BotoCoreError) as exc:
        code = _error_code(exc)
        if code in {"NotAuthorizedException", "InvalidParameterException"}:
            return None
        logger.warning("Cognito session check failed: %s", code)
        raise SessionCheckFailed() from exc
    attributes = {a.get("Name"): a.get("Value") for a in answer.get("UserAttributes", [])}
    return SessionUser(
        username=answer.get("Username", ""),
        email=attributes.get("email"),
        email_verified=attributes.get("email_verified") == "true",
    )


def cognito_filter_value(value: str) -> str:
    """Cognito ListUsers filter strings: backslashes and double quotes must be escaped."""
    return value.replace("\\", "\\\\").replace('"', '\\"')


def auth_auto_confirm_check_enabled() -> None:
    """Off (the default) the route answers like an unknown path (CONTRACT §2.8)."""
    if not settings.AUTH_AUTO_CONFIRM_ENABLED:
        raise NotFoundError("Not found.", code="not_found")


def auth_auto_confirm(*, email: Any) -> None:
    auth_auto_confirm_check_enabled()
    address = _text(email)
    if not address:
        raise BadRequestError("Email is required", code="email_required")
    pool_id = _require_pool()
    try:
        users = (
            _cognito()
            .list_users(UserPoolId=pool_id, Filter=f'email = "{cognito_filter_value(address)}"', Limit=2)
            .get("Users", [])
        )
        if not users:
            raise NotFoundError("User not found", code="user_not_found")
        username = users[0].get("Username")
        if not username:
            raise ApplicationError("User username not found", code="cognito_error")
        _cognito().admin_confirm_sign_up(UserPoolId=pool_id, Username=username)
    except (ClientError, BotoCoreError) as exc:
        logger.warning("Auto-confirm failed: %s", _error_code(exc))
        raise ApplicationError("Failed to auto-confirm user", code="cognito_error") from exc
