"""Options every stage command shares."""

from __future__ import annotations

from django.core.management.base import CommandParser


def add_stage_arguments(parser: CommandParser) -> None:
    parser.add_argument("--stage", required=True, help="a stage of zappa_settings.json (dev, production)")
    parser.add_argument("--settings-file", default=None, help="zappa_settings.json to read and update")
