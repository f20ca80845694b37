"""Egress of the provisioned VPC (IGW, public subnet, EIP + NAT gateway, default routes) against a real moto
server over HTTP, through the management commands. moto makes a NAT gateway `available` (and `deleted`) at
once, so the waiters return on their first poll here; their bound is tested with botocore's Stubber in
test_errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from deploy.naming import TAG_MANAGED_BY, TAG_STAGE, Stage
from tests.deploy.test_provision import ROOT, client, leftovers, provision, run

pytestmark = pytest.mark.slow

ANYWHERE = "0.0.0.0/0"


@pytest.fixture
def settings_file(tmp_path: Path) -> Path:
    copy = tmp_path / "zappa_settings.json"
    shutil.copy(ROOT / "zappa_settings.json", copy)
    return copy


def stage_of(settings_file: Path) -> dict[str, Any]:
    return json.loads(settings_file.read_text())["dev"]


def default_route(table: dict[str, Any]) -> dict[str, Any] | None:
    return next((r for r in table["Routes"] if r.get("DestinationCidrBlock") == ANYWHERE), None)


def tags_of(item: dict[str, Any]) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in item.get("Tags", [])}


def network_state(endpoint: str, vpc_id: str) -> dict[str, Any]:
    """Everything egress-related in the VPC, found by VPC (not by our tags, so untagged pieces show up too)."""
    ec2 = client("ec2", endpoint)
    by_vpc = [{"Name": "vpc-id", "Values": [vpc_id]}]
    return {
        "igws": ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}])[
            "InternetGateways"
        ],
        "nats": [n for n in ec2.describe_nat_gateways(Filters=by_vpc)["NatGateways"] if n["State"] != "deleted"],
        "eips": ec2.describe_addresses()["Addresses"],
        "subnets": ec2.describe_subnets(Filters=by_vpc)["Subnets"],
        "tables": [t for t in ec2.describe_route_tables(Filters=by_vpc)["RouteTables"] if not _is_main(t)],
    }


def _is_main(table: dict[str, Any]) -> bool:
    return any(a.get("Main") for a in table.get("Associations", []))


def table_of(state: dict[str, Any], subnet_id: str) -> dict[str, Any]:
    (table,) = [t for t in state["tables"] if any(a.get("SubnetId") == subnet_id for a in t["Associations"])]
    return table


def vpc_of(endpoint: str, settings_file: Path) -> str:
    subnet = stage_of(settings_file)["vpc_config"]["SubnetIds"][0]
    return client("ec2", endpoint).describe_subnets(SubnetIds=[subnet])["Subnets"][0]["VpcId"]


def test_private_subnets_route_out_through_one_nat_gateway_in_a_public_subnet(
    aws_endpoint: str, settings_file: Path
) -> None:
    provision(settings_file)

    private_ids = stage_of(settings_file)["vpc_config"]["SubnetIds"]
    vpc_id = vpc_of(aws_endpoint, settings_file)
    state = network_state(aws_endpoint, vpc_id)
    (nat,) = state["nats"]
    (igw,) = state["igws"]
    (public,) = [s for s in state["subnets"] if s["SubnetId"] not in private_ids]
    assert public["CidrBlock"] == "10.42.32.0/24"
    assert nat["State"] == "available"
    assert nat["SubnetId"] == public["SubnetId"]
    for subnet_id in private_ids:  # both private subnets: 0.0.0.0/0 via the NAT gateway
        route = default_route(table_of(state, subnet_id))
        assert route is not None
        assert route.get("NatGatewayId") == nat["NatGatewayId"]
        assert "GatewayId" not in route or not route["GatewayId"].startswith("igw-")
    public_route = default_route(table_of(state, public["SubnetId"]))
    assert public_route is not None
    assert public_route.get("GatewayId") == igw["InternetGatewayId"]
    assert [a["VpcId"] for a in igw["Attachments"]] == [vpc_id]
    (eip,) = state["eips"]
    assert nat["NatGatewayAddresses"][0]["AllocationId"] == eip["AllocationId"]
    private_table = table_of(state, private_ids[0])["RouteTableId"]
    endpoints = client("ec2", aws_endpoint).describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])
    assert {e["ServiceName"].rsplit(".", 1)[1] for e in endpoints["VpcEndpoints"]} == {"dynamodb", "s3"}
    assert all(e["RouteTableIds"] == [private_table] for e in endpoints["VpcEndpoints"])
    for item in (nat, igw, eip, public, table_of(state, public["SubnetId"])):
        assert tags_of(item)[TAG_STAGE] == "dev"
        assert tags_of(item)[TAG_MANAGED_BY] == "vela-provision"
    assert stage_of(settings_file)["vela_nat_gateway"] is True


def test_rerun_creates_no_new_egress_piece(aws_endpoint: str, settings_file: Path) -> None:
    provision(settings_file)
    vpc_id = vpc_of(aws_endpoint, settings_file)
    before = network_state(aws_endpoint, vpc_id)

    output = provision(settings_file)

    assert network_state(aws_endpoint, vpc_id) == before
    assert "created" not in output
    assert "allocated" not in output
    assert "route 0.0.0.0/0" not in output


def test_show_stage_reports_the_egress_pieces(aws_endpoint: str, settings_file: Path) -> None:
    provision(settings_file)
    state = network_state(aws_endpoint, vpc_of(aws_endpoint, settings_file))

    shown = json.loads(run("show_stage", settings_file, "--json"))["network"]

    assert shown["nat_gateways"] == [n["NatGatewayId"] for n in state["nats"]]
    assert shown["internet_gateways"] == [g["InternetGatewayId"] for g in state["igws"]]
    assert shown["elastic_ips"] == [a["AllocationId"] for a in state["eips"]]
    private_ids = stage_of(settings_file)["vpc_config"]["SubnetIds"]
    assert shown["subnets"] == sorted(private_ids)
    assert shown["public_subnets"] == [s["SubnetId"] for s in state["subnets"] if s["SubnetId"] not in private_ids]
    assert len(shown["public_route_tables"]) == 1
    assert shown["public_route_tables"][0] not in shown["route_tables"]


def test_teardown_removes_egress_in_dependency_order(aws_endpoint: str, settings_file: Path) -> None:
    provision(settings_file)

    output = run("teardown_stage", settings_file, "--yes", "--eni-wait", "0", "--wait-delay", "1")

    steps = [
        "deleted route 0.0.0.0/0",
        "deleting NAT gateway",
        "deleted NAT gateway",
        "released Elastic IP",
        "deleted internet gateway",
        "deleted public subnet",
        "deleted VPC",
    ]
    positions = [output.index(step) for step in steps]
    assert positions == sorted(positions), output
    assert leftovers(aws_endpoint) == {}
    assert not client("ec2", aws_endpoint).describe_addresses()["Addresses"]


def test_teardown_tolerates_egress_pieces_already_gone(aws_endpoint: str, settings_file: Path) -> None:
    provision(settings_file)
    vpc_id = vpc_of(aws_endpoint, settings_file)
    state = network_state(aws_endpoint, vpc_id)
    ec2 = client("ec2", aws_endpoint)
    ec2.delete_nat_gateway(NatGatewayId=state["nats"][0]["NatGatewayId"])  # someone cleaned up by hand
    ec2.release_address(AllocationId=state["eips"][0]["AllocationId"])
    ec2.detach_internet_gateway(InternetGatewayId=state["igws"][0]["InternetGatewayId"], VpcId=vpc_id)
    ec2.delete_internet_gateway(InternetGatewayId=state["igws"][0]["InternetGatewayId"])

    run("teardown_stage", settings_file, "--yes", "--eni-wait", "0")

    assert leftovers(aws_endpoint) == {}


def test_rerun_replaces_a_lost_nat_gateway_and_its_route(aws_endpoint: str, settings_file: Path) -> None:
    provision(settings_file)
    vpc_id = vpc_of(aws_endpoint, settings_file)
    old = network_state(aws_endpoint, vpc_id)
    ec2 = client("ec2", aws_endpoint)
    ec2.delete_nat_gateway(NatGatewayId=old["nats"][0]["NatGatewayId"])  # the private route is now a blackhole
    ec2.release_address(AllocationId=old["eips"][0]["AllocationId"])  # (moto keeps it associated; AWS frees it)

    output = provision(settings_file)

    new = network_state(aws_endpoint, vpc_id)
    (nat,) = new["nats"]
    assert nat["NatGatewayId"] != old["nats"][0]["NatGatewayId"]
    for subnet_id in stage_of(settings_file)["vpc_config"]["SubnetIds"]:
        assert default_route(table_of(new, subnet_id))["NatGatewayId"] == nat["NatGatewayId"]
    assert f"route 0.0.0.0/0 -> {nat['NatGatewayId']}" in output
    assert [i["InternetGatewayId"] for i in new["igws"]] == [i["InternetGatewayId"] for i in old["igws"]]


def test_rerun_uses_the_address_an_interrupted_run_allocated(aws_endpoint: str, settings_file: Path) -> None:
    provision(settings_file, "--no-nat")
    tags = Stage("dev", "us-east-1", "123456789012").tag_list()
    ec2 = client("ec2", aws_endpoint)  # as if the run died between AllocateAddress and CreateNatGateway
    allocation = ec2.allocate_address(Domain="vpc", TagSpecifications=[{"ResourceType": "elastic-ip", "Tags": tags}])

    output = provision(settings_file, "--nat")

    (nat,) = network_state(aws_endpoint, vpc_of(aws_endpoint, settings_file))["nats"]
    assert nat["NatGatewayAddresses"][0]["AllocationId"] == allocation["AllocationId"]
    assert [a["AllocationId"] for a in ec2.describe_addresses()["Addresses"]] == [allocation["AllocationId"]]
    assert "allocated" not in output


def test_no_nat_creates_no_egress_and_reruns_keep_it_that_way(aws_endpoint: str, settings_file: Path) -> None:
    provision(settings_file, "--no-nat")
    vpc_id = vpc_of(aws_endpoint, settings_file)

    state = network_state(aws_endpoint, vpc_id)
    assert (state["igws"], state["nats"], state["eips"]) == ([], [], [])
    assert len(state["subnets"]) == 2
    assert [default_route(t) for t in state["tables"]] == [None]
    assert stage_of(settings_file)["vela_nat_gateway"] is False

    output = provision(settings_file)  # no flag: the recorded choice holds

    assert network_state(aws_endpoint, vpc_id) == state
    assert "created" not in output
    assert "allocated" not in output
    run("teardown_stage", settings_file, "--yes", "--eni-wait", "0")
    assert leftovers(aws_endpoint) == {}
    assert stage_of(settings_file)["vela_nat_gateway"] is False  # a choice, not an output: kept


def test_switching_nat_on_and_off(aws_endpoint: str, settings_file: Path) -> None:
    provision(settings_file, "--no-nat")
    vpc_id = vpc_of(aws_endpoint, settings_file)

    provision(settings_file, "--nat")

    assert len(network_state(aws_endpoint, vpc_id)["nats"]) == 1
    assert stage_of(settings_file)["vela_nat_gateway"] is True

    output = provision(settings_file, "--no-nat")

    state = network_state(aws_endpoint, vpc_id)
    assert (state["igws"], state["nats"], state["eips"]) == ([], [], [])
    assert len(state["subnets"]) == 2
    assert [default_route(t) for t in state["tables"]] == [None]
    assert "--no-nat: removing" in output
    assert stage_of(settings_file)["vela_nat_gateway"] is False
