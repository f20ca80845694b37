"""Vocabulary and sentences in DynamoDB (public content).

HEAD §8.6: without a JLPT filter one Scan page of `3 x limit` items (as HEAD). With one, HEAD scans
the table with a filter (up to 1000 items read per request, whatever matches); here each level is one
Query of the `JlptLevelIndex` GSI, which holds exactly the rows with a numeric `jlpt_level`, so only
matching rows are read, at most `MAX_POOL` in all.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from games.records import SentenceItem, VocabularyItem
from vela.dynamodb import DynamoTable, from_item, to_item
from vela.dynamodb_schema import JLPT_LEVEL_INDEX

logger = logging.getLogger("vela.games")
MAX_POOL = 1000  # matching items read per filtered request (HEAD reads up to 1000 items, matching or not)


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

    def with_jlpt_levels(self, *, levels: list[int], cap: int = MAX_POOL) -> list[Any]:
        """Items whose numeric `jlpt_level` is one of `levels` (a string "5" never matches, as HEAD), by
        the index: every match, at most `cap // len(levels)` per level (in `id` order beyond that)."""
        per_level = max(1, cap // len(levels))
        found: list[Any] = []
        for level in levels:
            query: dict[str, Any] = {
                "IndexName": JLPT_LEVEL_INDEX,
                "KeyConditionExpression": "jlpt_level = :level",
                "ExpressionAttributeValues": {":level": {"N": str(level)}},
            }
            matches: list[Any] = []
            while True:
                page = self._table.call("query", **query, Limit=per_level - len(matches))
                matches.extend(self.record.from_dict(from_item(item)) for item in page.get("Items", []))
                if "LastEvaluatedKey" not in page:
                    break
                if len(matches) >= per_level:
                    logger.warning("JLPT level %d of %s: pool stopped at %d items", level, self.logical, per_level)
                    break
                query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
            found.extend(matches)
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
