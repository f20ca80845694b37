"""The function role's trust and permission policies: exactly what the API calls, on Vela's resources only.

No legacy RDS Data API or database-secret access, no Zappa defaults (`s3:*`, `dynamodb:*` on every table, ...).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from vela.dynamodb_schema import TABLES

# Item-level calls of the repositories (reference §6.4 plus atomic counters and transactions:
# TransactWriteItems is authorised per item as Put/Update/ConditionCheck). No table management.
DYNAMODB_ACTIONS = (
    "dynamodb:BatchGetItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DeleteItem",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:UpdateItem",
)
# What AWSLambdaVPCAccessExecutionRole grants for ENIs; EC2 does not scope these by resource.
VPC_ENI_ACTIONS = (
    "ec2:AssignPrivateIpAddresses",
    "ec2:CreateNetworkInterface",
    "ec2:DeleteNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSubnets",
    "ec2:UnassignPrivateIpAddresses",
)
# GetUser, InitiateAuth and GlobalSignOut are Cognito's public APIs (authorised by the user's token
# or the app client), so they need no IAM permission. Only auto-confirm uses admin APIs.
COGNITO_AUTO_CONFIRM_ACTIONS = ("cognito-idp:AdminConfirmSignUp", "cognito-idp:ListUsers")


@dataclass(frozen=True, slots=True)
class PolicyInputs:
    region: str
    account: str
    function_name: str
    cluster_arn: str
    table_names: dict[str, str]
    tts_bucket: str = ""
    user_pool_id: str = ""
    auto_confirm: bool = False
    remote_env: str = ""  # Zappa's `remote_env` (s3://bucket/key): secrets read at cold start


def trust_policy() -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }


def table_resources(region: str, account: str, table_names: dict[str, str]) -> list[str]:
    """Each Vela table, and each of its indexes by name (from the catalogue)."""
    resources = []
    for spec in TABLES:
        arn = f"arn:aws:dynamodb:{region}:{account}:table/{table_names[spec.logical]}"
        resources.append(arn)
        resources.extend(f"{arn}/index/{index.name}" for index in spec.indexes)
    return resources


def _statement(sid: str, actions: Iterable[str], resources: list[str] | str, **extra: Any) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": sorted(actions), "Resource": resources, **extra}


def function_policy(inputs: PolicyInputs) -> dict[str, Any]:
    region, account = inputs.region, inputs.account
    if not inputs.cluster_arn.startswith(f"arn:aws:dsql:{region}:{account}:cluster/"):
        raise ValueError(f"{inputs.cluster_arn!r} is not a DSQL cluster ARN of {account} in {region}")
    log_group = f"arn:aws:logs:{region}:{account}:log-group:/aws/lambda/{inputs.function_name}"
    statements = [
        _statement("Logs", ["logs:CreateLogStream", "logs:PutLogEvents"], [f"{log_group}:*"]),
        _statement("VpcNetworkInterfaces", VPC_ENI_ACTIONS, "*"),
        _statement("DynamoDbVelaTables", DYNAMODB_ACTIONS, table_resources(region, account, inputs.table_names)),
        # A non-admin database role: DbConnect, never DbConnectAdmin.
        _statement("DsqlConnectAsAppRole", ["dsql:DbConnect"], [inputs.cluster_arn]),
    ]
    if inputs.tts_bucket:
        bucket = f"arn:aws:s3:::{inputs.tts_bucket}"
        statements.append(_statement("TtsAudioObjects", ["s3:GetObject", "s3:PutObject"], [f"{bucket}/tts/*"]))
        statements.append(
            _statement(
                "TtsAudioList",
                ["s3:ListBucket"],
                [bucket],
                Condition={"StringLike": {"s3:prefix": ["tts/*"]}},
            )
        )
    if inputs.remote_env:
        if not inputs.remote_env.startswith("s3://") or "/" not in inputs.remote_env[5:]:
            raise ValueError(f"remote_env {inputs.remote_env!r} is not an s3://bucket/key URL")
        statements.append(_statement("RemoteEnvSecrets", ["s3:GetObject"], [f"arn:aws:s3:::{inputs.remote_env[5:]}"]))
    if inputs.user_pool_id and inputs.auto_confirm:
        pool = f"arn:aws:cognito-idp:{region}:{account}:userpool/{inputs.user_pool_id}"
        statements.append(_statement("CognitoAutoConfirm", COGNITO_AUTO_CONFIRM_ACTIONS, [pool]))
    return {"Version": "2012-10-17", "Statement": statements}
