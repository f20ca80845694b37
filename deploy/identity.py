"""The function's IAM role (Zappa runs with `manage_roles: false`), its log group and the deploy bucket."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.core.management.base import CommandError

from vela.aws import client_error_code

from .errors import aws_call
from .naming import Stage

Say = Callable[[str], None]
LOG_RETENTION_DAYS = 30


def ensure_role(iam: Any, stage: Stage, policy: dict[str, Any], trust: dict[str, Any], say: Say) -> str:
    """Create the role if missing and (re)write its only inline policy; returns the role ARN."""
    try:
        role = iam.get_role(RoleName=stage.role_name)["Role"]
        tags = {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=stage.role_name).get("Tags", [])}
        if not stage.owns(tags):
            raise CommandError(
                f"IAM role {stage.role_name} exists but is not tagged as stage {stage.name}'s: refusing to rewrite "
                "its policy. Fix: delete or rename that role, or tag it if it really is this stage's."
            )
        say(f"IAM role {stage.role_name} exists")
    except iam.exceptions.NoSuchEntityException:
        with aws_call("iam:CreateRole", "iam", stage.region):
            role = iam.create_role(
                RoleName=stage.role_name,
                AssumeRolePolicyDocument=json.dumps(trust),
                Description=f"Vela API Lambda ({stage.name}): least privilege, managed by provision_stage",
                Tags=stage.tag_list(),
            )["Role"]
        say(f"created IAM role {stage.role_name}")
    with aws_call("iam:PutRolePolicy", "iam", stage.region):
        iam.put_role_policy(RoleName=stage.role_name, PolicyName=stage.policy_name, PolicyDocument=json.dumps(policy))
        # Anything else on the role is not ours: least privilege means exactly one policy.
        for name in iam.list_role_policies(RoleName=stage.role_name)["PolicyNames"]:
            if name != stage.policy_name:
                iam.delete_role_policy(RoleName=stage.role_name, PolicyName=name)
                say(f"removed stray inline policy {name}")
        for attached in iam.list_attached_role_policies(RoleName=stage.role_name)["AttachedPolicies"]:
            iam.detach_role_policy(RoleName=stage.role_name, PolicyArn=attached["PolicyArn"])
            say(f"detached stray managed policy {attached['PolicyArn']}")
    say(f"wrote inline policy {stage.policy_name} ({len(policy['Statement'])} statements)")
    return role["Arn"]


def delete_role(iam: Any, stage: Stage, say: Say) -> bool:
    try:
        role = iam.get_role(RoleName=stage.role_name)["Role"]
    except iam.exceptions.NoSuchEntityException:
        say("no IAM role of this stage")
        return False
    tags = {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=stage.role_name).get("Tags", [])}
    if not stage.owns(tags):
        say(f"IAM role {role['RoleName']} is not tagged as this stage's: left alone")
        return False
    with aws_call("iam:DeleteRole", "iam", stage.region):
        for name in iam.list_role_policies(RoleName=stage.role_name)["PolicyNames"]:
            iam.delete_role_policy(RoleName=stage.role_name, PolicyName=name)
        for attached in iam.list_attached_role_policies(RoleName=stage.role_name)["AttachedPolicies"]:
            iam.detach_role_policy(RoleName=stage.role_name, PolicyArn=attached["PolicyArn"])
        iam.delete_role(RoleName=stage.role_name)
    say(f"deleted IAM role {stage.role_name} and its policies")
    return True


def ensure_log_group(logs: Any, stage: Stage, say: Say) -> None:
    """Created here (with retention) so the function's role needs no logs:CreateLogGroup."""
    with aws_call("logs:CreateLogGroup", "logs", stage.region):
        found = logs.describe_log_groups(logGroupNamePrefix=stage.log_group)["logGroups"]
        if not any(g["logGroupName"] == stage.log_group for g in found):
            logs.create_log_group(logGroupName=stage.log_group, tags=stage.tags)
            say(f"created log group {stage.log_group}")
        logs.put_retention_policy(logGroupName=stage.log_group, retentionInDays=LOG_RETENTION_DAYS)


def delete_log_group(logs: Any, stage: Stage, say: Say) -> None:
    with aws_call("logs:DeleteLogGroup", "logs", stage.region):
        found = logs.describe_log_groups(logGroupNamePrefix=stage.log_group)["logGroups"]
        if any(g["logGroupName"] == stage.log_group for g in found):
            logs.delete_log_group(logGroupName=stage.log_group)
            say(f"deleted log group {stage.log_group}")


def ensure_bucket(s3: Any, stage: Stage, say: Say) -> str:
    """Zappa's upload bucket, private and tagged (Zappa would otherwise invent a random name)."""
    name = stage.deploy_bucket
    with aws_call("s3:CreateBucket", "s3", stage.region):
        try:
            s3.head_bucket(Bucket=name)
            say(f"deploy bucket {name} exists")
            if not _bucket_tags(s3, name):
                # A run that died between CreateBucket and PutBucketTagging: claim it, so teardown finds it.
                s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": stage.tag_list()})
                say(f"tagged deploy bucket {name}")
        except s3.exceptions.ClientError as exc:
            if client_error_code(exc) not in {"404", "NoSuchBucket", "NotFound"}:
                raise
            kwargs: dict[str, Any] = {"Bucket": name}
            if stage.region != "us-east-1":
                kwargs["CreateBucketConfiguration"] = {"LocationConstraint": stage.region}
            s3.create_bucket(**kwargs)
            s3.put_public_access_block(
                Bucket=name,
                PublicAccessBlockConfiguration={
                    "BlockPublicAcls": True,
                    "IgnorePublicAcls": True,
                    "BlockPublicPolicy": True,
                    "RestrictPublicBuckets": True,
                },
            )
            s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": stage.tag_list()})
            say(f"created deploy bucket {name}")
    return name


def _bucket_tags(s3: Any, name: str) -> dict[str, str]:
    try:
        return {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=name)["TagSet"]}
    except s3.exceptions.ClientError as exc:
        if client_error_code(exc) == "NoSuchTagSet":
            return {}
        raise


def delete_bucket(s3: Any, stage: Stage, say: Say) -> None:
    name = stage.deploy_bucket
    with aws_call("s3:DeleteBucket", "s3", stage.region):
        try:
            tags = {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=name)["TagSet"]}
        except s3.exceptions.ClientError as exc:
            if client_error_code(exc) in {"NoSuchBucket", "404", "NoSuchTagSet"}:
                return
            raise
        if not stage.owns(tags):
            say(f"bucket {name} is not tagged as this stage's: left alone")
            return
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=name):
            doomed = [
                {"Key": o["Key"], "VersionId": o["VersionId"]}
                for o in page.get("Versions", []) + page.get("DeleteMarkers", [])
            ]
            if doomed:
                s3.delete_objects(Bucket=name, Delete={"Objects": doomed})
        s3.delete_bucket(Bucket=name)
    say(f"deleted deploy bucket {name}")
