"""AWS failures moto cannot produce (quota, throttling, denial) end in a CommandError naming cause and fix.
Driven through botocore's Stubber on the real provisioning code."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError
from botocore.stub import Stubber
from django.core.management.base import CommandError

from deploy import cluster, egress, network
from deploy.errors import explain
from deploy.naming import Stage

STAGE = Stage("dev", "us-east-1", "123456789012")


def stubbed(service: str) -> tuple[object, Stubber]:
    client = boto3.client(service, region_name="us-east-1")
    return client, Stubber(client)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("ServiceQuotaExceededException", "quota exceeded.*Service Quotas"),
        ("ThrottlingException", "throttled.*rerun"),
        ("AccessDeniedException", "denied.*dsql:CreateCluster"),
    ],
)
def test_cluster_creation_failures_name_cause_and_fix(code: str, expected: str) -> None:
    dsql, stub = stubbed("dsql")
    stub.add_response("list_clusters", {"clusters": []})
    stub.add_client_error("create_cluster", service_error_code=code, service_message="nope", http_status_code=400)

    with stub, pytest.raises(CommandError, match=expected):
        cluster.ensure_cluster(dsql, STAGE, deletion_protection=False, say=lambda _: None)


def test_vpc_quota_is_explained() -> None:
    ec2, stub = stubbed("ec2")
    for call, key in (
        ("describe_vpcs", "Vpcs"),
        ("describe_subnets", "Subnets"),
        ("describe_security_groups", "SecurityGroups"),
        ("describe_route_tables", "RouteTables"),
        ("describe_vpc_endpoints", "VpcEndpoints"),
        ("describe_internet_gateways", "InternetGateways"),
        ("describe_nat_gateways", "NatGateways"),
        ("describe_addresses", "Addresses"),
    ):
        stub.add_response(call, {key: []})
    stub.add_client_error("create_vpc", service_error_code="VpcLimitExceeded", service_message="limit 5")

    with stub, pytest.raises(CommandError, match="quota exceeded"):
        network.ensure_network(ec2, STAGE, lambda _: None)


def test_region_without_dsql_endpoint_is_explained() -> None:
    unreachable = EndpointConnectionError(endpoint_url="https://dsql.xx-east-9.api.aws")

    error = explain(unreachable, "dsql:ListClusters", "dsql", "xx-east-9")

    assert "xx-east-9" in str(error)
    assert "aws_region" in str(error)


def test_a_nat_gateway_that_never_finishes_deleting_ends_the_wait() -> None:
    """The NAT gateway waiter is bounded (MaxAttempts), and running out is explained, not a traceback."""
    ec2, stub = stubbed("ec2")
    stub.add_response("delete_nat_gateway", {"NatGatewayId": "nat-0123456789abcdef0"})
    for _ in range(2):
        stub.add_response(
            "describe_nat_gateways", {"NatGateways": [{"NatGatewayId": "nat-0123456789abcdef0", "State": "deleting"}]}
        )
    found = {key: [] for key in (*egress.EGRESS_KEYS, "route_tables")}
    found["nat_gateways"] = ["nat-0123456789abcdef0"]

    with stub, pytest.raises(CommandError, match="gave up waiting"):
        egress.delete_egress(ec2, STAGE, lambda _: None, found, nat_waiter={"Delay": 0, "MaxAttempts": 2})
    stub.assert_no_pending_responses()
