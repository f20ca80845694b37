"""The DynamoDB value codec for the low-level client, and what DynamoDB can store (written once).

- `to_av`/`to_item` and `from_av`/`from_item` convert JSON-ready Python values to attribute-value
  maps and back; numbers come back as `int` when integral and `float` otherwise, so no `Decimal`
  leaks past a repository. `MISSING` marks an attribute the item does not have (not a stored NULL).
- `value_problem(value)` says why DynamoDB could not store a value (numbers beyond its range or
  precision, maps nested deeper than 32 levels, empty keys, lone UTF-16 surrogates), as a
  `Problem` with a stable `code`; serializer fields and services word their 400s from it, and
  `check_storable` raises the 400 itself. One message set for every app.
"""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from vela.errors import BadRequestError

# DynamoDB numbers: up to 38 significant digits, magnitude 1E-130 .. 9.9999999999999999999999999999999999999E+125.
MAX_MAGNITUDE = Decimal("1E126")
MIN_MAGNITUDE = Decimal("1E-130")
MAX_DIGITS = 38
MAX_DEPTH = 32
# Lone UTF-16 surrogates (JSON allows "\ud800") cannot be encoded as UTF-8, so DynamoDB cannot store them.
_SURROGATE = re.compile("[\ud800-\udfff]")


class _Missing:
    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


# Typed Any so that record fields of any type can default to it.
MISSING: Any = _Missing()


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a value cannot be stored: `code` for clients, `detail` a phrase for messages."""

    code: str
    detail: str

    def message(self, path: str) -> str:
        return f"{path}: {self.detail}"


NOT_FINITE = Problem("invalid_number", "number is not finite")
OUT_OF_RANGE = Problem("invalid_number", "number is out of DynamoDB's range (1E-130 <= |x| < 1E126)")
TOO_PRECISE = Problem("invalid_number", f"number has more than {MAX_DIGITS} significant digits")
TOO_DEEP = Problem("too_deep", f"nested deeper than {MAX_DEPTH} levels")
BAD_KEY = Problem("invalid_key", "empty or non-string key")
SURROGATE = Problem("invalid_text", "unpaired surrogate character")


def _number_text(value: int | float | Decimal) -> str:
    if isinstance(value, float):
        return str(Decimal(repr(value)))
    return str(value)


def number_problem(value: int | float | Decimal) -> Problem | None:
    """Why DynamoDB would reject this number, or None."""
    if isinstance(value, float) and not math.isfinite(value):
        return NOT_FINITE
    number = Decimal(_number_text(value))
    if not number.is_finite():
        return NOT_FINITE
    magnitude = abs(number)
    if magnitude and not (MIN_MAGNITUDE <= magnitude < MAX_MAGNITUDE):
        return OUT_OF_RANGE
    # Count significant digits exactly (normalize() would round to the context's 28 digits).
    if len("".join(map(str, number.as_tuple().digits)).strip("0")) > MAX_DIGITS:
        return TOO_PRECISE
    return None


def text_problem(value: str) -> Problem | None:
    return SURROGATE if _SURROGATE.search(value) else None


def value_problem(value: Any, depth: int = 0) -> Problem | None:
    """Why a JSON value could not be stored as a DynamoDB attribute, or None."""
    if depth > MAX_DEPTH:
        return TOO_DEEP
    if isinstance(value, str):
        return text_problem(value)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float | Decimal):
        return number_problem(value)
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str) or not key:
                return BAD_KEY  # DynamoDB attribute names (map keys too) need a character
            if (problem := text_problem(key)) or (problem := value_problem(item, depth + 1)):
                return problem
        return None
    if isinstance(value, list | tuple):
        for item in value:
            if problem := value_problem(item, depth + 1):
                return problem
        return None
    return Problem("invalid_value", f"value of a type DynamoDB cannot store ({type(value).__name__})")


def check_storable(value: Any, path: str) -> Any:
    """`value` unchanged, or a 400 naming `path` and the problem."""
    if problem := value_problem(value):
        raise BadRequestError(problem.message(path), code=problem.code)
    return value


def to_av(value: Any) -> dict[str, Any]:
    """Python/JSON value -> DynamoDB AttributeValue."""
    if isinstance(value, str):
        return {"S": value}
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int | float | Decimal):
        return {"N": _number_text(value)}
    if isinstance(value, Mapping):
        return {"M": {str(k): to_av(v) for k, v in value.items()}}
    if isinstance(value, list | tuple):
        return {"L": [to_av(v) for v in value]}
    if isinstance(value, bytes):
        return {"B": value}
    raise TypeError(f"Cannot store {type(value).__name__} in DynamoDB")


def to_item(values: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """A whole item; MISSING values are left out."""
    return {k: to_av(v) for k, v in values.items() if v is not MISSING}


def parse_number(text: str) -> int | float:
    if "." not in text and "e" not in text and "E" not in text:
        return int(text)
    number = Decimal(text)
    if number == number.to_integral_value():
        return int(number)
    return float(number)


def from_av(av: Mapping[str, Any]) -> Any:
    """DynamoDB AttributeValue -> JSON-ready Python value."""
    for tag, raw in av.items():
        if tag == "S":
            return raw
        if tag == "N":
            return parse_number(raw)
        if tag == "M":
            return {k: from_av(v) for k, v in raw.items()}
        if tag == "L":
            return [from_av(v) for v in raw]
        if tag == "BOOL":
            return bool(raw)
        if tag == "NULL":
            return None
        if tag == "SS":
            return list(raw)
        if tag == "NS":
            return [parse_number(v) for v in raw]
        if tag == "B":
            return _base64_text(raw)
        if tag == "BS":
            return [_base64_text(v) for v in raw]
    raise ValueError(f"Unknown attribute value: {list(av)}")


def _base64_text(raw: bytes | str) -> str:
    """Binary values as base64 text: bytes from botocore's parser, already text from the wire
    (vela.dynamodb.raw_reads)."""
    return raw if isinstance(raw, str) else base64.b64encode(raw).decode()


def from_item(item: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    return {k: from_av(v) for k, v in item.items()}
