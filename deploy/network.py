"""The VPC pieces the function needs when the stage does not name its own: a VPC, two private subnets in
two AZs, a security group (no ingress), a route table and gateway endpoints for DynamoDB and S3.

Everything is tagged at creation (TagSpecifications), so an interrupted run leaves nothing untagged.
Outbound internet (Cognito, the LLM/TTS upstreams, DSQL's public endpoint) needs a NAT gateway or
interface endpoints; put the `vpc_config` of a network that has them into the stage (docs/deploy.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import CommandError

from .errors import aws_call
from .naming import MANAGED_BY, TAG_MANAGED_BY, TAG_STAGE, Stage

Say = Callable[[str], None]
VPC_CIDR = "10.42.0.0/16"
SUBNET_CIDRS = ("10.42.0.0/20", "10.42.16.0/20")


def _tags(stage: Stage, kind: str) -> list[dict[str, Any]]:
    return [{"ResourceType": kind, "Tags": stage.tag_list()}]


def _filters(stage: Stage) -> list[dict[str, Any]]:
    return [
        {"Name": f"tag:{TAG_STAGE}", "Values": [stage.name]},
        {"Name": f"tag:{TAG_MANAGED_BY}", "Values": [MANAGED_BY]},
    ]


def find_network(ec2: Any, stage: Stage) -> dict[str, Any]:
    """Ids of the stage's network pieces (empty lists when none exist)."""
    with aws_call("ec2:Describe*", "ec2", stage.region):
        filters = _filters(stage)
        vpcs = [v["VpcId"] for v in ec2.describe_vpcs(Filters=filters)["Vpcs"]]
        subnets = [s["SubnetId"] for s in ec2.describe_subnets(Filters=filters)["Subnets"]]
        groups = [g["GroupId"] for g in ec2.describe_security_groups(Filters=filters)["SecurityGroups"]]
        tables = [r["RouteTableId"] for r in ec2.describe_route_tables(Filters=filters)["RouteTables"]]
        endpoints = [
            e["VpcEndpointId"]
            for e in ec2.describe_vpc_endpoints(Filters=filters)["VpcEndpoints"]
            if e.get("State", "").lower() not in {"deleted", "deleting"}
        ]
    return {
        "vpcs": vpcs,
        "subnets": sorted(subnets),
        "security_groups": groups,
        "route_tables": tables,
        "endpoints": endpoints,
    }


def ensure_network(ec2: Any, stage: Stage, say: Say) -> dict[str, list[str]]:
    """Create what is missing; returns Zappa's `vpc_config`."""
    found = find_network(ec2, stage)
    region = stage.region
    if found["vpcs"]:
        vpc_id = found["vpcs"][0]
        say(f"VPC {vpc_id} exists")
    else:
        with aws_call("ec2:CreateVpc", "ec2", region):
            vpc_id = ec2.create_vpc(CidrBlock=VPC_CIDR, TagSpecifications=_tags(stage, "vpc"))["Vpc"]["VpcId"]
        say(f"created VPC {vpc_id}")
    subnets = found["subnets"]
    if len(subnets) < len(SUBNET_CIDRS):
        with aws_call("ec2:DescribeAvailabilityZones", "ec2", region):
            zones = [z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]]
        if len(zones) < 2:
            raise CommandError(
                f"region {region} has fewer than two availability zones; set the stage's vpc_config to your own subnets"
            )
        existing = {s["CidrBlock"] for s in ec2.describe_subnets(SubnetIds=subnets)["Subnets"]} if subnets else set()
        for zone, cidr in zip(zones, SUBNET_CIDRS, strict=False):
            if cidr in existing:
                continue
            with aws_call("ec2:CreateSubnet", "ec2", region):
                subnet = ec2.create_subnet(
                    VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=zone, TagSpecifications=_tags(stage, "subnet")
                )["Subnet"]["SubnetId"]
            say(f"created private subnet {subnet} in {zone}")
            subnets.append(subnet)
    if found["security_groups"]:
        group = found["security_groups"][0]
    else:
        with aws_call("ec2:CreateSecurityGroup", "ec2", region):
            group = ec2.create_security_group(
                GroupName=f"{stage.function_name}-function",
                Description="Vela API Lambda: no ingress, egress to AWS endpoints",
                VpcId=vpc_id,
                TagSpecifications=_tags(stage, "security-group"),
            )["GroupId"]
        say(f"created security group {group}")
    if found["route_tables"]:
        route_table = found["route_tables"][0]
    else:
        with aws_call("ec2:CreateRouteTable", "ec2", region):
            route_table = ec2.create_route_table(VpcId=vpc_id, TagSpecifications=_tags(stage, "route-table"))[
                "RouteTable"
            ]["RouteTableId"]
            for subnet in subnets:
                ec2.associate_route_table(RouteTableId=route_table, SubnetId=subnet)
        say(f"created route table {route_table}")
    if not found["endpoints"]:
        for service in ("dynamodb", "s3"):
            with aws_call("ec2:CreateVpcEndpoint", "ec2", region):
                endpoint = ec2.create_vpc_endpoint(
                    VpcEndpointType="Gateway",
                    VpcId=vpc_id,
                    ServiceName=f"com.amazonaws.{region}.{service}",
                    RouteTableIds=[route_table],
                    TagSpecifications=_tags(stage, "vpc-endpoint"),
                )["VpcEndpoint"]["VpcEndpointId"]
            say(f"created {service} gateway endpoint {endpoint}")
    return {"SubnetIds": sorted(subnets), "SecurityGroupIds": [group]}


def delete_network(ec2: Any, stage: Stage, say: Say, *, eni_wait: float = 1200, poll: float = 15) -> None:
    """Remove the stage's network pieces, leaves first. Lambda releases its ENIs some minutes after the
    function is deleted, so a security group or subnet still in use is retried until `eni_wait` runs out."""
    found = find_network(ec2, stage)
    region = stage.region
    if found["endpoints"]:
        with aws_call("ec2:DeleteVpcEndpoints", "ec2", region):
            ec2.delete_vpc_endpoints(VpcEndpointIds=found["endpoints"])
        say(f"deleted gateway endpoints {', '.join(found['endpoints'])}")
    for table in found["route_tables"]:
        with aws_call("ec2:DeleteRouteTable", "ec2", region):
            described = ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"][0]
            for association in described.get("Associations", []):
                if not association.get("Main"):
                    ec2.disassociate_route_table(AssociationId=association["RouteTableAssociationId"])
            ec2.delete_route_table(RouteTableId=table)
        say(f"deleted route table {table}")
    deadline = time.monotonic() + eni_wait
    for kind, ids, delete in (
        ("security group", found["security_groups"], lambda i: ec2.delete_security_group(GroupId=i)),
        ("subnet", found["subnets"], lambda i: ec2.delete_subnet(SubnetId=i)),
        ("VPC", found["vpcs"], lambda i: ec2.delete_vpc(VpcId=i)),
    ):
        for resource_id in ids:
            _delete_when_free(kind, resource_id, delete, deadline, poll, say, region)


def _delete_when_free(
    kind: str, resource_id: str, delete: Callable[[str], Any], deadline: float, poll: float, say: Say, region: str
) -> None:
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
