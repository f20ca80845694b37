"""`manage.py provision_stage --stage dev`: network, tables, DSQL cluster, function role, database role."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from deploy.provision import DbRoleOptions, load, provision

from ._stage_args import add_stage_arguments


class Command(BaseCommand):
    help = "Create (idempotently) everything a stage runs on and write the ids into zappa_settings.json."

    def add_arguments(self, parser: CommandParser) -> None:
        add_stage_arguments(parser)
        protection = parser.add_mutually_exclusive_group()
        protection.add_argument("--deletion-protection", dest="protection", action="store_true", default=None)
        protection.add_argument("--no-deletion-protection", dest="protection", action="store_false")
        nat = parser.add_mutually_exclusive_group()
        nat.add_argument(
            "--nat", dest="nat", action="store_true", default=None, help="egress through 1 NAT gateway (default)"
        )
        nat.add_argument(
            "--no-nat",
            dest="nat",
            action="store_false",
            help="no IGW/NAT (bring interface endpoints); recorded in the stage as vela_nat_gateway",
        )
        parser.add_argument("--skip-db-role", action="store_true", help="do not create the vela_app database role")
        parser.add_argument("--db-role", default="vela_app", help="the function's non-admin database role")
        parser.add_argument("--db-name", default="postgres")
        parser.add_argument("--db-sslmode", default="verify-full")
        parser.add_argument("--db-hostaddr", default="", help="IP to dial for the cluster (PrivateLink, stand-in)")
        parser.add_argument("--wait-delay", type=int, default=10, help="seconds between status polls")

    def handle(self, *args: Any, **options: Any) -> None:
        ctx = load(options["stage"], options["settings_file"])
        protection = options["protection"]
        if protection is None:
            protection = ctx.stage.name == "production"
        outputs = provision(
            ctx,
            self.stdout.write,
            deletion_protection=protection,
            db=DbRoleOptions(
                skip=options["skip_db_role"],
                role=options["db_role"],
                database=options["db_name"],
                sslmode=options["db_sslmode"],
                hostaddr=options["db_hostaddr"],
            ),
            wait_delay=options["wait_delay"],
            nat=options["nat"],
        )
        self.stdout.write(self.style.SUCCESS(f"stage {ctx.stage.name} provisioned"))
        for key, value in outputs.items():
            self.stdout.write(f"  {key}: {value}")
        self.stdout.write(f"next: make package STAGE={ctx.stage.name} && zappa deploy {ctx.stage.name} --zip <zip>")
