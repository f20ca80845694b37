"""User stories 1-2 against a moto server: provision, `zappa deploy`, `zappa status`, check the function,
`zappa undeploy`, teardown, and nothing Vela's is left.

Real parts: moto over HTTP (ThreadedMotoServer), the Zappa CLI in a subprocess with AWS_ENDPOINT_URL,
the packaged zip, the local PostgreSQL for the database-role step (DSQL's data plane is not in moto;
its DSQL-only `AWS IAM GRANT` is reported as skipped there). moto runs no function code (no Docker)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from io import StringIO
from pathlib import Path
from typing import Any

import boto3
import psycopg
import pytest
from django.core.management import call_command

from tests.conftest import PG_HOST, PG_PORT, PG_SUPERUSER, TEST_DB_SUFFIX
from tests.deploy.conftest import ROOT, ZAPPA
from tests.deploy.test_provision import leftovers

pytestmark = pytest.mark.slow

ACCOUNT = "123456789012"
ROLE = "vela_app_e2e" + TEST_DB_SUFFIX  # not vela_app: the local PostgreSQL is shared with other test runs
FUNCTION_ACTIONS = [
    ("Logs", ["logs:CreateLogStream", "logs:PutLogEvents"]),
    (
        "VpcNetworkInterfaces",
        [
            "ec2:AssignPrivateIpAddresses",
            "ec2:CreateNetworkInterface",
            "ec2:DeleteNetworkInterface",
            "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeSubnets",
            "ec2:UnassignPrivateIpAddresses",
        ],
    ),
    (
        "DynamoDbVelaTables",
        [
            "dynamodb:BatchGetItem",
            "dynamodb:BatchWriteItem",
            "dynamodb:ConditionCheckItem",
            "dynamodb:DeleteItem",
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:Query",
            "dynamodb:Scan",
            "dynamodb:UpdateItem",
        ],
    ),
    ("DsqlConnectAsAppRole", ["dsql:DbConnect"]),
]


def expected_statements(cluster_arn: str) -> list[dict[str, Any]]:
    table = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table"
    resources = {
        "Logs": [f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/lambda/vela-api-dev:*"],
        "VpcNetworkInterfaces": "*",
        "DynamoDbVelaTables": [
            f"{table}/vela-profiles",
            f"{table}/vela-vocabulary",
            f"{table}/vela-vocabulary/index/JlptLevelIndex",
            f"{table}/vela-sentences",
            f"{table}/vela-sentences/index/JlptLevelIndex",
            f"{table}/vela-game-sessions",
            f"{table}/vela-daily-progress",
            f"{table}/vela-chat-history",
            f"{table}/vela-chat-history/index/UserIdIndex",
            f"{table}/vela-saved-sentences",
            f"{table}/vela-tts-settings",
            f"{table}/vela-user-vocabulary-progress",
            f"{table}/vela-user-vocabulary-progress/index/NextReviewDateIndex",
        ],
        "DsqlConnectAsAppRole": [cluster_arn],
    }
    return [
        {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resources[sid]}
        for sid, actions in FUNCTION_ACTIONS
    ]


def zappa(*args: str, endpoint: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AWS_ENDPOINT_URL": endpoint, "VIRTUAL_ENV": str(ROOT / ".venv-package")}
    return subprocess.run([str(ZAPPA), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def drop_app_role(database: str) -> None:
    with psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_SUPERUSER, dbname=database, autocommit=True) as c:
        if c.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (ROLE,)).fetchone():
            c.execute(f"DROP OWNED BY {ROLE}")
            c.execute(f"DROP ROLE {ROLE}")


def test_provision_deploy_status_undeploy_teardown(
    aws_endpoint: str, package: Any, tmp_path: Path, pg_database: str, django_db_blocker: Any
) -> None:
    settings_file = tmp_path / "zappa_settings.json"
    shutil.copy(ROOT / "zappa_settings.json", settings_file)
    data = json.loads(settings_file.read_text())
    data["dev"]["touch"] = False  # Zappa's post-deploy GET would go to the real execute-api host
    settings_file.write_text(json.dumps(data))
    drop_app_role(pg_database)
    out = StringIO()

    # --- provision: the DSQL cluster's SQL side is the local PostgreSQL (token signed for the moto endpoint)
    with django_db_blocker.unblock():
        call_command(
            "provision_stage",
            "--stage",
            "dev",
            "--settings-file",
            str(settings_file),
            "--wait-delay",
            "1",
            "--db-role",
            ROLE,
            "--db-hostaddr",
            PG_HOST,
            "--db-sslmode",
            "disable",
            "--db-name",
            pg_database,
            stdout=out,
        )
    stage = json.loads(settings_file.read_text())["dev"]
    assert f"sql: CREATE ROLE {ROLE} WITH LOGIN" in out.getvalue()
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/vela-api-dev-function"
    assert f"skipped: AWS IAM GRANT {ROLE} TO '{role_arn}'" in out.getvalue()

    # --- deploy and status with the real Zappa CLI
    deployed = zappa("deploy", "dev", "-s", str(settings_file), "--zip", str(package.path), endpoint=aws_endpoint)
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    assert "Deployment complete" in deployed.stdout
    status = zappa("status", "dev", "-s", str(settings_file), endpoint=aws_endpoint)
    assert status.returncode == 0, status.stdout + status.stderr
    assert "vela-api-dev" in status.stdout

    lam = boto3.client("lambda", region_name="us-east-1", endpoint_url=aws_endpoint)
    function = lam.get_function_configuration(FunctionName="vela-api-dev")
    assert function["Runtime"] == "python3.12"
    assert function["Handler"] == "handler.lambda_handler"
    assert (function["MemorySize"], function["Timeout"]) == (1024, 60)
    assert function["Role"] == stage["role_arn"] == f"arn:aws:iam::{ACCOUNT}:role/vela-api-dev-function"
    assert sorted(function["VpcConfig"]["SubnetIds"]) == sorted(stage["vpc_config"]["SubnetIds"])
    assert function["VpcConfig"]["SecurityGroupIds"] == stage["vpc_config"]["SecurityGroupIds"]
    # the function's subnets reach the internet (Cognito, DSQL, LLM/TTS upstreams) through the NAT gateway
    ec2 = boto3.client("ec2", region_name="us-east-1", endpoint_url=aws_endpoint)
    (nat,) = [n for n in ec2.describe_nat_gateways()["NatGateways"] if n["State"] == "available"]
    for subnet_id in function["VpcConfig"]["SubnetIds"]:
        association = [{"Name": "association.subnet-id", "Values": [subnet_id]}]
        (table,) = ec2.describe_route_tables(Filters=association)["RouteTables"]
        routes = {r.get("DestinationCidrBlock"): r for r in table["Routes"]}
        assert routes["0.0.0.0/0"]["NatGatewayId"] == nat["NatGatewayId"]
    assert nat["SubnetId"] not in function["VpcConfig"]["SubnetIds"]
    environment = function["Environment"]["Variables"]
    assert environment["AURORA_DB_USER"] == ROLE
    assert environment["AURORA_DB_ENDPOINT"] == stage["aws_environment_variables"]["AURORA_DB_ENDPOINT"]
    cluster_arn = environment["AURORA_DB_CLUSTER_ARN"]
    assert cluster_arn.startswith(f"arn:aws:dsql:us-east-1:{ACCOUNT}:cluster/")

    iam = boto3.client("iam", region_name="us-east-1", endpoint_url=aws_endpoint)
    assert iam.list_role_policies(RoleName="vela-api-dev-function")["PolicyNames"] == ["vela-least-privilege"]
    assert iam.list_attached_role_policies(RoleName="vela-api-dev-function")["AttachedPolicies"] == []
    assert not [r for r in iam.list_roles()["Roles"] if "ZappaLambdaExecution" in r["RoleName"]]
    document = iam.get_role_policy(RoleName="vela-api-dev-function", PolicyName="vela-least-privilege")
    policy = document["PolicyDocument"]
    policy = json.loads(policy) if isinstance(policy, str) else policy
    assert policy["Statement"] == expected_statements(cluster_arn)

    # --- undeploy, then teardown: nothing Vela's is left
    undeployed = zappa("undeploy", "dev", "--yes", "-s", str(settings_file), endpoint=aws_endpoint)
    assert undeployed.returncode == 0, undeployed.stdout + undeployed.stderr
    call_command(
        "teardown_stage",
        "--stage",
        "dev",
        "--settings-file",
        str(settings_file),
        "--yes",
        "--eni-wait",
        "0",
        stdout=StringIO(),
    )
    assert leftovers(aws_endpoint) == {}  # incl. internet gateway, NAT gateway, Elastic IP, public subnet
    assert not ec2.describe_addresses()["Addresses"]
    assert not [n for n in ec2.describe_nat_gateways()["NatGateways"] if n["State"] != "deleted"]
    drop_app_role(pg_database)
