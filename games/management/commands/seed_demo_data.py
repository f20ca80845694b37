"""`manage.py seed_demo_data`: demo Japanese vocabulary and sentences (games/seed/demo.json); idempotent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from games.services import demo_data_seed
from vela.errors import ApplicationError


class Command(BaseCommand):
    help = "Seed the vocabulary and sentences tables with the demo set; existing ids are left alone."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", type=Path, default=None, help="JSON with `vocabulary` and `sentences` lists")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            results = demo_data_seed(path=options["file"], progress=self.stdout.write)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        except (OSError, ValueError, KeyError) as exc:
            raise CommandError(f"Cannot read demo data: {exc}") from exc
        total = sum(r.written for r in results)
        self.stdout.write(self.style.SUCCESS(f"Seeded {total} new item(s)."))
