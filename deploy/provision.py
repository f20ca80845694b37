"""Provision, show and tear down one stage. The management commands are thin wrappers around these."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from vela import aws
from vela.dynamodb_schema import table_names_from_env

from . import cluster as clusters
from . import dbrole, identity, monitoring, network, tables
from .errors import aws_call
from .naming import APP_DB_ROLE, PROJECT, Stage
from .policy import PolicyInputs, function_policy, trust_policy
from .settings_file import ZappaSettings

Say = Callable[[str], None]
# Keys provisioning writes into the stage (and teardown removes again).
OUTPUT_KEYS = ["vpc_config", "role_arn", "s3_bucket"]
OUTPUT_ENV = ["AURORA_DB_ENDPOINT", "AURORA_DB_CLUSTER_ARN", "AURORA_DB_USER"]
# The stage's NAT choice (`--nat`/`--no-nat`), kept in the stage so a rerun without the flag does the same.
# A choice, not an output: teardown leaves it. Zappa ignores keys it does not know.
NAT_KEY = "vela_nat_gateway"


@dataclass
class StageContext:
    stage: Stage
    config: dict[str, Any]
    settings: ZappaSettings

    @property
    def env(self) -> dict[str, str]:
        return {**self.config.get("environment_variables", {}), **self.config.get("aws_environment_variables", {})}

    def table_names(self) -> dict[str, str]:
        return table_names_from_env(self.env)

    def client(self, service: str) -> Any:
        return aws.client(service, region=self.stage.region)


def load(stage_name: str, settings_file: Path | str | None = None) -> StageContext:
    settings = ZappaSettings(settings_file) if settings_file else ZappaSettings()
    config = settings.stage(stage_name)
    if config.get("project_name") != PROJECT:
        # Zappa names the function <project_name>-<stage>; provisioning derives every name from PROJECT.
        found = config.get("project_name")
        raise CommandError(f"project_name must be {PROJECT!r} in {settings.path} (found {found!r})")
    region = config.get("aws_region") or "us-east-1"
    with aws_call("sts:GetCallerIdentity", "sts", region):
        account = aws.client("sts", region=region).get_caller_identity()["Account"]
    try:
        stage = Stage(stage_name, region, account)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    return StageContext(stage, config, settings)


def preflight_dsql(ctx: StageContext) -> None:
    """Fail before creating anything when the region has no DSQL (or the deployer may not use it)."""
    with aws_call("dsql:ListClusters", "dsql", ctx.stage.region):
        ctx.client("dsql").list_clusters(maxResults=1)


@dataclass
class DbRoleOptions:
    skip: bool = False
    role: str = APP_DB_ROLE
    database: str = "postgres"
    sslmode: str = "verify-full"
    hostaddr: str = ""


def provision(
    ctx: StageContext,
    say: Say,
    *,
    deletion_protection: bool,
    db: DbRoleOptions,
    wait_delay: int = 10,
    nat: bool | None = None,
) -> dict[str, Any]:
    """`nat`: True/False from `--nat`/`--no-nat`; None reuses the stage's recorded choice (default: NAT)."""
    stage = ctx.stage
    if nat is None:
        nat = bool(ctx.config.get(NAT_KEY, True))
    say(f"stage {stage.name}: account {stage.account}, region {stage.region}")
    preflight_dsql(ctx)
    vpc_config = stage_network(ctx, say, nat=nat, wait_delay=wait_delay)
    tables.ensure_tables(ctx.client("dynamodb"), stage, ctx.table_names(), say)
    cluster = clusters.ensure_cluster(
        ctx.client("dsql"), stage, deletion_protection=deletion_protection, say=say, wait_delay=wait_delay
    )
    endpoint = clusters.endpoint_of(cluster, stage.region)
    say(f"DSQL cluster {cluster['arn']} ACTIVE at {endpoint}")
    policy = stage_policy(ctx, cluster["arn"])
    role_arn = identity.ensure_role(ctx.client("iam"), stage, policy, trust_policy(), say)
    identity.ensure_log_group(ctx.client("logs"), stage, say)
    bucket = identity.ensure_bucket(ctx.client("s3"), stage, say)
    monitoring.ensure_monitoring(ctx.client("cloudwatch"), stage, watched(ctx, cluster["identifier"]), say)
    ctx.settings.update_stage(
        stage.name,
        vpc_config=vpc_config,
        role_arn=role_arn,
        manage_roles=False,
        s3_bucket=bucket,
        aws_environment_variables={
            "AURORA_DB_ENDPOINT": endpoint,
            "AURORA_DB_CLUSTER_ARN": cluster["arn"],
            "AURORA_DB_USER": db.role,
        },
    )
    say(f"wrote vpc_config, role_arn, s3_bucket and AURORA_DB_* into stage {stage.name} of {ctx.settings.path}")
    if db.skip:
        say(f"skipped the database role (--skip-db-role): run `manage.py grant_db_role --stage {stage.name}`")
    else:
        grant_db_role(ctx, endpoint, role_arn, db, say)
    return {"cluster_arn": cluster["arn"], "endpoint": endpoint, "role_arn": role_arn, "vpc_config": vpc_config}


def stage_network(ctx: StageContext, say: Say, *, nat: bool, wait_delay: int) -> dict[str, Any]:
    """The stage's `vpc_config`: its own when it names subnets outside the network we made (checked to
    exist), else our network, ensured (with NAT or not) and the NAT choice recorded in the stage."""
    stage = ctx.stage
    given_vpc = ctx.config.get("vpc_config") or {}
    ours = network.find_network(ctx.client("ec2"), stage)
    if given_vpc.get("SubnetIds") and not set(given_vpc["SubnetIds"]) <= set(ours["subnets"]):
        with aws_call("ec2:DescribeSubnets (the stage's vpc_config)", "ec2", stage.region):
            ctx.client("ec2").describe_subnets(SubnetIds=given_vpc["SubnetIds"])
            ctx.client("ec2").describe_security_groups(GroupIds=given_vpc.get("SecurityGroupIds", []))
        say(f"using the stage's own vpc_config {given_vpc}")
        return given_vpc
    vpc_config = network.ensure_network(ctx.client("ec2"), stage, say, nat=nat, wait_delay=wait_delay)
    if ctx.config.get(NAT_KEY) != nat:
        ctx.settings.update_stage(stage.name, **{NAT_KEY: nat})
        ctx.config[NAT_KEY] = nat
        say(f"recorded {NAT_KEY}={str(nat).lower()} in stage {stage.name}; --nat/--no-nat change it")
    return vpc_config


def stage_policy(ctx: StageContext, cluster_arn: str) -> dict[str, Any]:
    """The function role's policy, from the stage and the app environment it will run with."""
    stage, env = ctx.stage, ctx.env
    return function_policy(
        PolicyInputs(
            region=stage.region,
            account=stage.account,
            function_name=stage.function_name,
            cluster_arn=cluster_arn,
            table_names=ctx.table_names(),
            tts_bucket=env.get("TTS_AUDIO_BUCKET_NAME", ""),
            user_pool_id=env.get("COGNITO_USER_POOL_ID", ""),
            auto_confirm=env.get("AUTH_AUTO_CONFIRM_ENABLED", "false").lower() == "true",
            remote_env=ctx.config.get("remote_env", ""),
        )
    )


def watched(ctx: StageContext, cluster_id: str) -> monitoring.Watched:
    """What the stage's alarms watch; Zappa names the function and its REST API `<project>-<stage>`."""
    name = ctx.stage.function_name
    return monitoring.Watched(name, name, cluster_id, int(ctx.config.get("timeout_seconds", 30)))


def grant_db_role(ctx: StageContext, endpoint: str, role_arn: str, db: DbRoleOptions, say: Say) -> dbrole.RolePlan:
    settings_dict = dbrole.admin_settings(
        endpoint, ctx.stage.region, database=db.database, sslmode=db.sslmode, hostaddr=db.hostaddr
    )
    database = dbrole.DjangoDatabase(settings_dict)
    try:
        return dbrole.apply(database, db.role, role_arn, say)
    except Exception as exc:  # a DB error: name it, with the fix (the token itself is never in the message)
        raise CommandError(
            f"creating database role {db.role} as admin at {endpoint} failed: {exc}. The deployer needs "
            "dsql:DbConnectAdmin on the cluster; rerun `manage.py grant_db_role` once fixed."
        ) from exc
    finally:
        database.close()


def show(ctx: StageContext) -> dict[str, Any]:
    stage = ctx.stage
    cluster = clusters.find_cluster(ctx.client("dsql"), stage)
    iam = ctx.client("iam")
    role: dict[str, Any] | None = None
    try:
        arn = iam.get_role(RoleName=stage.role_name)["Role"]["Arn"]
        role = {"arn": arn, "policies": iam.list_role_policies(RoleName=stage.role_name)["PolicyNames"]}
    except iam.exceptions.NoSuchEntityException:
        pass
    lam = ctx.client("lambda")
    try:
        function = lam.get_function_configuration(FunctionName=stage.function_name)
        function_info: dict[str, Any] | None = {"arn": function["FunctionArn"], "runtime": function["Runtime"]}
    except lam.exceptions.ResourceNotFoundException:
        function_info = None
    return {
        "stage": stage.name,
        "region": stage.region,
        "account": stage.account,
        "cluster": cluster
        and {
            "identifier": cluster["identifier"],
            "arn": cluster["arn"],
            "status": cluster["status"],
            "endpoint": clusters.endpoint_of(cluster, stage.region),
            "deletion_protection": cluster.get("deletionProtectionEnabled"),
        },
        "tables": tables.owned_tables(ctx.client("dynamodb"), stage, ctx.table_names()),
        "role": role,
        "network": network.find_network(ctx.client("ec2"), stage),
        "nat_gateway_wanted": bool(ctx.config.get(NAT_KEY, True)),
        "function": function_info,
        "alarms": monitoring.find_alarms(ctx.client("cloudwatch"), stage),
    }


def function_exists(ctx: StageContext) -> bool:
    lam = ctx.client("lambda")
    with aws_call("lambda:GetFunctionConfiguration", "lambda", ctx.stage.region):
        try:
            lam.get_function_configuration(FunctionName=ctx.stage.function_name)
        except lam.exceptions.ResourceNotFoundException:
            return False
    return True


def teardown(
    ctx: StageContext, say: Say, *, disable_protection: bool, eni_wait: float = 1200, wait_delay: int = 15
) -> None:
    stage = ctx.stage
    if function_exists(ctx):
        raise CommandError(
            f"function {stage.function_name} is still deployed. Fix: run `zappa undeploy {stage.name} --yes` "
            "first (teardown removes what the function runs on, not the function)."
        )
    # The database first: with deletion protection on this stops before anything else is gone.
    clusters.delete_cluster(ctx.client("dsql"), stage, disable_protection=disable_protection, say=say)
    tables.delete_tables(ctx.client("dynamodb"), stage, ctx.table_names(), say)
    identity.delete_role(ctx.client("iam"), stage, say)
    identity.delete_log_group(ctx.client("logs"), stage, say)
    identity.delete_bucket(ctx.client("s3"), stage, say)
    monitoring.delete_monitoring(ctx.client("cloudwatch"), stage, say)
    network.delete_network(ctx.client("ec2"), stage, say, eni_wait=eni_wait, wait_delay=wait_delay)
    ctx.settings.remove_keys(stage.name, OUTPUT_KEYS, OUTPUT_ENV)
    say(f"stage {stage.name} torn down; removed provisioning outputs from {ctx.settings.path}")
