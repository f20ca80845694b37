"""Provisioning and teardown commands against a real moto server over HTTP (AWS_ENDPOINT_URL).

moto does not model IAM denials, quotas or throttling: those error paths are driven by botocore's
Stubber on the same code (test_errors), the rest runs for real."""

from __future__ import annotations

import json
import shutil
from io import StringIO
from pathlib import Path
from typing import Any

import boto3
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from deploy.naming import TAG_MANAGED_BY, TAG_STAGE
from vela.dynamodb_schema import TABLES

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
TABLE_NAMES = {spec.default_name for spec in TABLES}


@pytest.fixture
def settings_file(tmp_path: Path) -> Path:
    copy = tmp_path / "zappa_settings.json"
    shutil.copy(ROOT / "zappa_settings.json", copy)
    return copy


def run(command: str, settings_file: Path, *args: str) -> str:
    out = StringIO()
    call_command(command, "--stage", "dev", "--settings-file", str(settings_file), *args, stdout=out)
    return out.getvalue()


def provision(settings_file: Path, *args: str) -> str:
    return run("provision_stage", settings_file, "--skip-db-role", "--wait-delay", "1", *args)


def client(service: str, endpoint: str) -> Any:
    return boto3.client(service, region_name="us-east-1", endpoint_url=endpoint)


def test_provision_creates_everything_and_writes_the_stage(aws_endpoint: str, settings_file: Path) -> None:
    output = provision(settings_file)

    stage = json.loads(settings_file.read_text())["dev"]
    dsql = client("dsql", aws_endpoint)
    cluster = dsql.get_cluster(identifier=stage["aws_environment_variables"]["AURORA_DB_CLUSTER_ARN"].split("/")[-1])
    assert cluster["status"] == "ACTIVE"
    assert cluster["deletionProtectionEnabled"] is False
    assert cluster["tags"][TAG_STAGE] == "dev"
    assert stage["aws_environment_variables"]["AURORA_DB_ENDPOINT"] == cluster["endpoint"]
    assert stage["aws_environment_variables"]["AURORA_DB_USER"] == "vela_app"
    assert stage["role_arn"].endswith(":role/vela-api-dev-function")
    assert stage["manage_roles"] is False
    assert TABLE_NAMES <= set(client("dynamodb", aws_endpoint).list_tables()["TableNames"])
    ec2 = client("ec2", aws_endpoint)
    subnets = ec2.describe_subnets(SubnetIds=stage["vpc_config"]["SubnetIds"])["Subnets"]
    assert len({s["AvailabilityZone"] for s in subnets}) == 2
    vpc_id = subnets[0]["VpcId"]
    endpoints = ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["VpcEndpoints"]
    assert {e["ServiceName"] for e in endpoints} == {"com.amazonaws.us-east-1.dynamodb", "com.amazonaws.us-east-1.s3"}
    assert "stage dev provisioned" in output


def test_provision_is_idempotent(aws_endpoint: str, settings_file: Path) -> None:
    provision(settings_file)
    first = json.loads(settings_file.read_text())["dev"]

    output = provision(settings_file)

    assert json.loads(settings_file.read_text())["dev"] == first
    assert len(client("dsql", aws_endpoint).list_clusters()["clusters"]) == 1
    vpcs = client("ec2", aws_endpoint).describe_vpcs(Filters=[{"Name": f"tag:{TAG_STAGE}", "Values": ["dev"]}])
    assert len(vpcs["Vpcs"]) == 1
    assert "creating" not in output
    assert "created" not in output


def test_an_existing_table_without_a_catalogue_index_gains_it(aws_endpoint: str, settings_file: Path) -> None:
    ddb = client("dynamodb", aws_endpoint)
    ddb.create_table(  # the vocabulary table as deployed before JlptLevelIndex
        TableName="vela-vocabulary",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )

    output = provision(settings_file)

    indexes = ddb.describe_table(TableName="vela-vocabulary")["Table"]["GlobalSecondaryIndexes"]
    assert [(i["IndexName"], i["IndexStatus"]) for i in indexes] == [("JlptLevelIndex", "ACTIVE")]
    assert "vela-vocabulary: adding index JlptLevelIndex" in output
    assert "adding index" not in provision(settings_file)


def test_show_stage_reports_what_exists(aws_endpoint: str, settings_file: Path) -> None:
    provision(settings_file)

    state = json.loads(run("show_stage", settings_file, "--json"))

    assert state["cluster"]["status"] == "ACTIVE"
    assert set(state["tables"]) == TABLE_NAMES
    assert state["role"]["policies"] == ["vela-least-privilege"]
    assert state["function"] is None


def test_teardown_removes_everything_it_created_and_nothing_else(aws_endpoint: str, settings_file: Path) -> None:
    foreign = client("dynamodb", aws_endpoint)
    foreign.create_table(
        TableName="someone-elses-table",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    provision(settings_file)

    run("teardown_stage", settings_file, "--yes", "--eni-wait", "0")

    assert leftovers(aws_endpoint) == {}
    assert foreign.list_tables()["TableNames"] == ["someone-elses-table"]
    stage = json.loads(settings_file.read_text())["dev"]
    assert "role_arn" not in stage
    assert "vpc_config" not in stage
    assert "AURORA_DB_ENDPOINT" not in stage["aws_environment_variables"]


def test_production_cluster_keeps_deletion_protection(aws_endpoint: str, settings_file: Path) -> None:
    provision(settings_file, "--deletion-protection")

    with pytest.raises(CommandError, match=r"deletion protection.*--disable-deletion-protection"):
        run("teardown_stage", settings_file, "--yes", "--eni-wait", "0")

    assert client("dsql", aws_endpoint).list_clusters()["clusters"]  # nothing deleted after the refusal
    assert TABLE_NAMES <= set(client("dynamodb", aws_endpoint).list_tables()["TableNames"])
    run("teardown_stage", settings_file, "--yes", "--eni-wait", "0", "--disable-deletion-protection")
    assert leftovers(aws_endpoint) == {}


def test_teardown_refuses_while_the_function_is_deployed(aws_endpoint: str, settings_file: Path) -> None:
    provision(settings_file)
    role_arn = json.loads(settings_file.read_text())["dev"]["role_arn"]
    client("lambda", aws_endpoint).create_function(
        FunctionName="vela-api-dev",
        Runtime="python3.12",
        Role=role_arn,
        Handler="handler.lambda_handler",
        Code={"ZipFile": b"PK\x05\x06" + b"\x00" * 18},
    )

    with pytest.raises(CommandError, match="zappa undeploy dev"):
        run("teardown_stage", settings_file, "--yes")


def test_unsupported_region_fails_before_creating_anything(aws_endpoint: str, settings_file: Path) -> None:
    data = json.loads(settings_file.read_text())
    data["base"]["aws_region"] = "ap-southeast-4"
    settings_file.write_text(json.dumps(data))

    with pytest.raises(CommandError, match=r"ap-southeast-4.*Aurora DSQL"):
        provision(settings_file)

    ec2 = boto3.client("ec2", region_name="ap-southeast-4", endpoint_url=aws_endpoint)
    assert not ec2.describe_vpcs(Filters=[{"Name": f"tag:{TAG_MANAGED_BY}", "Values": ["vela-provision"]}])["Vpcs"]


def leftovers(endpoint: str) -> dict[str, Any]:
    """Everything Vela-tagged (or Vela-named) still in the account."""
    found: dict[str, Any] = {}
    dsql = client("dsql", endpoint)
    if clusters := dsql.list_clusters()["clusters"]:
        found["clusters"] = clusters
    if tables := TABLE_NAMES & set(client("dynamodb", endpoint).list_tables()["TableNames"]):
        found["tables"] = tables
    iam = client("iam", endpoint)
    if roles := [r["RoleName"] for r in iam.list_roles()["Roles"] if r["RoleName"].startswith("vela-api")]:
        found["roles"] = roles
    ec2 = client("ec2", endpoint)
    tag = [{"Name": f"tag:{TAG_MANAGED_BY}", "Values": ["vela-provision"]}]
    for kind, call, key in (
        ("vpcs", ec2.describe_vpcs, "Vpcs"),
        ("subnets", ec2.describe_subnets, "Subnets"),
        ("security_groups", ec2.describe_security_groups, "SecurityGroups"),
        ("route_tables", ec2.describe_route_tables, "RouteTables"),
    ):
        if items := call(Filters=tag)[key]:
            found[kind] = items
    endpoints = [e for e in ec2.describe_vpc_endpoints(Filters=tag)["VpcEndpoints"] if e["State"].lower() != "deleted"]
    if endpoints:
        found["endpoints"] = endpoints
    # moto ignores tag filters on NAT gateways: look at the tags here (deleted ones stay listed, as in AWS)
    for kind, items in (
        ("internet_gateways", ec2.describe_internet_gateways(Filters=tag)["InternetGateways"]),
        ("nat_gateways", [n for n in ec2.describe_nat_gateways()["NatGateways"] if n["State"] != "deleted"]),
        ("elastic_ips", ec2.describe_addresses(Filters=tag)["Addresses"]),
    ):
        if items := [i for i in items if {"Key": TAG_MANAGED_BY, "Value": "vela-provision"} in i.get("Tags", [])]:
            found[kind] = items
    if [b for b in client("s3", endpoint).list_buckets()["Buckets"] if b["Name"].startswith("vela-api-")]:
        found["buckets"] = True
    logs = client("logs", endpoint).describe_log_groups(logGroupNamePrefix="/aws/lambda/vela-api")["logGroups"]
    if logs:
        found["log_groups"] = logs
    lam = client("lambda", endpoint)
    if [f for f in lam.list_functions()["Functions"] if f["FunctionName"].startswith("vela-api")]:
        found["functions"] = True
    cloudwatch = client("cloudwatch", endpoint)
    if alarms := [a["AlarmName"] for a in cloudwatch.describe_alarms(AlarmNamePrefix="vela-api")["MetricAlarms"]]:
        found["alarms"] = alarms
    if dashboards := cloudwatch.list_dashboards(DashboardNamePrefix="vela-api")["DashboardEntries"]:
        found["dashboards"] = [d["DashboardName"] for d in dashboards]
    return found


def test_a_foreign_role_with_the_same_name_is_not_rewritten(aws_endpoint: str, settings_file: Path) -> None:
    iam = client("iam", aws_endpoint)
    allow = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    iam.create_role(RoleName="vela-api-dev-function", AssumeRolePolicyDocument=json.dumps(trust))
    iam.put_role_policy(RoleName="vela-api-dev-function", PolicyName="theirs", PolicyDocument=json.dumps(allow))

    with pytest.raises(CommandError, match="not tagged as stage dev"):
        provision(settings_file)

    assert iam.list_role_policies(RoleName="vela-api-dev-function")["PolicyNames"] == ["theirs"]


def test_rerun_claims_a_bucket_left_untagged_by_an_interrupted_run(aws_endpoint: str, settings_file: Path) -> None:
    s3 = client("s3", aws_endpoint)
    s3.create_bucket(Bucket="vela-api-dev-deploy-123456789012")  # as if the run died before tagging it

    provision(settings_file)
    run("teardown_stage", settings_file, "--yes", "--eni-wait", "0")

    assert leftovers(aws_endpoint) == {}


def test_a_given_network_is_used_and_left_alone(aws_endpoint: str, settings_file: Path) -> None:
    ec2 = client("ec2", aws_endpoint)
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="theirs", Description="theirs", VpcId=vpc)["GroupId"]
    data = json.loads(settings_file.read_text())
    data["dev"]["vpc_config"] = {"SubnetIds": [subnet], "SecurityGroupIds": [group]}
    settings_file.write_text(json.dumps(data))

    provision(settings_file)
    run("teardown_stage", settings_file, "--yes", "--eni-wait", "0")

    assert leftovers(aws_endpoint) == {}
    assert ec2.describe_subnets(SubnetIds=[subnet])["Subnets"]


def test_a_given_network_that_does_not_exist_is_named(aws_endpoint: str, settings_file: Path) -> None:
    data = json.loads(settings_file.read_text())
    data["dev"]["vpc_config"] = {"SubnetIds": ["subnet-0123456789abcdef0"], "SecurityGroupIds": ["sg-01234567"]}
    settings_file.write_text(json.dumps(data))

    with pytest.raises(CommandError, match="vpc_config"):
        provision(settings_file)

    assert not client("dsql", aws_endpoint).list_clusters()["clusters"]


def test_provision_after_teardown_gets_a_new_active_cluster(aws_endpoint: str, settings_file: Path) -> None:
    provision(settings_file)
    first = json.loads(settings_file.read_text())["dev"]["aws_environment_variables"]["AURORA_DB_CLUSTER_ARN"]
    run("teardown_stage", settings_file, "--yes", "--eni-wait", "0")

    provision(settings_file)

    second = json.loads(settings_file.read_text())["dev"]["aws_environment_variables"]["AURORA_DB_CLUSTER_ARN"]
    assert second != first
    assert client("dsql", aws_endpoint).get_cluster(identifier=second.split("/")[-1])["status"] == "ACTIVE"
