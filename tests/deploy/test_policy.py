"""The function role's policy and the stages of zappa_settings.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deploy.policy import PolicyInputs, function_policy, table_resources
from deploy.settings_file import ZappaSettings
from vela.dynamodb_schema import TABLES

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT, REGION = "123456789012", "us-east-1"
CLUSTER = f"arn:aws:dsql:{REGION}:{ACCOUNT}:cluster/abcdefghijklmnopqrstuvwxyz"
NAMES = {spec.logical: spec.default_name for spec in TABLES}


def inputs(**overrides: object) -> PolicyInputs:
    values: dict = {
        "region": REGION,
        "account": ACCOUNT,
        "function_name": "vela-api-dev",
        "cluster_arn": CLUSTER,
        "table_names": NAMES,
    }
    values.update(overrides)
    return PolicyInputs(**values)


def statements(policy: dict) -> dict[str, dict]:
    return {s["Sid"]: s for s in policy["Statement"]}


def test_minimal_policy_has_exactly_logs_eni_dynamodb_and_dsql_connect() -> None:
    found = statements(function_policy(inputs()))

    assert set(found) == {"Logs", "VpcNetworkInterfaces", "DynamoDbVelaTables", "DsqlConnectAsAppRole"}
    assert found["DsqlConnectAsAppRole"]["Action"] == ["dsql:DbConnect"]
    assert found["DsqlConnectAsAppRole"]["Resource"] == [CLUSTER]
    assert found["Logs"]["Resource"] == [f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/vela-api-dev:*"]


def test_dynamodb_is_limited_to_vela_tables_and_their_named_indexes() -> None:
    resources = statements(function_policy(inputs()))["DynamoDbVelaTables"]["Resource"]

    assert len(resources) == len(TABLES) + sum(len(spec.indexes) for spec in TABLES)
    assert f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/vela-chat-history/index/UserIdIndex" in resources
    progress = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/vela-user-vocabulary-progress"
    assert {progress, f"{progress}/index/NextReviewDateIndex"} <= set(resources)
    for content in ("vela-vocabulary", "vela-sentences"):
        assert f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{content}/index/JlptLevelIndex" in resources
    assert all("*" not in arn for arn in resources)


def test_no_wildcard_actions_no_admin_no_legacy_services() -> None:
    policy = function_policy(inputs(tts_bucket="vela-tts-audio-1", user_pool_id="us-east-1_abc", auto_confirm=True))
    actions = [a for s in policy["Statement"] for a in s["Action"]]

    assert not [a for a in actions if a.endswith("*")]
    assert "dsql:DbConnectAdmin" not in actions
    assert {a.split(":")[0] for a in actions} == {"logs", "ec2", "dynamodb", "dsql", "s3", "cognito-idp"}
    assert [s["Sid"] for s in policy["Statement"] if s["Resource"] == "*"] == ["VpcNetworkInterfaces"]


def test_optional_statements_follow_the_stage_settings() -> None:
    without = statements(function_policy(inputs(user_pool_id="us-east-1_abc", auto_confirm=False)))
    with_all = statements(
        function_policy(inputs(tts_bucket="vela-tts-audio-1", user_pool_id="us-east-1_abc", auto_confirm=True))
    )

    assert "CognitoAutoConfirm" not in without
    assert "TtsAudioObjects" not in without
    assert with_all["TtsAudioObjects"]["Resource"] == ["arn:aws:s3:::vela-tts-audio-1/tts/*"]
    pool = f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/us-east-1_abc"
    assert with_all["CognitoAutoConfirm"]["Resource"] == [pool]


def test_cluster_arn_of_another_account_is_refused() -> None:
    with pytest.raises(ValueError, match="not a DSQL cluster ARN"):
        function_policy(inputs(cluster_arn="arn:aws:dsql:us-east-1:999999999999:cluster/x"))


def test_table_resources_follow_configured_names() -> None:
    renamed = {**NAMES, "profiles": "stage-profiles"}

    assert f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/stage-profiles" in table_resources(REGION, ACCOUNT, renamed)


@pytest.mark.parametrize("stage", ["dev", "production"])
def test_stages_are_complete_and_least_privilege(stage: str) -> None:
    config = ZappaSettings(ROOT / "zappa_settings.json").stage(stage)

    assert config["runtime"] == "python3.12"
    assert config["django_settings"] == "vela.settings"
    assert config["manage_roles"] is False  # the role comes from provision_stage, never Zappa's defaults
    assert "extra_permissions" not in config
    assert "attach_policy" not in config
    assert {"tests", "*.pyc", "__pycache__", ".env"} <= set(config["exclude"])
    assert isinstance(config["keep_warm"], bool)
    assert config["aws_environment_variables"]["AURORA_DB_USER"] == "vela_app"


@pytest.mark.parametrize("stage", ["dev", "production"])
def test_zappa_never_logs_whole_events(stage: str) -> None:
    # With Zappa's `debug` on, its handler logs every incoming event, Authorization header (a JWT)
    # included; its default is on, so every stage must turn it off explicitly.
    config = ZappaSettings(ROOT / "zappa_settings.json").stage(stage)

    assert config.get("debug") is False
    assert config["log_level"] in {"INFO", "WARNING", "ERROR"}


@pytest.mark.parametrize("stage", ["dev", "production"])
def test_baked_and_function_environment_never_overlap(stage: str) -> None:
    # Zappa's handler copies the baked dict over os.environ: an overlapping key would hide the
    # value provisioning writes into the function's configuration.
    config = ZappaSettings(ROOT / "zappa_settings.json").stage(stage)

    assert not set(config["environment_variables"]) & set(config["aws_environment_variables"])
    assert "DJANGO_SECRET_KEY" not in json.dumps(config)


def test_every_stage_repeats_the_whole_environment() -> None:
    data = json.loads((ROOT / "zappa_settings.json").read_text())

    assert set(data["dev"]["environment_variables"]) == set(data["production"]["environment_variables"])
    assert {spec.setting for spec in TABLES} <= set(data["dev"]["environment_variables"])


def test_remote_env_secrets_object_is_readable_and_nothing_else_in_the_bucket() -> None:
    found = statements(function_policy(inputs(remote_env="s3://vela-api-dev-deploy-1/secrets/dev.json")))

    assert found["RemoteEnvSecrets"]["Action"] == ["s3:GetObject"]
    assert found["RemoteEnvSecrets"]["Resource"] == ["arn:aws:s3:::vela-api-dev-deploy-1/secrets/dev.json"]
    with pytest.raises(ValueError, match="remote_env"):
        function_policy(inputs(remote_env="vela-api-dev-deploy-1"))
