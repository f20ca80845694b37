"""The DSQL probe: a fresh connection through the `dsql` backend (so a fresh IAM token), `SELECT 1`, close.

Bounded by a deadline; failures are classified by cause (config, credentials, iam, timeout, tls,
network, sql) and their messages are redacted so no token or key can leak.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connections

from vela import metrics
from vela.logging import redact
from vela.routers import DSQL_ALIAS

logger = logging.getLogger("vela.health")

SUCCESS_DETAILS = "Successfully executed SELECT 1 against Aurora DSQL."
NOT_CONFIGURED = "AURORA_DB_ENDPOINT is not configured"


@dataclass(frozen=True, slots=True)
class ProbeResult:
    ok: bool
    latency_ms: float
    endpoint: str | None
    user: str | None
    cause: str | None = None
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def dsql_is_configured(alias: str = DSQL_ALIAS) -> bool:
    return alias in connections.settings and bool(connections.settings[alias].get("HOST"))


def dsql_probe(*, alias: str = DSQL_ALIAS, timeout: float | None = None) -> ProbeResult:
    """Run the probe once; never raises for a database or configuration problem."""
    timeout = settings.DSQL_HEALTH_TIMEOUT if timeout is None else timeout
    started = time.perf_counter()
    if not dsql_is_configured(alias):
        result = ProbeResult(False, 0.0, None, settings.AURORA_DB_USER, "config", NOT_CONFIGURED)
        _log(result)
        return result

    db_settings = connections.settings[alias]
    endpoint, user = str(db_settings["HOST"]), str(db_settings.get("USER") or "admin")
    outcome: dict[str, Any] = {}

    def run() -> None:
        connection = connections.create_connection(alias)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                outcome["rows"] = len(cursor.fetchall())
        except BaseException as exc:  # reported to the caller, not raised in a thread
            outcome["exc"] = exc
        finally:
            try:
                connection.close()
            except DatabaseError:
                logger.warning("[DSQL] Error closing client endpoint=%s", endpoint)

    worker = threading.Thread(target=run, name="dsql-probe", daemon=True)
    worker.start()
    worker.join(timeout)
    latency_ms = (time.perf_counter() - started) * 1000
    if worker.is_alive():
        result = ProbeResult(
            False,
            latency_ms,
            endpoint,
            user,
            "timeout",
            f"Timed out after {timeout:g} s connecting to Aurora DSQL at {endpoint}",
        )
    elif "exc" in outcome:
        cause, message = classify(outcome["exc"])
        result = ProbeResult(False, latency_ms, endpoint, user, cause, message)
    else:
        result = ProbeResult(True, latency_ms, endpoint, user)
    _log(result)
    return result


def classify(exc: BaseException) -> tuple[str, str]:
    """(cause, human message) for a probe failure; the message is redacted and single-line."""
    message = redact(" ".join(str(exc).split())) or exc.__class__.__name__
    lowered = message.lower()
    if isinstance(exc, ImproperlyConfigured):
        return "config", message
    if exc.__class__.__name__ in {"NoCredentialsError", "PartialCredentialsError", "NoRegionError"}:
        return "credentials", f"No AWS credentials to sign the DSQL auth token: {message}"
    if "timeout expired" in lowered or "timed out" in lowered:
        return "timeout", message
    if "iam authentication" in lowered or "password authentication" in lowered or "access denied" in lowered:
        return "iam", message
    if any(word in lowered for word in ("ssl", "certificate", "tls")):
        return "tls", message
    if any(
        phrase in lowered
        for phrase in ("connection refused", "could not translate host", "no route to host", "name or service")
    ):
        return "network", message
    if isinstance(exc, DatabaseError):
        return "sql", message
    return "error", message


def _log(result: ProbeResult) -> None:
    """One log line and one DsqlProbeSuccess/DsqlProbeLatency metric record per probe."""
    metrics.dsql_probe(ok=result.ok, latency_ms=result.latency_ms)
    fields = {"endpoint": result.endpoint, "user": result.user, "latency_ms": round(result.latency_ms, 1)}
    if result.ok:
        logger.info("[DSQL] Health-check success %s", _kv(fields), extra={"dsql": fields})
        return
    fields |= {
        "cause": result.cause,
        "error": result.error,
        "cluster_arn_present": bool(settings.AURORA_DB_CLUSTER_ARN),
    }
    logger.error("[DSQL] Health-check error %s", _kv(fields), extra={"dsql": fields})


def _kv(fields: dict[str, Any]) -> str:
    return " ".join(f"{key}={value!r}" if isinstance(value, str) else f"{key}={value}" for key, value in fields.items())
