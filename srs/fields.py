"""Query fields of the SRS routes, parsed as HEAD's Zod schemas do (HEAD delta §5.2, §5.9).

- `limit`: JavaScript `Number()` of the text (" 3 " -> 3, "0x10" -> 16, "1e1" -> 10, "" -> 0), then an
  integer in range; anything else is a 400.
- `jlpt`: comma-separated JLPT levels 1..5 (`"5,4"`), de-duplicated in first-occurrence order.
A repeated parameter is a 400 (Zod saw an array).
"""

from __future__ import annotations

import math
import re
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

# ECMAScript StrWhiteSpaceChar: WhiteSpace and LineTerminator (what `Number()` and `trim()` strip).
JS_WHITESPACE = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_RADIX = {"0x": 16, "0o": 8, "0b": 2}
_RADIX_DIGITS = {16: re.compile(r"[0-9a-fA-F]+"), 8: re.compile(r"[0-7]+"), 2: re.compile(r"[01]+")}
_DIGITS = re.compile(r"\d+", re.ASCII)


def js_trim(text: str) -> str:
    """JavaScript `String.prototype.trim` (Python's `strip()` differs: it strips \\x1c-\\x1f, keeps \\ufeff)."""
    return text.strip(JS_WHITESPACE)


def js_number(text: str) -> float:
    """JavaScript `Number(text)` for a string; NaN when JavaScript gives NaN."""
    text = js_trim(text)
    if not text:
        return 0.0
    if text in {"Infinity", "+Infinity"}:
        return math.inf
    if text == "-Infinity":
        return -math.inf
    radix = _RADIX.get(text[:2].lower())
    if radix is not None:
        digits = text[2:]
        return float(int(digits, radix)) if _RADIX_DIGITS[radix].fullmatch(digits) else math.nan
    if _DECIMAL.fullmatch(text):
        return float(text)
    return math.nan


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


def parse_jlpt_levels(text: str) -> list[int] | None:
    """The levels of a `jlpt` parameter, or None for no filter; ValueError names the invalid parts."""
    levels: list[int] = []
    invalid: list[str] = []
    for part in (piece.strip(JS_WHITESPACE) for piece in text.split(",")):
        if not part:
            continue
        if _DIGITS.fullmatch(part) and 1 <= int(part) <= 5:
            if int(part) not in levels:
                levels.append(int(part))
        else:
            invalid.append(part)
    if invalid:
        raise ValueError(f"Invalid JLPT level(s): {', '.join(invalid)}. Must be integers between 1 and 5.")
    return levels or None


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
