"""Vocabulary and sentences in DynamoDB: bounded Scans (the tables are small, public content).

HEAD §8.6: without a JLPT filter one Scan page of `3 x limit` items; with one, a filtered Scan that
pages until enough items match, reading at most `MAX_SCANNED` items in all.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from games.records import SentenceItem, VocabularyItem
from vela.dynamodb import DynamoTable, from_item, to_item

logger = logging.getLogger("vela.games")
MAX_SCANNED = 1000  # items read per filtered request, as HEAD
SCANNED_WARNING = 800


class _ContentRepository:
    logical = ""
    record: Any = None

    def __init__(self, table: DynamoTable | None = None) -> None:
        self._table = table or DynamoTable(self.logical)

    def first(self, *, limit: int) -> list[Any]:
        """The first `limit` items in scan order (as the original: not random, one page)."""
        page = self._table.call("scan", Limit=limit)
        return [self.record.from_dict(from_item(item)) for item in page.get("Items", [])]

    def first_page(self, *, limit: int) -> list[Any]:
        """One Scan page of at most `limit` items (the pool HEAD samples from)."""
        return self.first(limit=limit)

    def with_jlpt_levels(self, *, levels: list[int], wanted: int) -> list[Any]:
        """Items whose numeric `jlpt_level` is one of `levels`: Scan pages until `wanted` match,
        the table ends, or MAX_SCANNED items were read (a string "5" never matches, as HEAD)."""
        names = {"#jlpt": "jlpt_level"}
        values = {f":level{i}": {"N": str(level)} for i, level in enumerate(levels)}
        condition = " OR ".join(f"#jlpt = :level{i}" for i in range(len(levels)))
        found: list[Any] = []
        scanned = 0
        start: dict[str, Any] | None = None
        warned = False
        while len(found) < wanted and scanned < MAX_SCANNED:
            page = self._table.call(
                "scan",
                FilterExpression=condition,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                Limit=MAX_SCANNED - scanned,
                **({"ExclusiveStartKey": start} if start else {}),
            )
            found.extend(self.record.from_dict(from_item(item)) for item in page.get("Items", []))
            scanned += int(page.get("ScannedCount", 0))
            if scanned > SCANNED_WARNING and not warned:
                warned = True
                logger.warning("JLPT filter on %s read %d items for %d matches", self.logical, scanned, len(found))
            start = page.get("LastEvaluatedKey")
            if not start:
                break
        return found

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
