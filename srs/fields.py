"""Input fields of the SRS routes, parsed as HEAD's Zod schemas do (HEAD delta §5.2, §5.9). Query fields use
the parsers of vela/query_params.py (the games routes' too); body fields are vocabulary ids (bytes
bounded, not trimmed) and JavaScript-trimmed text.

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

from vela.fields import StrictCharField
from vela.js import js_number, js_trim
from vela.query_params import parse_jlpt_levels

# A vocabulary id is the progress table's sort key: DynamoDB allows 1024 bytes.
MAX_ID_BYTES = 1024


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


def id_problem(value: str) -> str | None:
    try:
        size = len(value.encode("utf-8"))
    except UnicodeEncodeError:
        return "Contains an unpaired surrogate character."
    return f"Ensure this value has at most {MAX_ID_BYTES} bytes (UTF-8)." if size > MAX_ID_BYTES else None


class VocabularyIdField(StrictCharField):
    """A vocabulary id as sent (not trimmed), 1..1024 bytes."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(trim_whitespace=False, **kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        if problem := id_problem(value):
            raise serializers.ValidationError(problem)
        return value


class JsTrimmedCharField(StrictCharField):
    """A string trimmed as JavaScript `trim()` does, then at least one character (Zod `.trim().min(1)`)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(trim_whitespace=False, min_length=1, **kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = js_trim(super().to_internal_value(data))
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise serializers.ValidationError("Contains an unpaired surrogate character.") from exc
        return value
