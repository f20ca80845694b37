"""`manage.py show_stage --stage dev`: what exists for a stage (found by tags), as text or JSON."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from deploy.provision import load, show

from ._stage_args import add_stage_arguments


class Command(BaseCommand):
    help = "Show the stage's DSQL cluster, tables, function role, network and function."

    def add_arguments(self, parser: CommandParser) -> None:
        add_stage_arguments(parser)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        state = show(load(options["stage"], options["settings_file"]))
        if options["json"]:
            self.stdout.write(json.dumps(state, default=str))
            return
        for key, value in state.items():
            self.stdout.write(f"{key}: {value if value not in (None, [], {}) else '-'}")
