"""`manage.py grant_db_role --stage dev`: (re)create the function's non-admin database role on the cluster."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from deploy import cluster as clusters
from deploy.provision import DbRoleOptions, grant_db_role, load

from ._stage_args import add_stage_arguments


class Command(BaseCommand):
    help = "As admin: CREATE ROLE vela_app WITH LOGIN, grants, AWS IAM GRANT to the function's role."

    def add_arguments(self, parser: CommandParser) -> None:
        add_stage_arguments(parser)
        parser.add_argument("--db-role", default="vela_app", help="the function's non-admin database role")
        parser.add_argument("--db-name", default="postgres")
        parser.add_argument("--db-sslmode", default="verify-full")
        parser.add_argument("--db-hostaddr", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        ctx = load(options["stage"], options["settings_file"])
        cluster = clusters.find_cluster(ctx.client("dsql"), ctx.stage)
        role_arn = ctx.config.get("role_arn")
        if cluster is None or not role_arn:
            raise CommandError(f"stage {ctx.stage.name} is not provisioned: run provision_stage first")
        endpoint = clusters.endpoint_of(cluster, ctx.stage.region)
        options_ = DbRoleOptions(
            role=options["db_role"],
            database=options["db_name"],
            sslmode=options["db_sslmode"],
            hostaddr=options["db_hostaddr"],
        )
        result = grant_db_role(ctx, endpoint, role_arn, options_, self.stdout.write)
        done = f"{len(result.statements)} statement(s) run, {len(result.skipped)} skipped"
        self.stdout.write(self.style.SUCCESS(done))
