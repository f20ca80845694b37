"""Saved sentences. Table `vela-saved-sentences`: PK `user_id` (the user's **email**, legacy data), SK `sentence_id`.

`sentence_id` is `<epoch-ms>-<8 hex>` (or `<timestamp>-<idempotencyKey>` for offline saves, HEAD §8.8)
so the sort key orders sentences by creation time.
`source_url` and `context` are stored exactly as the client sent them (any JSON value) and are
left out of the item, and of the wire format, when the client did not send them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from vela.dynamo_boundary import from_dynamo, to_dynamo

OPTIONAL_FIELDS = ("source_url", "context")


@dataclass(frozen=True, slots=True)
class SavedSentence:
    user_id: str
    sentence_id: str
    sentence: str
    created_at: int
    updated_at: int
    # Only the optional fields the client actually sent: {"source_url": ..., "context": ...}.
    extras: Mapping[str, Any] = field(default_factory=dict)

    def to_item(self) -> dict[str, Any]:
        item: dict[str, Any] = {
            "user_id": self.user_id,
            "sentence_id": self.sentence_id,
            "sentence": self.sentence,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }
        for name in OPTIONAL_FIELDS:
            if name in self.extras:
                item[name] = to_dynamo(self.extras[name], path=name)
        return item

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> SavedSentence:
        return cls(
            user_id=str(item["user_id"]),
            sentence_id=str(item["sentence_id"]),
            sentence=str(item.get("sentence", "")),
            created_at=int(item.get("created_at", 0)),
            updated_at=int(item.get("updated_at", item.get("created_at", 0))),
            extras={name: from_dynamo(item[name]) for name in OPTIONAL_FIELDS if name in item},
        )

    def as_wire(self) -> dict[str, Any]:
        """The original API's `data` object: field order as it answered, absent optionals omitted."""
        body: dict[str, Any] = {"user_id": self.user_id, "sentence_id": self.sentence_id, "sentence": self.sentence}
        for name in OPTIONAL_FIELDS:
            if name in self.extras:
                body[name] = self.extras[name]
        body["created_at"] = self.created_at
        body["updated_at"] = self.updated_at
        return body
