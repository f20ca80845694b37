"""The VPC pieces the function needs when the stage does not name its own: a VPC, two private subnets in
two AZs, a security group (no ingress), a private route table and gateway endpoints for DynamoDB and S3.
Egress (internet gateway, public subnet, NAT gateway; deploy.egress) is added unless `nat=False`
(`provision_stage --no-nat`), which also removes egress pieces left from an earlier choice.

Everything is tagged at creation (TagSpecifications), so an interrupted run leaves nothing untagged.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import CommandError

from . import egress
from .ec2 import Say, delete_route_tables, delete_when_free, is_public, owned, stage_filters, tags, waiter_config
from .egress import EGRESS_KEYS, LIVE_NAT_STATES
from .errors import aws_call
from .naming import Stage

__all__ = ["EGRESS_KEYS", "delete_network", "ensure_network", "find_network"]

VPC_CIDR = "10.42.0.0/16"
SUBNET_CIDRS = ("10.42.0.0/20", "10.42.16.0/20")


def find_network(ec2: Any, stage: Stage) -> dict[str, Any]:
    """Ids of the stage's network pieces (empty lists when none exist)."""
    with aws_call("ec2:Describe*", "ec2", stage.region):
        filters = stage_filters(stage)
        vpcs = [v["VpcId"] for v in ec2.describe_vpcs(Filters=filters)["Vpcs"]]
        all_subnets = ec2.describe_subnets(Filters=filters)["Subnets"]
        groups = [g["GroupId"] for g in ec2.describe_security_groups(Filters=filters)["SecurityGroups"]]
        all_tables = ec2.describe_route_tables(Filters=filters)["RouteTables"]
        endpoints = [
            e["VpcEndpointId"]
            for e in ec2.describe_vpc_endpoints(Filters=filters)["VpcEndpoints"]
            if e.get("State", "").lower() not in {"deleted", "deleting"}
        ]
        gateways = [
            g["InternetGatewayId"]
            for g in ec2.describe_internet_gateways(Filters=filters)["InternetGateways"]
            if owned(stage, g)
        ]
        nats = [n for n in ec2.describe_nat_gateways(Filters=filters)["NatGateways"] if owned(stage, n)]
        addresses = [a["AllocationId"] for a in ec2.describe_addresses(Filters=filters)["Addresses"] if owned(stage, a)]
    return {
        "vpcs": vpcs,
        "subnets": sorted(s["SubnetId"] for s in all_subnets if not is_public(s)),
        "security_groups": groups,
        "route_tables": [r["RouteTableId"] for r in all_tables if not is_public(r)],
        "endpoints": endpoints,
        "public_subnets": [s["SubnetId"] for s in all_subnets if is_public(s)],
        "public_route_tables": [r["RouteTableId"] for r in all_tables if is_public(r)],
        "internet_gateways": gateways,
        "nat_gateways": [n["NatGatewayId"] for n in nats if n.get("State") in LIVE_NAT_STATES],
        # deleted by an earlier (interrupted) run: teardown still waits for them before releasing the EIP
        "nat_gateways_deleting": [n["NatGatewayId"] for n in nats if n.get("State") == "deleting"],
        "elastic_ips": addresses,
    }


def ensure_network(
    ec2: Any,
    stage: Stage,
    say: Say,
    *,
    nat: bool = True,
    wait_delay: int = 15,
    nat_waiter: dict[str, int] | None = None,
) -> dict[str, list[str]]:
    """Create what is missing; returns Zappa's `vpc_config`. `nat=False`: no egress pieces (removed if present).
    The NAT gateway waiter polls every `wait_delay` seconds for at most 10 minutes (or as `nat_waiter` says)."""
    waiter = nat_waiter or waiter_config(wait_delay)
    found = find_network(ec2, stage)
    vpc_id = _ensure_vpc(ec2, stage, say, found)
    zones: list[str] = []
    if len(found["subnets"]) < len(SUBNET_CIDRS) or (nat and not found["public_subnets"]):
        zones = _zones(ec2, stage)
    subnets = _ensure_subnets(ec2, stage, say, found["subnets"], vpc_id, zones)
    group = _ensure_security_group(ec2, stage, say, found, vpc_id)
    route_table = _ensure_route_table(ec2, stage, say, found, vpc_id, subnets)
    if not found["endpoints"]:
        _create_gateway_endpoints(ec2, stage, say, vpc_id, route_table)
    if nat:
        egress.ensure_egress(ec2, stage, say, found, egress.Vpc(vpc_id, zones[0] if zones else "", route_table), waiter)
    elif any(found[k] for k in EGRESS_KEYS):
        say("--no-nat: removing the NAT gateway, its Elastic IP, the internet gateway and the public subnet")
        egress.delete_egress(ec2, stage, say, found, nat_waiter=waiter)
    return {"SubnetIds": sorted(subnets), "SecurityGroupIds": [group]}


def _ensure_vpc(ec2: Any, stage: Stage, say: Say, found: dict[str, Any]) -> str:
    if found["vpcs"]:
        say(f"VPC {found['vpcs'][0]} exists")
        return str(found["vpcs"][0])
    with aws_call("ec2:CreateVpc", "ec2", stage.region):
        vpc_id: str = ec2.create_vpc(CidrBlock=VPC_CIDR, TagSpecifications=tags(stage, "vpc"))["Vpc"]["VpcId"]
    say(f"created VPC {vpc_id}")
    return vpc_id


def _zones(ec2: Any, stage: Stage) -> list[str]:
    with aws_call("ec2:DescribeAvailabilityZones", "ec2", stage.region):
        zones = [z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]]
    if len(zones) < 2:
        raise CommandError(
            f"region {stage.region} has fewer than two availability zones; set the stage's vpc_config to your own "
            "subnets"
        )
    return zones


def _ensure_subnets(ec2: Any, stage: Stage, say: Say, subnets: list[str], vpc_id: str, zones: list[str]) -> list[str]:
    """The two private subnets, one per zone; only the missing CIDRs are created."""
    if len(subnets) >= len(SUBNET_CIDRS):
        return subnets
    existing = {s["CidrBlock"] for s in ec2.describe_subnets(SubnetIds=subnets)["Subnets"]} if subnets else set()
    for zone, cidr in zip(zones, SUBNET_CIDRS, strict=False):
        if cidr in existing:
            continue
        with aws_call("ec2:CreateSubnet", "ec2", stage.region):
            subnet = ec2.create_subnet(
                VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=zone, TagSpecifications=tags(stage, "subnet")
            )["Subnet"]["SubnetId"]
        say(f"created private subnet {subnet} in {zone}")
        subnets.append(subnet)
    return subnets


def _ensure_security_group(ec2: Any, stage: Stage, say: Say, found: dict[str, Any], vpc_id: str) -> str:
    if found["security_groups"]:
        return str(found["security_groups"][0])
    with aws_call("ec2:CreateSecurityGroup", "ec2", stage.region):
        group: str = ec2.create_security_group(
            GroupName=f"{stage.function_name}-function",
            Description="Vela API Lambda: no ingress, egress to AWS endpoints",
            VpcId=vpc_id,
            TagSpecifications=tags(stage, "security-group"),
        )["GroupId"]
    say(f"created security group {group}")
    return group


def _ensure_route_table(
    ec2: Any, stage: Stage, say: Say, found: dict[str, Any], vpc_id: str, subnets: list[str]
) -> str:
    if found["route_tables"]:
        return str(found["route_tables"][0])
    with aws_call("ec2:CreateRouteTable", "ec2", stage.region):
        route_table: str = ec2.create_route_table(VpcId=vpc_id, TagSpecifications=tags(stage, "route-table"))[
            "RouteTable"
        ]["RouteTableId"]
        for subnet in subnets:
            ec2.associate_route_table(RouteTableId=route_table, SubnetId=subnet)
    say(f"created route table {route_table}")
    return route_table


def _create_gateway_endpoints(ec2: Any, stage: Stage, say: Say, vpc_id: str, route_table: str) -> None:
    for service in ("dynamodb", "s3"):
        with aws_call("ec2:CreateVpcEndpoint", "ec2", stage.region):
            endpoint = ec2.create_vpc_endpoint(
                VpcEndpointType="Gateway",
                VpcId=vpc_id,
                ServiceName=f"com.amazonaws.{stage.region}.{service}",
                RouteTableIds=[route_table],
                TagSpecifications=tags(stage, "vpc-endpoint"),
            )["VpcEndpoint"]["VpcEndpointId"]
        say(f"created {service} gateway endpoint {endpoint}")


def delete_network(
    ec2: Any, stage: Stage, say: Say, *, eni_wait: float = 1200, poll: float = 15, wait_delay: int = 15
) -> None:
    """Remove the stage's network pieces, leaves first: egress (deploy.egress), endpoints, route table,
    security group, subnets, VPC. Lambda releases its ENIs some minutes after the function is deleted, so
    a security group or subnet still in use is retried until `eni_wait` runs out."""
    found = find_network(ec2, stage)
    region = stage.region
    egress.delete_egress(ec2, stage, say, found, wait_delay=wait_delay)
    if found["endpoints"]:
        with aws_call("ec2:DeleteVpcEndpoints", "ec2", region):
            ec2.delete_vpc_endpoints(VpcEndpointIds=found["endpoints"])
        say(f"deleted gateway endpoints {', '.join(found['endpoints'])}")
    delete_route_tables(ec2, stage, say, found["route_tables"])
    deadline = time.monotonic() + eni_wait
    for kind, ids, delete in (
        ("security group", found["security_groups"], lambda i: ec2.delete_security_group(GroupId=i)),
        ("subnet", found["subnets"], lambda i: ec2.delete_subnet(SubnetId=i)),
        ("VPC", found["vpcs"], lambda i: ec2.delete_vpc(VpcId=i)),
    ):
        for resource_id in ids:
            delete_when_free(kind, resource_id, delete, deadline, poll, say, region)
