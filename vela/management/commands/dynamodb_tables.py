"""`manage.py dynamodb_tables {create,delete,describe}`: the DynamoDB tables of CONTRACT §1 / reference §6.3.

Works against any endpoint: AWS, a moto server (`AWS_ENDPOINT_URL` or `DDB_ENDPOINT`), or `--endpoint-url`.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from vela.aws import client as aws_client
from vela.aws import dynamodb_client
from vela.dynamodb_admin import tables_create, tables_delete, tables_describe
from vela.dynamodb_schema import SPECS, table_names


class Command(BaseCommand):
    help = "Create (idempotent, waits for ACTIVE), delete or describe the service's DynamoDB tables."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["create", "delete", "describe"])
        parser.add_argument("--table", action="append", choices=sorted(SPECS), help="only this logical table (repeat)")
        parser.add_argument("--endpoint-url", default=None, help="DynamoDB endpoint (default: settings/env)")
        parser.add_argument("--timeout", type=float, default=300, help="seconds to wait per table")
        parser.add_argument("--yes", action="store_true", help="confirm `delete`")

    def handle(self, *args: Any, **options: Any) -> None:
        client = (
            aws_client("dynamodb", region=settings.DDB_REGION, endpoint_url=options["endpoint_url"])
            if options["endpoint_url"]
            else dynamodb_client()
        )
        names = table_names(settings.DYNAMODB_TABLES)
        report = self.stdout.write
        where = options["endpoint_url"] or settings.DDB_ENDPOINT or settings.AWS_ENDPOINT_URL or "AWS"
        try:
            if options["action"] == "create":
                report(f"Creating tables on {where} ({settings.DDB_REGION})")
                tables_create(client, names, only=options["table"], timeout=options["timeout"], report=report)
                report(self.style.SUCCESS("All tables ACTIVE."))
            elif options["action"] == "delete":
                if not options["yes"]:
                    raise CommandError("Deleting tables destroys their data: pass --yes to confirm.")
                report(f"Deleting tables on {where}")
                tables_delete(client, names, only=options["table"], timeout=options["timeout"], report=report)
                report(self.style.SUCCESS("Done."))
            else:
                for state in tables_describe(client, names, only=options["table"]):
                    details = f"  key {state.key}" if state.key else ""
                    if state.indexes:
                        details += f"  GSI {', '.join(state.indexes)}"
                    if state.item_count is not None:
                        details += f"  items {state.item_count}"
                    report(f"{state.logical:16} {state.name:28} {state.status}{details}")
        except (ClientError, BotoCoreError, TimeoutError) as exc:
            raise CommandError(f"DynamoDB {options['action']} failed: {exc}") from exc
