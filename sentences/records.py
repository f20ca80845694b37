"""Saved sentences. Table `vela-saved-sentences`: PK `user_id` (the user's **email**, legacy data), SK `sentence_id`.

`sentence_id` is `<epoch-ms>-<base36>` so the sort key orders sentences by creation time.
`source_url` and `context` are stored exactly as the client sent them (any JSON value) and are
left out of the item, and of the wire format, when the client did not send them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from vela.dynamodb import check_storable, from_av, to_av, to_item

OPTIONAL_FIELDS = ("source_url", "context")
_ZERO, _EMPTY = to_av(0), to_av("")


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
        """The DynamoDB item (attribute-value map); a 400 if `source_url`/`context` cannot be stored."""
        item: dict[str, Any] = {
            "user_id": self.user_id,
            "sentence_id": self.sentence_id,
            "sentence": self.sentence,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }
        for name in OPTIONAL_FIELDS:
            if name in self.extras:
                item[name] = check_storable(self.extras[name], path=name)
        return to_item(item)

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> SavedSentence:
        """From a DynamoDB item (attribute-value map)."""
        created = from_av(item.get("created_at", _ZERO))
        return cls(
            user_id=str(from_av(item["user_id"])),
            sentence_id=str(from_av(item["sentence_id"])),
            sentence=str(from_av(item.get("sentence", _EMPTY))),
            created_at=int(created),
            updated_at=int(from_av(item["updated_at"])) if "updated_at" in item else int(created),
            extras={name: from_av(item[name]) for name in OPTIONAL_FIELDS if name in item},
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
