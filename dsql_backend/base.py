"""The `dsql` DatabaseWrapper: Django's PostgreSQL backend plus per-connection IAM tokens.

`vendor` stays "postgresql" on purpose: DSQL speaks PostgreSQL's SQL, and Django picks the
PostgreSQL SQL of expressions (JSON key lookups, casts...) by vendor. AWS's adapter sets
vendor="dsql" and silently loses those `as_postgresql` compilations.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.backends.postgresql import base as postgresql

from .auth import generate_auth_token, token_action, token_cache
from .endpoint import resolve_endpoint
from .features import DatabaseFeatures

logger = logging.getLogger("dsql_backend")

# DSQL closes every connection after 60 minutes; recycle well before that.
DSQL_CONNECTION_CAP = 3600
DEFAULT_MAX_CONNECTION_AGE = 3300
# SQLSTATEs of authentication failures (invalid_authorization_specification, invalid_password).
_AUTH_SQLSTATES = {"28000", "28P01"}


class DatabaseWrapper(postgresql.DatabaseWrapper):
    display_name = "Aurora DSQL"
    features_class = DatabaseFeatures

    def __init__(self, settings_dict: dict[str, Any], alias: str = "default") -> None:
        super().__init__(settings_dict, alias)
        self.max_connection_age = float(settings_dict.get("MAX_CONNECTION_AGE", DEFAULT_MAX_CONNECTION_AGE))
        if not 0 < self.max_connection_age < DSQL_CONNECTION_CAP:
            raise ImproperlyConfigured(
                f"DATABASES[{alias!r}]['MAX_CONNECTION_AGE'] must be between 0 and {DSQL_CONNECTION_CAP} seconds "
                "(DSQL closes connections after 60 minutes)."
            )
        conn_max_age = settings_dict.get("CONN_MAX_AGE", 0)
        if conn_max_age is None or conn_max_age > self.max_connection_age:
            raise ImproperlyConfigured(
                f"DATABASES[{alias!r}]['CONN_MAX_AGE'] = {conn_max_age!r} would keep connections past DSQL's "
                f"60-minute cap; use a value of at most {int(self.max_connection_age)} seconds (0 closes "
                "connections at the end of each request)."
            )
        self.connection_born_at: float | None = None

    # --- connecting ----------------------------------------------------------------------
    def get_connection_params(self) -> dict[str, Any]:
        params = super().get_connection_params()
        endpoint = resolve_endpoint(self.settings_dict["HOST"], self.settings_dict.get("REGION"))
        user = params.get("user") or "admin"
        params["host"] = endpoint.hostname
        params["user"] = user
        # Tokens expire, so every new connection gets its own (signed locally), never one from settings.
        sign = token_cache.token if self.settings_dict.get("REUSE_TOKEN_WITHIN_SECOND", True) else generate_auth_token
        params["password"] = sign(
            host=endpoint.hostname,
            region=endpoint.region,
            user=user,
            expires_in=int(self.settings_dict.get("TOKEN_EXPIRES_IN", 900)),
            profile=self.settings_dict.get("AWS_PROFILE") or None,
        )
        params.setdefault("sslmode", "verify-full")
        if params["sslmode"] == "verify-full":
            # libpq >= 16 understands "system": the OS trust store, which holds Amazon's root CAs.
            params.setdefault("sslrootcert", "system")
        params.setdefault("connect_timeout", 5)
        return params

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        try:
            connection = super().get_new_connection(conn_params)
        except self.Database.OperationalError as exc:
            raise self._explain_connect_error(exc, conn_params) from exc
        self.connection_born_at = time.monotonic()
        return connection

    def _explain_connect_error(self, exc: Exception, params: dict[str, Any]) -> Exception:
        sqlstate = getattr(exc, "sqlstate", None)
        text = str(exc)
        lowered = text.lower()
        user = params.get("user", "admin")
        host = params.get("host")
        role_missing = f'role "{user.lower()}" does not exist' in lowered
        if (
            sqlstate in _AUTH_SQLSTATES
            or role_missing
            or "password authentication" in lowered
            or "access denied" in lowered
        ):
            action = token_action(user)
            hint = (
                f"IAM authentication to DSQL failed for database role {user!r} at {host}: the AWS principal "
                f"needs dsql:{action} on the cluster ARN"
            )
            if action == "DbConnect":
                hint += f", and the role must exist and be linked with AWS IAM GRANT {user} TO '<principal ARN>'"
            hint += f", and the token must be signed for this host and region. Server said: {' '.join(text.split())}"
            return self.Database.OperationalError(hint)
        return exc

    # --- lifetime --------------------------------------------------------------------------
    def connection_age(self) -> float | None:
        if self.connection is None or self.connection_born_at is None:
            return None
        return time.monotonic() - self.connection_born_at

    def ensure_connection(self) -> None:
        # Outside a transaction, replace a connection before DSQL's 60-minute cap closes it under us.
        age = self.connection_age()
        if age is not None and age >= self.max_connection_age and not self.in_atomic_block:
            logger.info("Recycling DSQL connection %r after %.0f s", self.alias, age)
            self.close()
        super().ensure_connection()

    def close_if_unusable_or_obsolete(self) -> None:
        super().close_if_unusable_or_obsolete()
        age = self.connection_age()
        if age is not None and age >= self.max_connection_age and not self.in_atomic_block:
            self.close()

    def _close(self) -> None:
        self.connection_born_at = None
        super()._close()
