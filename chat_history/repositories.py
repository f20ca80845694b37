"""Chat-history repository. Table `vela-chat-history`: PK `ThreadId`, SK `Timestamp` (N);
GSI `UserIdIndex` (PK `UserId`, SK `Timestamp`).

Each thread written since owner markers exist has one marker item (`Timestamp` 0, `OwnerId`; no
`UserId`, so the index never holds it), written in the same transaction as every message: two users
who start the same thread at the same moment cannot both own it. Messages have `Timestamp` >= 1 (the
view refuses anything else); reads of messages skip the marker, a thread's owner is the marker's
`OwnerId`, or for older threads the `UserId` of the earliest message.

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
from vela.dynamodb import ERRORS, DynamoTable, TransactionCancelled, backoff_delay
from vela.dynamodb_schema import CHAT_HISTORY_USER_INDEX
from vela.errors import ConflictError

logger = logging.getLogger("vela.chat_history")

# Reads stop after this many messages (a thread list or one thread); far above any real chat.
MAX_READ_ITEMS = 10_000
OWNER_TIMESTAMP = 0  # the owner marker's sort key
_MARKER_TIMESTAMP = {"N": str(OWNER_TIMESTAMP)}
PUT_ATTEMPTS = 4  # commits of a message + marker that collided with another transaction on the thread
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
        """The message and the thread's owner marker in one transaction; never overwrites another
        user's message nor joins another user's thread (ConflictError `owner_mismatch` instead)."""
        owner = {":uid": {"S": message.user_id}}
        tx = self._table.transaction()
        marker = {
            "ThreadId": {"S": message.thread_id},
            "Timestamp": _MARKER_TIMESTAMP,
            "OwnerId": owner[":uid"],
        }
        tx.add(
            self._table.entry(
                "Put",
                Item=marker,
                ConditionExpression="attribute_not_exists(ThreadId) OR OwnerId = :uid",
                ExpressionAttributeValues=owner,
            )
        )
        tx.add(
            self._table.entry(
                "Put",
                Item=message.to_item(),
                ConditionExpression="attribute_not_exists(ThreadId) OR UserId = :uid",
                ExpressionAttributeValues=owner,
            )
        )
        for attempt in range(PUT_ATTEMPTS):
            if attempt:
                self._sleep(backoff_delay(attempt))
            try:
                tx.commit()
                return
            except TransactionCancelled as cancelled:
                if cancelled.failed():
                    raise ConflictError(
                        "The thread or a message with this key belongs to another user", code="owner_mismatch"
                    ) from cancelled
                if not cancelled.retryable:
                    raise ERRORS["client_error"].build(aws_code="TransactionCanceledException") from cancelled
        raise ConflictError("The thread is being written by another request; try again", code="thread_busy")

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
            deleted += sum(1 for key in keys if key["Timestamp"] != _MARKER_TIMESTAMP)  # messages
        return deleted

    # --- reads ------------------------------------------------------------------------------
    def thread_owner(self, thread_id: str) -> str | None:
        """The marker's `OwnerId` (it sorts first), else the `UserId` of the thread's earliest message
        (threads from before markers); None when the thread has no items."""
        response = self._table.call(
            "query",
            KeyConditionExpression="ThreadId = :t",
            ExpressionAttributeValues={":t": {"S": thread_id}},
            ScanIndexForward=True,
            Limit=1,
            ProjectionExpression="UserId, OwnerId",
            ConsistentRead=True,
        )
        items = response.get("Items", [])
        if not items:
            return None
        return str((items[0].get("OwnerId") or items[0].get("UserId") or {}).get("S", ""))

    def thread_messages(self, thread_id: str) -> Page:
        """The thread's messages in time order (ascending `Timestamp`)."""
        return self._read(
            KeyConditionExpression="ThreadId = :t AND #ts > :marker",
            ExpressionAttributeValues={":t": {"S": thread_id}, ":marker": _MARKER_TIMESTAMP},
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
