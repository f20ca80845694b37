"""Lambda-only entry points (`zappa invoke <stage> vela.lambda_tasks.<name>`, or scheduled `events`)."""

from __future__ import annotations

from typing import Any

from health.services import dsql_probe


def dsql_probe_task(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """One DSQL probe from inside the VPC; the result is logged by the probe (no token in it)."""
    return dsql_probe().as_dict()
