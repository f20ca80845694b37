"""Query parameters as today's web app's server read them (HEAD §5.9, §8.6): JavaScript `Number()`
coercion for limits and the `jlpt` level list. The one parser of each, for the games routes (these
functions) and the SRS routes (srs/fields.py's DRF fields call `parse_jlpt_levels`); the JavaScript
conversions themselves are `vela.js`.

Errors are DRF ValidationErrors keyed by the parameter, so they answer 400 with `fields`.
"""

from __future__ import annotations

import math
from typing import Any

from rest_framework import serializers

from vela.js import js_number, js_trim

JLPT_LEVELS = range(1, 6)


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
    """HEAD §5.9 `jlptField` of the parameter `name` (see `parse_jlpt_levels`); invalid parts are a 400."""
    raw = single(query, name)
    try:
        return parse_jlpt_levels(raw or "")
    except ValueError as exc:
        raise serializers.ValidationError({name: [str(exc)]}) from exc


def parse_jlpt_levels(text: str) -> list[int] | None:
    """`"5,4"` -> [5, 4]; "" or only commas -> None (no filter); ValueError names the invalid parts.

    Parts are trimmed as JavaScript does, empty ones skipped; each must be all ASCII digits with a
    value 1..5, else one error lists every invalid part. Levels are unique, in first-occurrence
    order ("05" is 5).
    """
    levels: list[int] = []
    invalid: list[str] = []
    for part in (js_trim(piece) for piece in text.split(",")):
        if not part:
            continue
        digits = part.isascii() and part.isdigit()
        significant = part.lstrip("0")  # "05" is 5; longer numbers are out of range (never int() a huge one)
        value = int(significant or "0") if digits and len(significant) <= 1 else 0
        if value not in JLPT_LEVELS:
            invalid.append(part)
        elif value not in levels:
            levels.append(value)
    if invalid:
        raise ValueError(f"Invalid JLPT level(s): {', '.join(invalid)}. Must be integers between 1 and 5.")
    return levels or None
