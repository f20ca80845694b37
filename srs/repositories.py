"""SRS progress and the vocabulary it points at, in DynamoDB (low-level client, hand-written maps).

Every write is conditional: a review is applied only if the row still holds the state it was
computed from (`total_reviews` and `first_learned_at` as read), a new row only if none exists.
Reads are key reads or Queries (the due list on the `NextReviewDateIndex` GSI), never a Scan.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from games.repositories import VocabularyRepository
from srs.records import Progress
from vela.dynamodb import BATCH_GET_SIZE, MISSING, ConditionFailed, DynamoTable, batch_get, from_item, to_av, to_item
from vela.dynamodb_schema import SRS_NEXT_REVIEW_INDEX

logger = logging.getLogger("vela.srs")

# Attributes the statistics need (a Query reads only these).
STATS_PROJECTION = "vocabulary_id, next_review_date, ease_factor, #interval, total_reviews, correct_count"

Key = dict[str, dict[str, str]]


class DeckVocabularyRepository(VocabularyRepository):
    """The shared vocabulary table (key `id` (S)) as the SRS routes use it: by key only."""

    @property
    def table(self) -> DynamoTable:
        return self._table

    @staticmethod
    def key(vocabulary_id: str) -> Key:
        return {"id": {"S": vocabulary_id}}

    def get_many(self, ids: list[str], *, projection: str | None = None) -> dict[str, dict[str, Any]]:
        """id -> stored item (verbatim) for the ids that exist; BatchGetItem in chunks of 100."""
        unique = list(dict.fromkeys(ids))
        items: dict[str, dict[str, Any]] = {}
        for start in range(0, len(unique), BATCH_GET_SIZE):
            request: dict[str, Any] = {"Keys": [self.key(i) for i in unique[start : start + BATCH_GET_SIZE]]}
            if projection:
                request["ProjectionExpression"] = projection
            for raw in batch_get({self._table: request})[self._table]:
                item = from_item(raw)
                items[item["id"]] = item
        return items

    def create_if_absent(self, item: dict[str, Any]) -> bool:
        """Put the item unless its `id` exists; False (nothing written) if it does."""
        try:
            self._table.call("put_item", Item=to_item(item), ConditionExpression="attribute_not_exists(id)")
        except ConditionFailed:
            return False
        return True


class ProgressRepository:
    """Key: `user_id` (S) + `vocabulary_id` (S); GSI `NextReviewDateIndex`: `user_id` + `next_review_date`."""

    def __init__(self, table: DynamoTable | None = None) -> None:
        self._table = table or DynamoTable("user_vocabulary_progress")

    @property
    def table(self) -> DynamoTable:
        return self._table

    @staticmethod
    def key(user_id: str, vocabulary_id: str) -> Key:
        return {"user_id": {"S": user_id}, "vocabulary_id": {"S": vocabulary_id}}

    def get(self, *, user_id: str, vocabulary_id: str) -> Progress | None:
        item = self._table.call("get_item", Key=self.key(user_id, vocabulary_id), ConsistentRead=True).get("Item")
        return Progress.from_dict(from_item(item)) if item else None

    def get_with_vocabulary(
        self, *, user_id: str, vocabulary_id: str, vocabulary: DeckVocabularyRepository
    ) -> tuple[bool, Progress | None]:
        """(does the word exist, the caller's progress on it) in one BatchGetItem over both tables."""
        found = batch_get(
            {
                vocabulary.table: {"Keys": [vocabulary.key(vocabulary_id)], "ProjectionExpression": "id"},
                self._table: {"Keys": [self.key(user_id, vocabulary_id)], "ConsistentRead": True},
            }
        )
        rows = found[self._table]
        progress = Progress.from_dict(from_item(rows[0])) if rows else None
        return bool(found[vocabulary.table]), progress

    def get_many(self, *, user_id: str, vocabulary_ids: list[str]) -> dict[str, Progress]:
        """vocabulary_id -> the user's row, for the ids that have one (consistent BatchGetItem, 100 per call)."""
        unique = list(dict.fromkeys(vocabulary_ids))
        rows: dict[str, Progress] = {}
        for start in range(0, len(unique), BATCH_GET_SIZE):
            keys = [self.key(user_id, v) for v in unique[start : start + BATCH_GET_SIZE]]
            for raw in batch_get({self._table: {"Keys": keys, "ConsistentRead": True}})[self._table]:
                row = Progress.from_dict(from_item(raw))
                rows[row.vocabulary_id] = row
        return rows

    def create_if_absent(self, progress: Progress) -> bool:
        """Put the row unless one exists for (user, word); False (nothing written) if it does."""
        try:
            self._table.call(
                "put_item", Item=to_item(progress.to_dict()), ConditionExpression="attribute_not_exists(user_id)"
            )
        except ConditionFailed:
            return False
        return True

    def replace_review_state(self, previous: Progress, values: dict[str, Any]) -> Progress | None:
        """SET `values` if the row still is `previous` (same `total_reviews` and `first_learned_at`:
        every review moves `total_reviews` on, and a deleted-and-recreated row has a new
        `first_learned_at`); the whole new row, or None when it changed or is gone."""
        names = {f"#f{i}": name for i, name in enumerate(values)}
        attr_values = {f":v{i}": to_av(value) for i, value in enumerate(values.values())}
        conditions = ["attribute_exists(user_id)"]
        for name in ("total_reviews", "first_learned_at"):
            names[f"#c_{name}"] = name
            current = getattr(previous, name)
            if current is MISSING:
                conditions.append(f"attribute_not_exists(#c_{name})")
            else:
                attr_values[f":c_{name}"] = to_av(current)
                conditions.append(f"#c_{name} = :c_{name}")
        try:
            response = self._table.call(
                "update_item",
                Key=self.key(previous.user_id, previous.vocabulary_id),
                UpdateExpression="SET " + ", ".join(f"#f{i} = :v{i}" for i in range(len(values))),
                ConditionExpression=" AND ".join(conditions),
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=attr_values,
                ReturnValues="ALL_NEW",
            )
        except ConditionFailed:
            return None
        return Progress.from_dict(from_item(response["Attributes"]))

    def delete(self, *, user_id: str, vocabulary_id: str) -> None:
        self._table.call("delete_item", Key=self.key(user_id, vocabulary_id))

    def due_pages(self, *, user_id: str, now: str, page_size: int) -> Iterator[tuple[list[Progress], Key | None]]:
        """Pages of the user's rows due at `now` (next_review_date <= now), most overdue first, from the
        index; each with the key to continue after it (None on the last page)."""
        query: dict[str, Any] = {
            "IndexName": SRS_NEXT_REVIEW_INDEX,
            "KeyConditionExpression": "user_id = :u AND next_review_date <= :now",
            "ExpressionAttributeValues": {":u": {"S": user_id}, ":now": {"S": now}},
            "Limit": page_size,
        }
        while True:
            page = self._table.call("query", **query)
            last = page.get("LastEvaluatedKey")
            yield [Progress.from_dict(from_item(item)) for item in page.get("Items", [])], last
            if not last:
                return
            query["ExclusiveStartKey"] = last

    def count_due(self, *, user_id: str, now: str, start: Key, max_items: int) -> tuple[int, bool]:
        """How many more rows are due after `start` (a Select=COUNT Query: no items travel), counting at
        most about `max_items`; (count, complete)."""
        query: dict[str, Any] = {
            "IndexName": SRS_NEXT_REVIEW_INDEX,
            "KeyConditionExpression": "user_id = :u AND next_review_date <= :now",
            "ExpressionAttributeValues": {":u": {"S": user_id}, ":now": {"S": now}},
            "Select": "COUNT",
            "ExclusiveStartKey": start,
        }
        count = 0
        while count < max_items:
            page = self._table.call("query", **query)
            count += int(page.get("Count", 0))
            if not page.get("LastEvaluatedKey"):
                return count, True
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        logger.warning("SRS due count for a user stopped at %d rows", count)
        return count, False

    def user_rows(self, *, user_id: str, max_items: int, projection: str | None = None) -> tuple[list[Progress], bool]:
        """The user's rows in `vocabulary_id` order, every page up to `max_items`; (rows, complete)."""
        query: dict[str, Any] = {
            "KeyConditionExpression": "user_id = :u",
            "ExpressionAttributeValues": {":u": {"S": user_id}},
        }
        if projection:
            query["ProjectionExpression"] = projection
            if "#interval" in projection:
                query["ExpressionAttributeNames"] = {"#interval": "interval"}
        rows: list[Progress] = []
        while True:
            query["Limit"] = max_items - len(rows) + 1  # one more than allowed tells us the bound was hit
            page = self._table.call("query", **query)
            for item in page.get("Items", []):
                values = from_item(item)
                values.setdefault("user_id", user_id)
                rows.append(Progress.from_dict(values))
            if len(rows) > max_items:
                logger.warning("SRS progress read for a user stopped at %d rows", max_items)
                return rows[:max_items], False
            if not page.get("LastEvaluatedKey"):
                return rows, True
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
