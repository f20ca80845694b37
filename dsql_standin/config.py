"""Configuration of the stand-in (a frozen dataclass, no environment reading here)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["StandInConfig", "region_from_hostname"]

_REGION_RE = re.compile(r"\.dsql[^.]*\.([^.]+)\.on\.aws$")


def region_from_hostname(hostname: str) -> str | None:
    """``abc.dsql.us-east-1.on.aws`` -> ``us-east-1`` (None if the name does not look like DSQL)."""
    m = _REGION_RE.search(hostname)
    return m.group(1) if m else None


@dataclass(frozen=True)
class StandInConfig:
    """Everything the stand-in needs.

    ``credentials`` maps AWS access key ids to secret keys: the principals whose tokens are accepted.
    ``allowed_roles`` (None = any) lists the non-admin database roles that "exist".
    Every client database name is served by ``upstream_database`` (created if missing, via
    ``upstream_maintenance_database``).
    """

    credentials: Mapping[str, str]
    cluster_hostname: str = "standin.dsql.us-east-1.on.aws"
    region: str = "us-east-1"
    listen_host: str = "127.0.0.1"
    listen_port: int = 0
    upstream_host: str = "127.0.0.1"
    upstream_port: int = 5432
    upstream_user: str = "postgres"
    upstream_password: str | None = None
    upstream_database: str = "vela_dsql_standin"
    upstream_maintenance_database: str = "postgres"
    allowed_roles: frozenset[str] | None = None
    max_connection_age: float = 3600.0
    row_limit: int = 3000
    clock_skew_seconds: float = 300.0
    tls_cert_file: Path | None = None
    tls_key_file: Path | None = None
    connect_timeout: float = 10.0
    annotate_occ_errors: bool = True
    async_job_seconds: float = 1.0  # an ASYNC index build stays "processing" (INVALID) this long unless waited for
    extra_startup_options: Mapping[str, str] = field(default_factory=dict)

    @property
    def tls_enabled(self) -> bool:
        return self.tls_cert_file is not None and self.tls_key_file is not None
