"""Vocabulary and sentences in DynamoDB: a bounded Scan (the tables are small, public content)."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from games.records import SentenceItem, VocabularyItem
from vela.dynamodb import DynamoTable
from vela.dynamodb_codec import from_item, to_item
from vela.errors import UpstreamError


class _ContentRepository:
    logical = ""
    record: Any = None

    def __init__(self, table: DynamoTable | None = None) -> None:
        self._table = table or DynamoTable(self.logical)

    def first(self, *, limit: int) -> list[Any]:
        """The first `limit` items in scan order (as the original: not random, one page)."""
        page = self._table.call("scan", Limit=limit)
        return [self.record.from_dict(from_item(item)) for item in page.get("Items", [])]

    def existing_ids(self, ids: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(ids), 100):
            keys = [{"id": {"S": item_id}} for item_id in ids[start : start + 100]]
            found.update(item["id"]["S"] for item in self._table.batch_get_keys(keys, projection="id"))
        return found

    def put_many(self, records: Iterable[Any]) -> int:
        """Write records with BatchWriteItem (25 per call), retrying unprocessed items with back-off."""
        requests = [{"PutRequest": {"Item": to_item(r.to_dict())}} for r in records]
        for start in range(0, len(requests), 25):
            pending = requests[start : start + 25]
            for attempt in range(6):
                pending = self._table.batch_write(pending)
                if not pending:
                    break
                time.sleep(0.05 * 2**attempt)
            if pending:
                raise UpstreamError(f"DynamoDB kept {len(pending)} items unprocessed", code="dynamodb_throttled")
        return len(requests)


class VocabularyRepository(_ContentRepository):
    """Key: `id` (S)."""

    logical = "vocabulary"
    record = VocabularyItem


class SentenceRepository(_ContentRepository):
    """Key: `id` (S)."""

    logical = "sentences"
    record = SentenceItem
