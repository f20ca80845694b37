"""Chat-history repository. Table `vela-chat-history`: PK `ThreadId`, SK `Timestamp` (N);
GSI `UserIdIndex` (PK `UserId`, SK `Timestamp`).

Every read is a `Query` on a key (never a Scan) that follows `LastEvaluatedKey` until DynamoDB
has nothing more or the read bound is reached; deletes page through the thread and remove each
page with `BatchWriteItem` in chunks of 25, re-sending `UnprocessedItems` with backoff
(`DynamoTable.batch_write_all`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

from chat_history.records import ChatMessage, Page
from vela.dynamodb import ConditionFailed, DynamoTable
from vela.dynamodb_schema import CHAT_HISTORY_USER_INDEX
from vela.errors import ConflictError

logger = logging.getLogger("vela.chat_history")

# Reads stop after this many messages (a thread list or one thread); far above any real chat.
MAX_READ_ITEMS = 10_000
_MESSAGE_FIELDS = "ThreadId, #ts, UserId, message, is_user"


class ChatHistoryRepository:
    def __init__(
        self,
        table: DynamoTable | None = None,
        *,
        max_read_items: int = MAX_READ_ITEMS,
        page_size: int | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._table = table or DynamoTable("chat_history")
        self._max_read_items = max_read_items
        self._page_size = page_size  # None: DynamoDB's own 1 MB pages; tests force small pages
        self._sleep = sleep

    @property
    def table_name(self) -> str:
        return self._table.name

    # --- writes -----------------------------------------------------------------------------
    def put(self, message: ChatMessage) -> None:
        """PutItem; never overwrites another user's message (ConflictError instead)."""
        try:
            self._table.call(
                "put_item",
                Item=message.to_item(),
                ConditionExpression="attribute_not_exists(ThreadId) OR UserId = :uid",
                ExpressionAttributeValues={":uid": {"S": message.user_id}},
            )
        except ConditionFailed as exc:
            raise ConflictError("A message of another user has this key", code="owner_mismatch") from exc

    def delete_thread(self, thread_id: str) -> int:
        """Delete every message of the thread, page by page; returns how many were deleted."""
        deleted = 0
        for page in self._pages(
            KeyConditionExpression="ThreadId = :t",
            ExpressionAttributeValues={":t": {"S": thread_id}},
            ProjectionExpression="ThreadId, #ts",
            ExpressionAttributeNames={"#ts": "Timestamp"},
        ):
            keys = [{"ThreadId": item["ThreadId"], "Timestamp": item["Timestamp"]} for item in page]
            requests = [{"DeleteRequest": {"Key": key}} for key in keys]
            self._table.batch_write_all(requests, sleep=self._sleep)
            deleted += len(requests)
        return deleted

    # --- reads ------------------------------------------------------------------------------
    def thread_owner(self, thread_id: str) -> str | None:
        """`UserId` of the thread's earliest message, or None when the thread has no messages."""
        response = self._table.call(
            "query",
            KeyConditionExpression="ThreadId = :t",
            ExpressionAttributeValues={":t": {"S": thread_id}},
            ScanIndexForward=True,
            Limit=1,
            ProjectionExpression="UserId",
        )
        items = response.get("Items", [])
        return str(items[0].get("UserId", {}).get("S", "")) if items else None

    def thread_messages(self, thread_id: str) -> Page:
        """The thread's messages in time order (ascending `Timestamp`)."""
        return self._read(
            KeyConditionExpression="ThreadId = :t",
            ExpressionAttributeValues={":t": {"S": thread_id}},
            ScanIndexForward=True,
            ProjectionExpression=_MESSAGE_FIELDS,
            ExpressionAttributeNames={"#ts": "Timestamp"},
        )

    def user_messages(self, user_id: str) -> Page:
        """All of the user's messages over every thread, newest first (GSI `UserIdIndex`)."""
        return self._read(
            IndexName=CHAT_HISTORY_USER_INDEX,
            KeyConditionExpression="UserId = :u",
            ExpressionAttributeValues={":u": {"S": user_id}},
            ScanIndexForward=False,
            ProjectionExpression=_MESSAGE_FIELDS,
            ExpressionAttributeNames={"#ts": "Timestamp"},
        )

    def _read(self, **query: Any) -> Page:
        items: list[ChatMessage] = []
        for page in self._pages(**query):
            room = self._max_read_items - len(items)
            items.extend(ChatMessage.from_item(item) for item in page[:room])
            if len(page) > room:
                logger.warning("Chat-history read stopped at %d messages (%s)", len(items), self.table_name)
                return Page(items, truncated=True)
        return Page(items)

    def _pages(self, **query: Any) -> Iterator[list[dict[str, Any]]]:
        if self._page_size:
            query["Limit"] = self._page_size
        return self._table.pages("query", **query)
