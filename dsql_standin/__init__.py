"""A local Aurora DSQL stand-in: a PostgreSQL wire-protocol proxy in front of a real PostgreSQL.

It validates DSQL IAM tokens (SigV4 presigned URLs) offline, enforces DSQL's SQL restrictions and limits,
and translates the DSQL-only dialect (``CREATE INDEX ASYNC``, ``sys.jobs``, ``sys.wait_for_job``).
Self-contained: stdlib, ``cryptography`` and ``psycopg`` only.
"""

from .config import StandInConfig, region_from_hostname
from .server import StandIn
from .sql import ERRORS, DsqlError
from .tls import TlsFiles, generate_tls_files
from .token import TokenClaims, TokenError, validate_token

__all__ = [
    "ERRORS",
    "DsqlError",
    "StandIn",
    "StandInConfig",
    "TlsFiles",
    "TokenClaims",
    "TokenError",
    "generate_tls_files",
    "region_from_hostname",
    "validate_token",
]
