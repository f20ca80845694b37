"""Query fields of the SRS routes, parsed as HEAD's Zod schemas do (HEAD delta §5.2, §5.9), with
the parsers of vela/query_params.py (the games routes' too).

- `limit`: JavaScript `Number()` of the text (" 3 " -> 3, "0x10" -> 16, "1e1" -> 10, "" -> 0), then an
  integer in range; anything else is a 400.
- `jlpt`: comma-separated JLPT levels 1..5 (`"5,4"`), de-duplicated in first-occurrence order.
A repeated parameter is a 400 (Zod saw an array).
"""

from __future__ import annotations

import math
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from vela.js import js_number
from vela.query_params import parse_jlpt_levels


@extend_schema_field(OpenApiTypes.INT)
class JsNumberIntegerField(serializers.Field):
    """A query parameter read with JavaScript `Number()`, which must be an integer in [min, max]."""

    default_error_messages = {
        "invalid": "Expected an integer.",
        "range": "Ensure this value is between {min_value} and {max_value}.",
    }

    def __init__(self, *, min_value: int, max_value: int, **kwargs: Any) -> None:
        self.min_value, self.max_value = min_value, max_value
        super().__init__(**kwargs)

    def get_value(self, dictionary: Any) -> Any:
        # DRF reads an empty query value as "absent"; JavaScript's Number("") is 0, a 400 here.
        return dictionary.get(self.field_name, empty)

    def to_internal_value(self, data: Any) -> int:
        if not isinstance(data, str):
            self.fail("invalid")
        value = js_number(data)
        if not math.isfinite(value) or not value.is_integer():
            self.fail("invalid")
        if not self.min_value <= value <= self.max_value:
            self.fail("range", min_value=self.min_value, max_value=self.max_value)
        return int(value)

    def to_representation(self, value: Any) -> Any:
        return value


@extend_schema_field(OpenApiTypes.STR)
class JlptLevelsField(serializers.Field):
    """HEAD's `jlptField`: `"5,4"` -> [5, 4]; absent, empty or only commas -> no filter (None)."""

    def to_internal_value(self, data: Any) -> list[int] | None:
        if not isinstance(data, str):
            raise serializers.ValidationError("Expected a string.")
        try:
            return parse_jlpt_levels(data)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from exc

    def to_representation(self, value: Any) -> Any:
        return value


class QuerySerializer(serializers.Serializer):
    """Query parameters, each at most once (a repeated one is a 400, as Zod saw an array)."""

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        getlist = getattr(data, "getlist", None)
        if getlist is not None:
            repeated = {name: ["Expected a single value."] for name in self.fields.keys() if len(getlist(name)) > 1}
            if repeated:
                raise serializers.ValidationError(repeated)
        return dict(super().to_internal_value(data))
