"""DRF fields that accept only the JSON type they name, like the original API's Zod schemas.

DRF's own fields coerce (`CharField` takes 5 and gives "5", `BooleanField` takes "yes",
`IntegerField` takes "12"); Zod rejected all of these, so clients never relied on it.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

MAX_SAFE_INTEGER = 2**53 - 1  # JavaScript's Number.MAX_SAFE_INTEGER: what Zod's int() accepts


class StrictCharField(serializers.CharField):
    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return str(super().to_internal_value(data))


class StrictBooleanField(serializers.BooleanField):
    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class StrictIntegerField(serializers.IntegerField):
    """A JSON number with an integral value (5 and 5.0 alike), within the safe-integer range."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_value", MAX_SAFE_INTEGER)
        kwargs.setdefault("min_value", -MAX_SAFE_INTEGER)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, (int, float)):
            self.fail("invalid")
        if isinstance(data, float) and not data.is_integer():
            self.fail("invalid")
        return int(super().to_internal_value(int(data)))
