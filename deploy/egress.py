"""Egress of the stage's VPC, as the original CDK stack (1 NAT gateway): an internet gateway, one public
subnet with its own route table (0.0.0.0/0 -> IGW), an Elastic IP and a NAT gateway in it, and the private
route table's 0.0.0.0/0 -> NAT route. DynamoDB and S3 keep going through the gateway endpoints (no NAT
data charge). Public pieces carry one more tag, `vela:tier=public`, which tells them from the private ones.

Each step checks what exists first, so a run interrupted between any two of them is completed by the next.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import partial
from typing import Any

from .ec2 import ANYWHERE, PUBLIC, Say, delete_route_tables, delete_when_free, ignore_missing, tags, waiter_config
from .errors import aws_call
from .naming import Stage

PUBLIC_SUBNET_CIDR = "10.42.32.0/24"
# NAT gateways that exist (or are on their way); "failed" ones AWS removes by itself, "deleted" stay visible ~1 h.
LIVE_NAT_STATES = {"pending", "available"}
EGRESS_KEYS = (
    "nat_gateways",
    "nat_gateways_deleting",
    "elastic_ips",
    "internet_gateways",
    "public_route_tables",
    "public_subnets",
)


@dataclass(frozen=True, slots=True)
class Vpc:
    """Where egress goes: the VPC, the zone of the public subnet, and the private route table."""

    vpc_id: str
    zone: str
    private_table: str


def ensure_egress(ec2: Any, stage: Stage, say: Say, found: dict[str, Any], vpc: Vpc, waiter: dict[str, int]) -> None:
    """Internet gateway, public subnet + route table, EIP + NAT gateway, private default route."""
    gateway = _ensure_internet_gateway(ec2, stage, say, found, vpc.vpc_id)
    public_subnet, public_table = _ensure_public_subnet(ec2, stage, say, found, vpc)
    with aws_call("ec2:DescribeRouteTables", "ec2", stage.region):
        described = ec2.describe_route_tables(RouteTableIds=[public_table])["RouteTables"][0]
    if not any(a.get("SubnetId") == public_subnet for a in described.get("Associations", [])):
        with aws_call("ec2:AssociateRouteTable", "ec2", stage.region):
            ec2.associate_route_table(RouteTableId=public_table, SubnetId=public_subnet)
    _ensure_default_route(ec2, stage, say, public_table, described, {"GatewayId": gateway})
    nat_gateway = _ensure_nat_gateway(ec2, stage, say, found, public_subnet)
    with aws_call("ec2:DescribeNatGateways (waiting for available)", "ec2", stage.region):
        ec2.get_waiter("nat_gateway_available").wait(NatGatewayIds=[nat_gateway], WaiterConfig=waiter)
    with aws_call("ec2:DescribeRouteTables", "ec2", stage.region):
        private = ec2.describe_route_tables(RouteTableIds=[vpc.private_table])["RouteTables"][0]
    _ensure_default_route(ec2, stage, say, vpc.private_table, private, {"NatGatewayId": nat_gateway})


def _ensure_internet_gateway(ec2: Any, stage: Stage, say: Say, found: dict[str, Any], vpc_id: str) -> str:
    region = stage.region
    if found["internet_gateways"]:
        gateway: str = found["internet_gateways"][0]
        with aws_call("ec2:DescribeInternetGateways", "ec2", region):
            attached = ec2.describe_internet_gateways(InternetGatewayIds=[gateway])["InternetGateways"][0]
        if not any(a["VpcId"] == vpc_id for a in attached.get("Attachments", [])):
            with aws_call("ec2:AttachInternetGateway", "ec2", region):
                ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc_id)
            say(f"attached internet gateway {gateway} to {vpc_id}")
        return gateway
    with aws_call("ec2:CreateInternetGateway", "ec2", region):
        gateway = ec2.create_internet_gateway(TagSpecifications=tags(stage, "internet-gateway"))["InternetGateway"][
            "InternetGatewayId"
        ]
        ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc_id)
    say(f"created internet gateway {gateway}, attached to {vpc_id}")
    return gateway


def _ensure_public_subnet(ec2: Any, stage: Stage, say: Say, found: dict[str, Any], vpc: Vpc) -> tuple[str, str]:
    """(public subnet, public route table), each created when missing."""
    region = stage.region
    if found["public_subnets"]:
        public_subnet: str = found["public_subnets"][0]
    else:
        with aws_call("ec2:CreateSubnet", "ec2", region):
            public_subnet = ec2.create_subnet(
                VpcId=vpc.vpc_id,
                CidrBlock=PUBLIC_SUBNET_CIDR,
                AvailabilityZone=vpc.zone,
                TagSpecifications=tags(stage, "subnet", PUBLIC),
            )["Subnet"]["SubnetId"]
        say(f"created public subnet {public_subnet} in {vpc.zone}")
    if found["public_route_tables"]:
        return public_subnet, found["public_route_tables"][0]
    with aws_call("ec2:CreateRouteTable", "ec2", region):
        public_table: str = ec2.create_route_table(
            VpcId=vpc.vpc_id, TagSpecifications=tags(stage, "route-table", PUBLIC)
        )["RouteTable"]["RouteTableId"]
    say(f"created public route table {public_table}")
    return public_subnet, public_table


def _ensure_nat_gateway(ec2: Any, stage: Stage, say: Say, found: dict[str, Any], public_subnet: str) -> str:
    region = stage.region
    if found["nat_gateways"]:
        return str(found["nat_gateways"][0])
    if found["elastic_ips"]:
        allocation = found["elastic_ips"][0]  # left by a run interrupted before the NAT gateway
    else:
        with aws_call("ec2:AllocateAddress", "ec2", region):
            allocation = ec2.allocate_address(Domain="vpc", TagSpecifications=tags(stage, "elastic-ip"))["AllocationId"]
        say(f"allocated Elastic IP {allocation}")
    with aws_call("ec2:CreateNatGateway", "ec2", region):
        nat_gateway: str = ec2.create_nat_gateway(
            SubnetId=public_subnet,
            AllocationId=allocation,
            ConnectivityType="public",
            ClientToken=stage.client_token("nat"),
            TagSpecifications=tags(stage, "natgateway"),
        )["NatGateway"]["NatGatewayId"]
    say(f"created NAT gateway {nat_gateway}; waiting until it is available")
    return nat_gateway


def _ensure_default_route(
    ec2: Any, stage: Stage, say: Say, table: str, described: dict[str, Any], target: dict[str, str]
) -> None:
    """0.0.0.0/0 -> target in `table`: added when missing, replaced when it points elsewhere (a blackhole)."""
    ((key, value),) = target.items()
    current = next((r for r in described.get("Routes", []) if r.get("DestinationCidrBlock") == ANYWHERE), None)
    if current is not None and current.get(key) == value and current.get("State", "active") == "active":
        return
    with aws_call("ec2:CreateRoute", "ec2", stage.region):
        if current is None:
            ec2.create_route(RouteTableId=table, DestinationCidrBlock=ANYWHERE, **target)
        else:
            ec2.replace_route(RouteTableId=table, DestinationCidrBlock=ANYWHERE, **target)
    say(f"route {ANYWHERE} -> {value} in {table}")


def delete_egress(
    ec2: Any,
    stage: Stage,
    say: Say,
    found: dict[str, Any],
    *,
    wait_delay: int = 15,
    nat_waiter: dict[str, int] | None = None,
) -> None:
    """The private default route -> NAT gateway (wait until deleted) -> Elastic IP -> internet gateway
    (detach, delete) -> public route table -> public subnet. Pieces already gone are skipped."""
    region = stage.region
    for table in found["route_tables"]:  # the private default route would be a blackhole without the NAT
        with aws_call("ec2:DeleteRoute", "ec2", region):
            described = ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"][0]
            if any(r.get("DestinationCidrBlock") == ANYWHERE for r in described.get("Routes", [])):
                ec2.delete_route(RouteTableId=table, DestinationCidrBlock=ANYWHERE)
                say(f"deleted route {ANYWHERE} from {table}")
    _delete_nat_gateways(ec2, stage, say, found, nat_waiter or waiter_config(wait_delay))
    for allocation in found["elastic_ips"]:
        with aws_call("ec2:ReleaseAddress", "ec2", region):
            ignore_missing(partial(ec2.release_address, AllocationId=allocation))
        say(f"released Elastic IP {allocation}")
    for gateway in found["internet_gateways"]:
        with aws_call("ec2:DeleteInternetGateway", "ec2", region):
            described = ec2.describe_internet_gateways(InternetGatewayIds=[gateway])["InternetGateways"]
            for attachment in described[0].get("Attachments", []) if described else []:
                ec2.detach_internet_gateway(InternetGatewayId=gateway, VpcId=attachment["VpcId"])
            ignore_missing(partial(ec2.delete_internet_gateway, InternetGatewayId=gateway))
        say(f"deleted internet gateway {gateway}")
    delete_route_tables(ec2, stage, say, found["public_route_tables"])
    deadline = time.monotonic() + 300  # the NAT gateway's own ENI goes a little after the gateway
    for subnet in found["public_subnets"]:
        delete_when_free("public subnet", subnet, lambda s: ec2.delete_subnet(SubnetId=s), deadline, 5, say, region)


def _delete_nat_gateways(ec2: Any, stage: Stage, say: Say, found: dict[str, Any], waiter: dict[str, int]) -> None:
    """Delete the live NAT gateways and wait (bounded) for those and any already deleting to be gone."""
    nat_gateways = found["nat_gateways"] + found.get("nat_gateways_deleting", [])
    if not nat_gateways:
        return
    with aws_call("ec2:DeleteNatGateway", "ec2", stage.region):
        for nat_gateway in found["nat_gateways"]:
            ignore_missing(partial(ec2.delete_nat_gateway, NatGatewayId=nat_gateway))
        say(f"deleting NAT gateway {', '.join(nat_gateways)}; waiting until it is deleted")
        ec2.get_waiter("nat_gateway_deleted").wait(NatGatewayIds=nat_gateways, WaiterConfig=waiter)
    say(f"deleted NAT gateway {', '.join(nat_gateways)}")
