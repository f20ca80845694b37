"""The stage's Aurora DSQL cluster (the only relational database): create, find, delete. Found by tags."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.management.base import CommandError

from .errors import aws_call
from .naming import Stage

Say = Callable[[str], None]
ACTIVE_STATES = {"ACTIVE", "IDLE"}


def _waiter_config(delay: int) -> dict[str, int]:
    # DSQL creates a single-region cluster in about a minute; allow 10 minutes.
    return {"Delay": max(delay, 1), "MaxAttempts": max(600 // max(delay, 1), 1)}


def find_cluster(dsql: Any, stage: Stage) -> dict[str, Any] | None:
    """The stage's cluster (GetCluster output), or None. Clusters without our tags are never touched."""
    with aws_call("dsql:ListClusters", "dsql", stage.region):
        for page in dsql.get_paginator("list_clusters").paginate():
            for summary in page.get("clusters", []):
                cluster = dsql.get_cluster(identifier=summary["identifier"])
                if cluster.get("status") not in {"DELETED"} and stage.owns(cluster.get("tags") or {}):
                    return cluster
    return None


def endpoint_of(cluster: dict[str, Any], region: str) -> str:
    return cluster.get("endpoint") or f"{cluster['identifier']}.dsql.{region}.on.aws"


def ensure_cluster(dsql: Any, stage: Stage, *, deletion_protection: bool, say: Say, wait_delay: int = 10) -> dict:
    cluster = find_cluster(dsql, stage)
    if cluster is None:
        say(f"creating DSQL cluster (deletion protection {'on' if deletion_protection else 'off'})")
        with aws_call("dsql:CreateCluster", "dsql", stage.region):
            cluster = dsql.create_cluster(
                deletionProtectionEnabled=deletion_protection,
                tags=stage.tags,
                clientToken=stage.client_token("dsql"),
            )
    else:
        say(f"DSQL cluster {cluster['identifier']} exists ({cluster['status']})")
        if cluster["status"] in {"DELETING", "PENDING_DELETE"}:
            raise CommandError(
                f"DSQL cluster {cluster['identifier']} is being deleted; wait for teardown to finish, then rerun."
            )
        if cluster.get("deletionProtectionEnabled") != deletion_protection:
            say(f"setting deletion protection {'on' if deletion_protection else 'off'}")
            with aws_call("dsql:UpdateCluster", "dsql", stage.region):
                dsql.update_cluster(identifier=cluster["identifier"], deletionProtectionEnabled=deletion_protection)
    if cluster["status"] not in ACTIVE_STATES:
        say(f"waiting for DSQL cluster {cluster['identifier']} to be ACTIVE")
        with aws_call("dsql:GetCluster (wait for ACTIVE)", "dsql", stage.region):
            dsql.get_waiter("cluster_active").wait(
                identifier=cluster["identifier"], WaiterConfig=_waiter_config(wait_delay)
            )
    with aws_call("dsql:GetCluster", "dsql", stage.region):
        return dsql.get_cluster(identifier=cluster["identifier"])


def delete_cluster(dsql: Any, stage: Stage, *, disable_protection: bool, say: Say, wait_delay: int = 10) -> bool:
    cluster = find_cluster(dsql, stage)
    if cluster is None:
        say("no DSQL cluster of this stage")
        return False
    identifier = cluster["identifier"]
    if cluster.get("deletionProtectionEnabled"):
        if not disable_protection:
            raise CommandError(
                f"DSQL cluster {identifier} has deletion protection on. Fix: rerun with "
                "--disable-deletion-protection if you really mean to delete this stage's database."
            )
        say(f"turning deletion protection off on {identifier}")
        with aws_call("dsql:UpdateCluster", "dsql", stage.region):
            dsql.update_cluster(identifier=identifier, deletionProtectionEnabled=False)
    if cluster["status"] not in {"DELETING", "PENDING_DELETE"}:
        say(f"deleting DSQL cluster {identifier}")
        with aws_call("dsql:DeleteCluster", "dsql", stage.region):
            dsql.delete_cluster(identifier=identifier, clientToken=stage.client_token("dsql-delete"))
    say(f"waiting for DSQL cluster {identifier} to be gone")
    with aws_call("dsql:GetCluster (wait for deletion)", "dsql", stage.region):
        dsql.get_waiter("cluster_not_exists").wait(identifier=identifier, WaiterConfig=_waiter_config(wait_delay))
    return True
