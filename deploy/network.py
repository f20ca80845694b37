"""The VPC pieces the function needs when the stage does not name its own: a VPC, two private subnets in
two AZs, a security group (no ingress), a private route table and gateway endpoints for DynamoDB and S3,
plus egress (as the original CDK stack: 1 NAT gateway): an internet gateway, one public subnet with its
own route table (0.0.0.0/0 -> IGW), an Elastic IP and a NAT gateway in it, and the private route table's
0.0.0.0/0 -> NAT route. DynamoDB and S3 keep going through the gateway endpoints (no NAT data charge).
With `nat=False` (`provision_stage --no-nat`) the egress pieces are not created (and removed if present).

Everything is tagged at creation (TagSpecifications), so an interrupted run leaves nothing untagged.
Public pieces carry one more tag, `vela:tier=public`, which tells them from the private ones.
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
PUBLIC_SUBNET_CIDR = "10.42.32.0/24"
ANYWHERE = "0.0.0.0/0"
TAG_TIER = "vela:tier"
PUBLIC = [{"Key": TAG_TIER, "Value": "public"}]
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


def _tags(stage: Stage, kind: str, extra: list[dict[str, str]] | None = None) -> list[dict[str, Any]]:
    return [{"ResourceType": kind, "Tags": stage.tag_list() + (extra or [])}]


def _is_public(item: dict[str, Any]) -> bool:
    return any(t["Key"] == TAG_TIER and t["Value"] == "public" for t in item.get("Tags", []))


def _owned(stage: Stage, item: dict[str, Any]) -> bool:
    # Some describe calls (NAT gateways in moto, for one) ignore tag filters: check the tags again here.
    return stage.owns({t["Key"]: t["Value"] for t in item.get("Tags", [])})


def _waiter_config(delay: int) -> dict[str, int]:
    # A NAT gateway becomes available (or deleted) in 1-5 minutes; allow 10.
    return {"Delay": max(delay, 1), "MaxAttempts": max(600 // max(delay, 1), 1)}


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
            if _owned(stage, g)
        ]
        nats = [n for n in ec2.describe_nat_gateways(Filters=filters)["NatGateways"] if _owned(stage, n)]
        addresses = [
            a["AllocationId"] for a in ec2.describe_addresses(Filters=filters)["Addresses"] if _owned(stage, a)
        ]
    return {
        "vpcs": vpcs,
        "subnets": sorted(s["SubnetId"] for s in all_subnets if not _is_public(s)),
        "security_groups": groups,
        "route_tables": [r["RouteTableId"] for r in all_tables if not _is_public(r)],
        "endpoints": endpoints,
        "public_subnets": [s["SubnetId"] for s in all_subnets if _is_public(s)],
        "public_route_tables": [r["RouteTableId"] for r in all_tables if _is_public(r)],
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
    waiter = nat_waiter or _waiter_config(wait_delay)
    found = find_network(ec2, stage)
    region = stage.region
    zones: list[str] = []
    if found["vpcs"]:
        vpc_id = found["vpcs"][0]
        say(f"VPC {vpc_id} exists")
    else:
        with aws_call("ec2:CreateVpc", "ec2", region):
            vpc_id = ec2.create_vpc(CidrBlock=VPC_CIDR, TagSpecifications=_tags(stage, "vpc"))["Vpc"]["VpcId"]
        say(f"created VPC {vpc_id}")
    subnets = found["subnets"]
    if len(subnets) < len(SUBNET_CIDRS) or (nat and not found["public_subnets"]):
        with aws_call("ec2:DescribeAvailabilityZones", "ec2", region):
            zones = [z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]]
        if len(zones) < 2:
            raise CommandError(
                f"region {region} has fewer than two availability zones; set the stage's vpc_config to your own subnets"
            )
    if len(subnets) < len(SUBNET_CIDRS):
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
    if nat:
        _ensure_egress(ec2, stage, say, found, vpc_id, zones[0] if zones else "", route_table, waiter)
    elif any(found[k] for k in EGRESS_KEYS):
        say("--no-nat: removing the NAT gateway, its Elastic IP, the internet gateway and the public subnet")
        delete_egress(ec2, stage, say, found, nat_waiter=waiter)
    return {"SubnetIds": sorted(subnets), "SecurityGroupIds": [group]}


def _ensure_egress(
    ec2: Any,
    stage: Stage,
    say: Say,
    found: dict[str, Any],
    vpc_id: str,
    zone: str,
    private_table: str,
    waiter: dict[str, int],
) -> None:
    """Internet gateway, public subnet + route table, EIP + NAT gateway, private default route: each step
    checks what exists first, so a run interrupted between any two of them is completed by the next."""
    region = stage.region
    if found["internet_gateways"]:
        gateway = found["internet_gateways"][0]
        with aws_call("ec2:DescribeInternetGateways", "ec2", region):
            attached = ec2.describe_internet_gateways(InternetGatewayIds=[gateway])["InternetGateways"][0]
        if not any(a["VpcId"] == vpc_id for a in attached.get("Attachments", [])):
            with aws_call("ec2:AttachInternetGateway", "ec2", region):
                ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc_id)
            say(f"attached internet gateway {gateway} to {vpc_id}")
    else:
        with aws_call("ec2:CreateInternetGateway", "ec2", region):
            gateway = ec2.create_internet_gateway(TagSpecifications=_tags(stage, "internet-gateway"))[
                "InternetGateway"
            ]["InternetGatewayId"]
            ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc_id)
        say(f"created internet gateway {gateway}, attached to {vpc_id}")
    if found["public_subnets"]:
        public_subnet = found["public_subnets"][0]
    else:
        with aws_call("ec2:CreateSubnet", "ec2", region):
            public_subnet = ec2.create_subnet(
                VpcId=vpc_id,
                CidrBlock=PUBLIC_SUBNET_CIDR,
                AvailabilityZone=zone,
                TagSpecifications=_tags(stage, "subnet", PUBLIC),
            )["Subnet"]["SubnetId"]
        say(f"created public subnet {public_subnet} in {zone}")
    if found["public_route_tables"]:
        public_table = found["public_route_tables"][0]
    else:
        with aws_call("ec2:CreateRouteTable", "ec2", region):
            public_table = ec2.create_route_table(VpcId=vpc_id, TagSpecifications=_tags(stage, "route-table", PUBLIC))[
                "RouteTable"
            ]["RouteTableId"]
        say(f"created public route table {public_table}")
    with aws_call("ec2:DescribeRouteTables", "ec2", region):
        described = ec2.describe_route_tables(RouteTableIds=[public_table])["RouteTables"][0]
    if not any(a.get("SubnetId") == public_subnet for a in described.get("Associations", [])):
        with aws_call("ec2:AssociateRouteTable", "ec2", region):
            ec2.associate_route_table(RouteTableId=public_table, SubnetId=public_subnet)
    _ensure_default_route(ec2, stage, say, public_table, described, {"GatewayId": gateway})
    if found["nat_gateways"]:
        nat_gateway = found["nat_gateways"][0]
    else:
        if found["elastic_ips"]:
            allocation = found["elastic_ips"][0]  # left by a run interrupted before the NAT gateway
        else:
            with aws_call("ec2:AllocateAddress", "ec2", region):
                allocation = ec2.allocate_address(Domain="vpc", TagSpecifications=_tags(stage, "elastic-ip"))[
                    "AllocationId"
                ]
            say(f"allocated Elastic IP {allocation}")
        with aws_call("ec2:CreateNatGateway", "ec2", region):
            nat_gateway = ec2.create_nat_gateway(
                SubnetId=public_subnet,
                AllocationId=allocation,
                ConnectivityType="public",
                ClientToken=stage.client_token("nat"),
                TagSpecifications=_tags(stage, "natgateway"),
            )["NatGateway"]["NatGatewayId"]
        say(f"created NAT gateway {nat_gateway}; waiting until it is available")
    with aws_call("ec2:DescribeNatGateways (waiting for available)", "ec2", region):
        ec2.get_waiter("nat_gateway_available").wait(NatGatewayIds=[nat_gateway], WaiterConfig=waiter)
    with aws_call("ec2:DescribeRouteTables", "ec2", region):
        private = ec2.describe_route_tables(RouteTableIds=[private_table])["RouteTables"][0]
    _ensure_default_route(ec2, stage, say, private_table, private, {"NatGatewayId": nat_gateway})


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
    nat_gateways = found["nat_gateways"] + found.get("nat_gateways_deleting", [])
    if nat_gateways:
        with aws_call("ec2:DeleteNatGateway", "ec2", region):
            for nat_gateway in found["nat_gateways"]:
                _ignore_missing(lambda n=nat_gateway: ec2.delete_nat_gateway(NatGatewayId=n))
            say(f"deleting NAT gateway {', '.join(nat_gateways)}; waiting until it is deleted")
            ec2.get_waiter("nat_gateway_deleted").wait(
                NatGatewayIds=nat_gateways, WaiterConfig=nat_waiter or _waiter_config(wait_delay)
            )
        say(f"deleted NAT gateway {', '.join(nat_gateways)}")
    for allocation in found["elastic_ips"]:
        with aws_call("ec2:ReleaseAddress", "ec2", region):
            _ignore_missing(lambda a=allocation: ec2.release_address(AllocationId=a))
        say(f"released Elastic IP {allocation}")
    for gateway in found["internet_gateways"]:
        with aws_call("ec2:DeleteInternetGateway", "ec2", region):
            described = ec2.describe_internet_gateways(InternetGatewayIds=[gateway])["InternetGateways"]
            for attachment in described[0].get("Attachments", []) if described else []:
                ec2.detach_internet_gateway(InternetGatewayId=gateway, VpcId=attachment["VpcId"])
            _ignore_missing(lambda g=gateway: ec2.delete_internet_gateway(InternetGatewayId=g))
        say(f"deleted internet gateway {gateway}")
    _delete_route_tables(ec2, stage, say, found["public_route_tables"])
    deadline = time.monotonic() + 300  # the NAT gateway's own ENI goes a little after the gateway
    for subnet in found["public_subnets"]:
        _delete_when_free("public subnet", subnet, lambda s: ec2.delete_subnet(SubnetId=s), deadline, 5, say, region)


def _ignore_missing(call: Callable[[], Any]) -> None:
    """Run a delete; a resource already gone (NotFound) is what we wanted."""
    from botocore.exceptions import ClientError

    try:
        call()
    except ClientError as exc:
        if "NotFound" not in exc.response["Error"]["Code"]:
            raise


def _delete_route_tables(ec2: Any, stage: Stage, say: Say, tables: list[str]) -> None:
    for table in tables:
        with aws_call("ec2:DeleteRouteTable", "ec2", stage.region):
            described = ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"][0]
            for association in described.get("Associations", []):
                if not association.get("Main"):
                    ec2.disassociate_route_table(AssociationId=association["RouteTableAssociationId"])
            ec2.delete_route_table(RouteTableId=table)
        say(f"deleted route table {table}")


def delete_network(
    ec2: Any, stage: Stage, say: Say, *, eni_wait: float = 1200, poll: float = 15, wait_delay: int = 15
) -> None:
    """Remove the stage's network pieces, leaves first: egress (delete_egress), endpoints, route table,
    security group, subnets, VPC. Lambda releases its ENIs some minutes after the function is deleted, so
    a security group or subnet still in use is retried until `eni_wait` runs out."""
    found = find_network(ec2, stage)
    region = stage.region
    delete_egress(ec2, stage, say, found, wait_delay=wait_delay)
    if found["endpoints"]:
        with aws_call("ec2:DeleteVpcEndpoints", "ec2", region):
            ec2.delete_vpc_endpoints(VpcEndpointIds=found["endpoints"])
        say(f"deleted gateway endpoints {', '.join(found['endpoints'])}")
    _delete_route_tables(ec2, stage, say, found["route_tables"])
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
