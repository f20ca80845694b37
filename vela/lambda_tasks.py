"""Lambda-only entry points (`zappa invoke <stage> vela.lambda_tasks.<name>`, or scheduled `events`).

The ground floor imports no feature app: apps register what a task runs (`register_task`, from
their `AppConfig.ready`), and the entry points here look it up by name when Lambda calls them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Task = Callable[[], dict[str, Any]]
_tasks: dict[str, Task] = {}


def register_task(name: str, task: Task) -> None:
    _tasks[name] = task


def run_task(name: str) -> dict[str, Any]:
    try:
        task = _tasks[name]
    except KeyError:
        raise LookupError(f"No Lambda task {name!r} is registered (is its app in INSTALLED_APPS?)") from None
    return task()


def dsql_probe_task(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """One DSQL probe from inside the VPC (registered by the health app); the probe logs its result (no token)."""
    return run_task("dsql_probe")
