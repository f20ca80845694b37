"""Names and tags of everything one stage owns, derived from the stage name alone.

Teardown finds resources by these tags, not by what a settings file remembers, so a failed or
interrupted provisioning run never leaves something teardown cannot find.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

PROJECT = "vela-api"
MANAGED_BY = "vela-provision"
TAG_STAGE = "vela:stage"
TAG_MANAGED_BY = "vela:managed-by"
APP_DB_ROLE = "vela_app"
_STAGE = re.compile(r"^[a-z][a-z0-9-]{0,19}$")


@dataclass(frozen=True, slots=True)
class Stage:
    name: str
    region: str
    account: str

    def __post_init__(self) -> None:
        if not _STAGE.match(self.name):
            raise ValueError(f"stage {self.name!r}: use 1-20 lowercase letters, digits or '-', starting with a letter")

    @property
    def function_name(self) -> str:
        """What Zappa names the function: slugify(project_name + '-' + stage)."""
        return f"{PROJECT}-{self.name}"

    @property
    def role_name(self) -> str:
        return f"{PROJECT}-{self.name}-function"

    @property
    def role_arn(self) -> str:
        return f"arn:aws:iam::{self.account}:role/{self.role_name}"

    @property
    def policy_name(self) -> str:
        return "vela-least-privilege"

    @property
    def log_group(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def deploy_bucket(self) -> str:
        return f"{PROJECT}-{self.name}-deploy-{self.account}"

    @property
    def tags(self) -> dict[str, str]:
        return {TAG_STAGE: self.name, TAG_MANAGED_BY: MANAGED_BY, "Name": f"{PROJECT}-{self.name}"}

    def tag_list(self) -> list[dict[str, str]]:
        """The `[{"Key":..,"Value":..}]` form EC2, IAM and DynamoDB take."""
        return [{"Key": k, "Value": v} for k, v in self.tags.items()]

    def owns(self, tags: dict[str, str]) -> bool:
        return tags.get(TAG_STAGE) == self.name and tags.get(TAG_MANAGED_BY) == MANAGED_BY

    def client_token(self, what: str) -> str:
        """Idempotency token for one call, reused by botocore's own retries of it. Fresh per run: a
        fixed token would replay a cluster deleted minutes ago; reruns find existing ones by tag instead."""
        return f"{PROJECT}-{self.name}-{what}-{uuid.uuid4().hex}"[:64]
