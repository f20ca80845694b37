"""Vocabulary and sentences in DynamoDB: a bounded Scan (the tables are small, public content)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from games.records import SentenceItem, VocabularyItem
from vela.dynamodb import DynamoTable, from_item, to_item


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
        keys = [{"id": {"S": item_id}} for item_id in ids]
        return {item["id"]["S"] for item in self._table.batch_get_keys(keys, projection="id")}

    def put_many(self, records: Iterable[Any]) -> int:
        """Write records with BatchWriteItem (25 per call), re-sending unprocessed items with back-off."""
        requests = [{"PutRequest": {"Item": to_item(r.to_dict())}} for r in records]
        self._table.batch_write_all(requests)
        return len(requests)


class VocabularyRepository(_ContentRepository):
    """Key: `id` (S)."""

    logical = "vocabulary"
    record = VocabularyItem


class SentenceRepository(_ContentRepository):
    """Key: `id` (S)."""

    logical = "sentences"
    record = SentenceItem
