"""`manage.py seed_srs_progress --user <sub>`: demo SRS progress on the demo vocabulary; idempotent."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from srs.services import srs_demo_seed
from vela.errors import ApplicationError


class Command(BaseCommand):
    help = "Give a user SRS progress on the first demo words (some due now, some later); existing rows are kept."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="the user's Cognito sub")
        parser.add_argument("--words", type=int, default=12, help="how many demo words to put in the deck")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            written = srs_demo_seed(user_id=options["user"], words=options["words"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(f"SRS progress: {written} new row(s) for the user."))
