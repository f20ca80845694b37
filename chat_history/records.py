"""Chat history. Table `vela-chat-history`: PK `ThreadId` (S), SK `Timestamp` (N, epoch ms);
GSI `UserIdIndex`: PK `UserId` (S), SK `Timestamp` (N), projection ALL.

The thread's owner is the `OwnerId` of its owner marker (`Timestamp` 0, chat_history.repositories),
or for a thread from before markers the `UserId` of its earliest message (the one that started it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vela.dynamodb import from_av, to_item


@dataclass(frozen=True, slots=True)
class ChatMessage:
    thread_id: str
    timestamp: int
    user_id: str
    message: str
    is_user: bool

    def to_item(self) -> dict[str, Any]:
        """The DynamoDB item (attribute-value map); `context: {}` as the original wrote it, never returned."""
        return to_item({**self.as_wire(), "context": {}})

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> ChatMessage:
        """From a DynamoDB item (attribute-value map)."""
        message = from_av(item["message"]) if "message" in item else None
        return cls(
            thread_id=str(from_av(item["ThreadId"])),
            timestamp=int(from_av(item["Timestamp"])),
            user_id=str(from_av(item["UserId"])) if "UserId" in item else "",
            message=message if isinstance(message, str) else "",
            is_user=bool(from_av(item["is_user"])) if "is_user" in item else False,
        )

    def as_wire(self) -> dict[str, Any]:
        return {
            "ThreadId": self.thread_id,
            "Timestamp": self.timestamp,
            "UserId": self.user_id,
            "message": self.message,
            "is_user": self.is_user,
        }


@dataclass(frozen=True, slots=True)
class ThreadSummary:
    thread_id: str
    last_timestamp: int
    title: str
    message_count: int

    def as_wire(self) -> dict[str, Any]:
        return {
            "ThreadId": self.thread_id,
            "lastTimestamp": self.last_timestamp,
            "title": self.title,
            "messageCount": self.message_count,
        }


@dataclass(frozen=True, slots=True)
class Page:
    """Items read by paging through DynamoDB; `truncated` when the read bound stopped it early."""

    items: list[ChatMessage]
    truncated: bool = False
