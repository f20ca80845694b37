"""Query parameters as today's web app's server read them (HEAD §5.9, §8.6): JavaScript `Number()`
coercion for limits and the `jlpt` level list. Shared by the games routes (and usable by SRS).

Errors are DRF ValidationErrors keyed by the parameter, so they answer 400 with `fields`.
"""

from __future__ import annotations

import math
import re
from functools import cache
from typing import Any

from rest_framework import serializers
from rest_framework.fields import empty

JLPT_LEVELS = range(1, 6)
# JS StrWhiteSpaceChar: what Number() trims (ASCII whitespace, NBSP, BOM, line/paragraph separators, Zs).
_JS_SPACE = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_RADIX = re.compile(r"^0([xX][0-9a-fA-F]+|[oO][0-7]+|[bB][01]+)$")
_DECIMAL = re.compile(r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$")
_INFINITY = re.compile(r"^[+-]?Infinity$")


def js_number(text: str) -> float:
    """JavaScript `Number(text)`: "" -> 0, " 3 " -> 3, "0x10" -> 16, "1e1" -> 10, "abc" -> NaN."""
    text = text.strip(_JS_SPACE)
    if not text:
        return 0.0
    if match := _RADIX.match(text):
        digits = match.group(1)
        try:
            return float(int(digits[1:], {"x": 16, "o": 8, "b": 2}[digits[0].lower()]))
        except OverflowError:
            return math.inf
    if _INFINITY.match(text):
        return -math.inf if text.startswith("-") else math.inf
    if _DECIMAL.match(text):
        return float(text)
    return math.nan


@cache
def _all_optional(serializer: type[serializers.Serializer]) -> bool:
    fields = serializer._declared_fields  # set by DRF's SerializerMetaclass
    return all(not field.required and field.default is empty for field in fields.values())


def validated_query(serializer: type[serializers.Serializer], query: Any) -> dict[str, Any]:
    """`serializer`'s validated data for the query parameters (a 400 when invalid). With no parameters and
    every field optional without a default, that is `{}`: no serializer is built (DRF deep-copies its
    fields, ~50 us on a hot read whose client sends no parameters)."""
    if not query and _all_optional(serializer):
        return {}
    payload = serializer(data=query)
    payload.is_valid(raise_exception=True)
    return dict(payload.validated_data)


def single(query: Any, name: str) -> str | None:
    """The parameter's one value; a repeated one is a 400, as HEAD's schema (an array is not a string)."""
    values = query.getlist(name)
    if len(values) > 1:
        raise serializers.ValidationError({name: ["Invalid input: expected string, received array"]})
    return values[0] if values else None


def positive_int(query: Any, name: str, *, default: int, maximum: int) -> int:
    """`z.coerce.number().int().positive()` (HEAD §8.6), at most `maximum` (larger values are capped)."""
    raw = single(query, name)
    if raw is None:
        return default
    value = js_number(raw)
    if math.isnan(value):
        raise serializers.ValidationError({name: ["Invalid input: expected number, received NaN"]})
    if not math.isfinite(value) or not value.is_integer():
        raise serializers.ValidationError({name: ["Invalid input: expected int, received number"]})
    if value <= 0:
        raise serializers.ValidationError({name: ["Too small: expected number to be >0"]})
    return min(int(value), maximum)


def jlpt_levels(query: Any, name: str = "jlpt") -> list[int] | None:
    """HEAD §5.9 `jlptField`: "5,4" -> [5, 4]; absent, "" or only commas -> None (no filter).

    Parts are trimmed, empty ones skipped; each must be all digits with a value 1..5, else one
    error lists every invalid part. Levels are unique, in first-occurrence order ("05" is 5).
    """
    raw = single(query, name)
    if not raw:
        return None
    levels: list[int] = []
    invalid: list[str] = []
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        digits = part.isascii() and part.isdigit()
        significant = part.lstrip("0")  # "05" is 5; longer numbers are out of range anyway
        value = int(significant or "0") if digits and len(significant) <= 1 else 0
        if value not in JLPT_LEVELS:
            invalid.append(part)
        elif value not in levels:
            levels.append(value)
    if invalid:
        message = f"Invalid JLPT level(s): {', '.join(invalid)}. Must be integers between 1 and 5."
        raise serializers.ValidationError({name: [message]})
    return levels or None
