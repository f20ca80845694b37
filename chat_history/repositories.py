"""Chat-history repository. Table `vela-chat-history`: PK `ThreadId`, SK `Timestamp` (N);
GSI `UserIdIndex` (PK `UserId`, SK `Timestamp`).

Every read is a `Query` on a key (never a Scan) that follows `LastEvaluatedKey` until DynamoDB
has nothing more or the read bound is reached; deletes page through the thread and remove each
page with `BatchWriteItem` in chunks of 25, re-sending `UnprocessedItems` with backoff.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError
from django.conf import settings

from chat_history.records import ChatMessage, Page
from vela.aws import dynamodb_table
from vela.dynamo_boundary import client_error_code, translate_errors
from vela.dynamodb_schema import CHAT_HISTORY_USER_INDEX
from vela.errors import ConflictError, UpstreamError

logger = logging.getLogger("vela.chat_history")

LOGICAL_TABLE = "chat_history"
# Reads stop after this many messages (a thread list or one thread); far above any real chat.
MAX_READ_ITEMS = 10_000
BATCH_SIZE = 25  # BatchWriteItem's limit
BATCH_ATTEMPTS = 6  # first send + 5 re-sends of UnprocessedItems
BACKOFF_BASE_SECONDS = 0.05  # 50, 100, 200, 400, 800 ms between re-sends
_MESSAGE_FIELDS = "ThreadId, #ts, UserId, message, is_user"


class ChatHistoryRepository:
    def __init__(
        self,
        table: Any | None = None,
        *,
        max_read_items: int = MAX_READ_ITEMS,
        page_size: int | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._table = table if table is not None else dynamodb_table(LOGICAL_TABLE)
        self._max_read_items = max_read_items
        self._page_size = page_size  # None: DynamoDB's own 1 MB pages; tests force small pages
        self._sleep = sleep

    @property
    def table_name(self) -> str:
        return str(getattr(self._table, "name", settings.DYNAMODB_TABLES[LOGICAL_TABLE]))

    # --- writes -----------------------------------------------------------------------------
    def put(self, message: ChatMessage) -> None:
        """PutItem; never overwrites another user's message (ConflictError instead)."""
        with translate_errors(self.table_name):
            try:
                self._table.put_item(
                    Item=message.to_item(),
                    ConditionExpression="attribute_not_exists(ThreadId) OR UserId = :uid",
                    ExpressionAttributeValues={":uid": message.user_id},
                )
            except ClientError as exc:
                if client_error_code(exc) == "ConditionalCheckFailedException":
                    raise ConflictError("A message of another user has this key", code="owner_mismatch") from exc
                raise

    def delete_thread(self, thread_id: str) -> int:
        """Delete every message of the thread, page by page; returns how many were deleted."""
        deleted = 0
        with translate_errors(self.table_name):
            for page in self._pages(
                KeyConditionExpression=Key("ThreadId").eq(thread_id),
                ProjectionExpression="ThreadId, #ts",
                ExpressionAttributeNames={"#ts": "Timestamp"},
            ):
                keys = [{"ThreadId": item["ThreadId"], "Timestamp": item["Timestamp"]} for item in page]
                for start in range(0, len(keys), BATCH_SIZE):
                    self._batch_delete(keys[start : start + BATCH_SIZE])
                deleted += len(keys)
        return deleted

    def _batch_delete(self, keys: list[dict[str, Any]]) -> None:
        requests: list[dict[str, Any]] = [{"DeleteRequest": {"Key": key}} for key in keys]
        client = self._table.meta.client
        for attempt in range(BATCH_ATTEMPTS):
            if attempt:
                self._sleep(BACKOFF_BASE_SECONDS * 2 ** (attempt - 1))
            response = client.batch_write_item(RequestItems={self.table_name: requests})
            requests = response.get("UnprocessedItems", {}).get(self.table_name, [])
            if not requests:
                return
        raise UpstreamError(
            f"Failed to delete all messages after {BATCH_ATTEMPTS} attempts. {len(requests)} items remain unprocessed.",
            code="dynamodb_unprocessed",
        )

    # --- reads ------------------------------------------------------------------------------
    def thread_owner(self, thread_id: str) -> str | None:
        """`UserId` of the thread's earliest message, or None when the thread has no messages."""
        with translate_errors(self.table_name):
            response = self._table.query(
                KeyConditionExpression=Key("ThreadId").eq(thread_id),
                ScanIndexForward=True,
                Limit=1,
                ProjectionExpression="UserId",
            )
        items = response.get("Items", [])
        return str(items[0].get("UserId", "")) if items else None

    def thread_messages(self, thread_id: str) -> Page:
        """The thread's messages in time order (ascending `Timestamp`)."""
        return self._read(
            KeyConditionExpression=Key("ThreadId").eq(thread_id),
            ScanIndexForward=True,
            ProjectionExpression=_MESSAGE_FIELDS,
            ExpressionAttributeNames={"#ts": "Timestamp"},
        )

    def user_messages(self, user_id: str) -> Page:
        """All of the user's messages over every thread, newest first (GSI `UserIdIndex`)."""
        return self._read(
            IndexName=CHAT_HISTORY_USER_INDEX,
            KeyConditionExpression=Key("UserId").eq(user_id),
            ScanIndexForward=False,
            ProjectionExpression=_MESSAGE_FIELDS,
            ExpressionAttributeNames={"#ts": "Timestamp"},
        )

    def _read(self, **query: Any) -> Page:
        items: list[ChatMessage] = []
        with translate_errors(self.table_name):
            for page in self._pages(**query):
                room = self._max_read_items - len(items)
                items.extend(ChatMessage.from_item(item) for item in page[:room])
                if len(page) > room:
                    logger.warning("Chat-history read stopped at %d messages (%s)", len(items), self.table_name)
                    return Page(items, truncated=True)
        return Page(items)

    def _pages(self, **query: Any) -> Iterator[list[dict[str, Any]]]:
        """Each page of a Query, following LastEvaluatedKey until DynamoDB has nothing more."""
        if self._page_size:
            query["Limit"] = self._page_size
        while True:
            response = self._table.query(**query)
            yield response.get("Items", [])
            if "LastEvaluatedKey" not in response:
                return
            query["ExclusiveStartKey"] = response["LastEvaluatedKey"]
