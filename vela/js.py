"""JavaScript's conversions as today's web app's server (Node) applies them: `String.prototype.trim`,
`Number(text)`, `String(value)` and `Number(value)` for JSON values. One home for every route that
must read input the way HEAD does (games/SRS query parameters, profile preferences)."""

from __future__ import annotations

import math
import re
from typing import Any

# ECMAScript StrWhiteSpaceChar: WhiteSpace and LineTerminator (what `Number()` and `trim()` strip).
JS_WHITESPACE = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_RADIX = re.compile(r"^0([xX][0-9a-fA-F]+|[oO][0-7]+|[bB][01]+)$")
_DECIMAL = re.compile(r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$")
_INFINITY = re.compile(r"^[+-]?Infinity$")


def js_trim(text: str) -> str:
    """JavaScript `String.prototype.trim` (Python's `strip()` differs: it strips \\x1c-\\x1f, keeps \\ufeff)."""
    return text.strip(JS_WHITESPACE)


def js_number(text: str) -> float:
    """JavaScript `Number(text)`: "" -> 0, " 3 " -> 3, "0x10" -> 16, "1e1" -> 10, "abc" -> NaN."""
    text = js_trim(text)
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


def js_string(value: Any) -> str:
    """JavaScript `String(value)` for a JSON value (what `Number()` of a non-string reads)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(int(value)) if float(value).is_integer() and abs(value) < 1e21 else repr(float(value))
    if isinstance(value, list):
        return ",".join("" if item is None else js_string(item) for item in value)
    if isinstance(value, dict):
        return "[object Object]"
    return str(value)


def js_to_number(value: Any) -> float:
    """JavaScript `Number(value)` for a JSON value: true -> 1, null -> 0, "45" -> 45, [7] -> 7, {} -> NaN."""
    if value is None:
        return 0.0
    if isinstance(value, bool | int | float):
        return float(value)
    if isinstance(value, str):
        return js_number(value)
    if isinstance(value, list):
        return js_number(js_string(value))
    return math.nan
