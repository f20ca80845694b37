"""`manage.py teardown_stage --stage dev --yes`: remove everything provisioning created, in order."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from deploy.provision import load, teardown

from ._stage_args import add_stage_arguments


class Command(BaseCommand):
    help = "Delete the stage's DSQL cluster, tables, role, log group, deploy bucket and network (after undeploy)."

    def add_arguments(self, parser: CommandParser) -> None:
        add_stage_arguments(parser)
        parser.add_argument("--yes", action="store_true", help="required: this deletes the stage's data")
        parser.add_argument("--disable-deletion-protection", action="store_true")
        parser.add_argument("--eni-wait", type=float, default=1200, help="seconds to wait for Lambda ENIs")
        parser.add_argument("--wait-delay", type=int, default=15, help="seconds between NAT gateway status polls")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["yes"]:
            raise CommandError("teardown deletes the stage's database and tables: rerun with --yes")
        ctx = load(options["stage"], options["settings_file"])
        teardown(
            ctx,
            self.stdout.write,
            disable_protection=options["disable_deletion_protection"],
            eni_wait=options["eni_wait"],
            wait_delay=options["wait_delay"],
        )
        self.stdout.write(self.style.SUCCESS(f"stage {ctx.stage.name} torn down"))
