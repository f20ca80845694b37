"""Lambda-only entry points (`zappa invoke <stage> vela.lambda_tasks.<name>`, or scheduled `events`).

Each one runs a management command (so the ground floor imports no feature app).
"""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

from django.core.management import CommandError, call_command


def dsql_probe_task(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """One DSQL probe from inside the VPC (scheduled every minute in zappa_settings.json `events`).

    The probe logs its outcome and emits the DsqlProbeSuccess/DsqlProbeLatency metric (health.services);
    a failed probe is data, not a failed invocation (EventBridge would retry it, and Lambda's Errors
    alarm would double-count it): `--min-success 0`. Misconfiguration (no endpoint) is answered the same
    way, as a `config` failure; no probe ran, so no metric either: the probe alarm fires on missing data.
    """
    out = StringIO()
    try:
        call_command("dsql_check", "--json", "--min-success", "0", stdout=out)
    except CommandError as exc:
        return {"ok": False, "latency_ms": 0.0, "endpoint": None, "user": None, "cause": "config", "error": str(exc)}
    probe: dict[str, Any] = json.loads(out.getvalue())["probes"][0]
    return probe
