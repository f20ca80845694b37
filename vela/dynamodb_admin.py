"""Create, delete and describe the tables of `vela.dynamodb_schema` (idempotent; any endpoint incl. moto).

Used by `manage.py dynamodb_tables`, `scripts/run_local.py` and the tests' moto-server fixture.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError, WaiterError

from vela.aws import client_error_code
from vela.dynamodb_schema import SPECS, TableSpec

Report = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class TableState:
    logical: str
    name: str
    status: str  # ACTIVE, CREATING, DELETING, MISSING, ...
    item_count: int | None = None
    key: str = ""
    indexes: tuple[str, ...] = ()


def _specs(logicals: Iterable[str] | None) -> list[TableSpec]:
    chosen = list(logicals) if logicals else list(SPECS)
    unknown = [name for name in chosen if name not in SPECS]
    if unknown:
        raise ValueError(f"Unknown table(s): {', '.join(unknown)}; known: {', '.join(SPECS)}")
    return [SPECS[name] for name in chosen]


def _wait(client: Any, waiter: str, name: str, timeout: float) -> None:
    delay = 1
    client.get_waiter(waiter).wait(
        TableName=name, WaiterConfig={"Delay": delay, "MaxAttempts": max(1, int(timeout / delay))}
    )


def tables_create(
    client: Any,
    names: dict[str, str],
    *,
    only: Iterable[str] | None = None,
    timeout: float = 300,
    report: Report = lambda m: None,
) -> list[TableState]:
    """Create each missing table (same keys/GSI as production) and wait until every one is ACTIVE; an
    existing table gains the catalogue's indexes it lacks (`indexes_add`)."""
    existing = set()
    for spec in _specs(only):
        name = names[spec.logical]
        try:
            client.create_table(**spec.create_table_kwargs(name))
            report(f"{name}: creating")
        except ClientError as exc:
            if client_error_code(exc) != "ResourceInUseException":
                raise
            report(f"{name}: already exists")
            existing.add(name)
    states = []
    for spec in _specs(only):
        name = names[spec.logical]
        _wait(client, "table_exists", name, timeout)
        if name in existing:
            indexes_add(client, spec, name, timeout=timeout, report=report)
        state = describe(client, spec, name)
        report(f"{name}: {state.status}")
        states.append(state)
    return states


def indexes_add(
    client: Any, spec: TableSpec, name: str, *, timeout: float = 1800, report: Report = lambda m: None
) -> list[str]:
    """Add the catalogue's indexes an existing (ACTIVE) table lacks, one UpdateTable each, and wait until
    each is ACTIVE (DynamoDB backfills it from the table's rows first). The indexes added."""
    table = client.describe_table(TableName=name)["Table"]
    present = {index["IndexName"] for index in table.get("GlobalSecondaryIndexes", [])}
    added = []
    for index in spec.indexes:
        if index.name in present:
            continue
        report(f"{name}: adding index {index.name}")
        client.update_table(**spec.add_index_kwargs(name, index))
        _wait_index_active(client, name, index.name, timeout)
        report(f"{name}: index {index.name} ACTIVE")
        added.append(index.name)
    return added


def _wait_index_active(client: Any, name: str, index: str, timeout: float, poll: float = 2) -> None:
    deadline = time.monotonic() + timeout
    while True:
        table = client.describe_table(TableName=name)["Table"]
        statuses = {i["IndexName"]: i.get("IndexStatus") for i in table.get("GlobalSecondaryIndexes", [])}
        if statuses.get(index) == "ACTIVE":
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"index {index} of {name} is still {statuses.get(index)} after {timeout}s")
        time.sleep(poll)


def tables_delete(
    client: Any,
    names: dict[str, str],
    *,
    only: Iterable[str] | None = None,
    timeout: float = 300,
    report: Report = lambda m: None,
) -> list[str]:
    """Delete each existing table and wait until it is gone; missing tables are skipped."""
    deleted = []
    for spec in _specs(only):
        name = names[spec.logical]
        try:
            client.delete_table(TableName=name)
        except ClientError as exc:
            if client_error_code(exc) != "ResourceNotFoundException":
                raise
            report(f"{name}: not present")
            continue
        report(f"{name}: deleting")
        try:
            _wait(client, "table_not_exists", name, timeout)
        except WaiterError as exc:
            raise TimeoutError(f"{name} still exists after {timeout}s") from exc
        report(f"{name}: deleted")
        deleted.append(name)
    return deleted


def describe(client: Any, spec: TableSpec, name: str) -> TableState:
    try:
        table = client.describe_table(TableName=name)["Table"]
    except ClientError as exc:
        if client_error_code(exc) == "ResourceNotFoundException":
            return TableState(spec.logical, name, "MISSING")
        raise
    key = " + ".join(f"{k['AttributeName']} ({k['KeyType']})" for k in table.get("KeySchema", []))
    indexes = tuple(index["IndexName"] for index in table.get("GlobalSecondaryIndexes", []))
    return TableState(spec.logical, name, table.get("TableStatus", "?"), table.get("ItemCount"), key, indexes)


def tables_describe(client: Any, names: dict[str, str], *, only: Iterable[str] | None = None) -> list[TableState]:
    return [describe(client, spec, names[spec.logical]) for spec in _specs(only)]
