"""Small EC2 helpers shared by the private network (deploy.network) and its egress (deploy.egress):
creation tags, tag checks, bounded waiters, and deletes that tolerate pieces already gone or still in use."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from .errors import aws_call
from .naming import MANAGED_BY, TAG_MANAGED_BY, TAG_STAGE, Stage

Say = Callable[[str], None]
ANYWHERE = "0.0.0.0/0"
TAG_TIER = "vela:tier"
PUBLIC = [{"Key": TAG_TIER, "Value": "public"}]


def tags(stage: Stage, kind: str, extra: list[dict[str, str]] | None = None) -> list[dict[str, Any]]:
    """TagSpecifications for one create call: everything is tagged at creation, so an interrupted run
    leaves nothing untagged."""
    return [{"ResourceType": kind, "Tags": stage.tag_list() + (extra or [])}]


def is_public(item: dict[str, Any]) -> bool:
    return any(t["Key"] == TAG_TIER and t["Value"] == "public" for t in item.get("Tags", []))


def owned(stage: Stage, item: dict[str, Any]) -> bool:
    # Some describe calls (NAT gateways in moto, for one) ignore tag filters: check the tags again here.
    return stage.owns({t["Key"]: t["Value"] for t in item.get("Tags", [])})


def stage_filters(stage: Stage) -> list[dict[str, Any]]:
    return [
        {"Name": f"tag:{TAG_STAGE}", "Values": [stage.name]},
        {"Name": f"tag:{TAG_MANAGED_BY}", "Values": [MANAGED_BY]},
    ]


def waiter_config(delay: int) -> dict[str, int]:
    # A NAT gateway becomes available (or deleted) in 1-5 minutes; allow 10.
    return {"Delay": max(delay, 1), "MaxAttempts": max(600 // max(delay, 1), 1)}


def ignore_missing(call: Callable[[], Any]) -> None:
    """Run a delete; a resource already gone (NotFound) is what we wanted."""
    from botocore.exceptions import ClientError

    try:
        call()
    except ClientError as exc:
        if "NotFound" not in exc.response["Error"]["Code"]:
            raise


def delete_route_tables(ec2: Any, stage: Stage, say: Say, tables: list[str]) -> None:
    for table in tables:
        with aws_call("ec2:DeleteRouteTable", "ec2", stage.region):
            described = ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"][0]
            for association in described.get("Associations", []):
                if not association.get("Main"):
                    ec2.disassociate_route_table(AssociationId=association["RouteTableAssociationId"])
            ec2.delete_route_table(RouteTableId=table)
        say(f"deleted route table {table}")


def delete_when_free(
    kind: str, resource_id: str, delete: Callable[[str], Any], deadline: float, poll: float, say: Say, region: str
) -> None:
    """Delete, retrying a DependencyViolation (ENIs still attached) until `deadline` (time.monotonic)."""
    from botocore.exceptions import ClientError

    while True:
        try:
            delete(resource_id)
            say(f"deleted {kind} {resource_id}")
            return
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "DependencyViolation" or time.monotonic() > deadline:
                with aws_call(f"ec2:Delete ({kind} {resource_id})", "ec2", region):
                    raise
            say(f"{kind} {resource_id} still in use (Lambda ENIs are released minutes after undeploy); retrying")
            time.sleep(poll)
