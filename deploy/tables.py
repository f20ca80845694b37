"""The stage's DynamoDB tables, from the catalogue in vela/dynamodb_schema.py, tagged at creation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .errors import aws_call
from .naming import Stage

Say = Callable[[str], None]


def _describe(ddb: Any, name: str, region: str) -> dict[str, Any] | None:
    with aws_call("dynamodb:DescribeTable", "dynamodb", region):
        try:
            return ddb.describe_table(TableName=name)["Table"]
        except ddb.exceptions.ResourceNotFoundException:
            return None


def ensure_tables(ddb: Any, stage: Stage, names: dict[str, str], say: Say) -> list[str]:
    """Create missing tables (on-demand, PITR on, tagged). An existing table is left as it is, except that
    it gains the catalogue's indexes it lacks (backfilled and ACTIVE before the function's code that
    queries them is deployed)."""
    from vela.dynamodb_admin import indexes_add
    from vela.dynamodb_schema import SPECS

    created = []
    for logical, name in names.items():
        if _describe(ddb, name, stage.region) is not None:
            say(f"table {name} exists")
            with aws_call("dynamodb:UpdateTable (add a missing index)", "dynamodb", stage.region):
                indexes_add(ddb, SPECS[logical], name, report=say)
            continue
        say(f"creating table {name}")
        with aws_call("dynamodb:CreateTable", "dynamodb", stage.region):
            ddb.create_table(**SPECS[logical].create_table_kwargs(name), Tags=stage.tag_list())
        created.append(name)
    for name in created:
        with aws_call("dynamodb:DescribeTable (wait for ACTIVE)", "dynamodb", stage.region):
            ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 2, "MaxAttempts": 60})
        with aws_call("dynamodb:UpdateContinuousBackups", "dynamodb", stage.region):
            ddb.update_continuous_backups(
                TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
            )
    return created


def owned_tables(ddb: Any, stage: Stage, names: dict[str, str]) -> list[str]:
    """Tables of the catalogue that exist and carry this stage's tags (others are not ours to delete)."""
    owned = []
    for name in names.values():
        table = _describe(ddb, name, stage.region)
        if table is None:
            continue
        with aws_call("dynamodb:ListTagsOfResource", "dynamodb", stage.region):
            tags = {t["Key"]: t["Value"] for t in ddb.list_tags_of_resource(ResourceArn=table["TableArn"])["Tags"]}
        if stage.owns(tags):
            owned.append(name)
    return owned


def delete_tables(ddb: Any, stage: Stage, names: dict[str, str], say: Say) -> list[str]:
    deleted = []
    for name in names.values():
        if name not in owned_tables(ddb, stage, {name: name}):
            continue
        say(f"deleting table {name}")
        with aws_call("dynamodb:DeleteTable", "dynamodb", stage.region):
            ddb.delete_table(TableName=name)
            ddb.get_waiter("table_not_exists").wait(TableName=name, WaiterConfig={"Delay": 2, "MaxAttempts": 60})
        deleted.append(name)
    skipped = set(names.values()) - set(deleted)
    for name in sorted(skipped):
        if _describe(ddb, name, stage.region) is not None:
            say(f"table {name} is not tagged as this stage's: left alone")
    return deleted
