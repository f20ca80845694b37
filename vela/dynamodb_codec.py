"""Lean DynamoDB attribute-value codec for the low-level client (hot paths skip the resource layer).

Numbers come back as `int` when integral and `float` otherwise, so no `Decimal` leaks past a
repository. `MISSING` marks an attribute the item does not have (distinct from a stored NULL).
"""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

# DynamoDB numbers: up to 38 significant digits, magnitude 1E-130 .. 9.9999999999999999999999999999999999999E+125.
MAX_MAGNITUDE = Decimal("1E126")
MIN_MAGNITUDE = Decimal("1E-130")
MAX_DEPTH = 32


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


MISSING: Any = _Missing()


def _number_text(value: int | float | Decimal) -> str:
    if isinstance(value, float):
        return str(Decimal(repr(value)))
    return str(value)


def number_problem(value: int | float | Decimal) -> str | None:
    """Why DynamoDB would reject this number, or None."""
    if isinstance(value, float) and not math.isfinite(value):
        return "must be a finite number"
    number = Decimal(_number_text(value))
    magnitude = abs(number)
    if magnitude and not (MIN_MAGNITUDE <= magnitude < MAX_MAGNITUDE):
        return "is out of the storable range"
    # Count significant digits exactly (normalize() would round to the context's 28 digits).
    if len("".join(map(str, number.as_tuple().digits)).strip("0")) > 38:
        return "has more than 38 significant digits"
    return None


def value_problem(value: Any, depth: int = 0) -> str | None:
    """Why a JSON value could not be stored as a DynamoDB attribute, or None."""
    if depth > MAX_DEPTH:
        return f"is nested deeper than {MAX_DEPTH} levels"
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return None
    if isinstance(value, int | float | Decimal):
        return number_problem(value)
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key == "":
                return "has an empty key"  # DynamoDB attribute names (map keys too) need a character
            if problem := value_problem(item, depth + 1):
                return problem
        return None
    if isinstance(value, list | tuple):
        for item in value:
            if problem := value_problem(item, depth + 1):
                return problem
        return None
    return f"has an unsupported type ({type(value).__name__})"


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
            return base64.b64encode(raw).decode()
        if tag == "BS":
            return [base64.b64encode(v).decode() for v in raw]
    raise ValueError(f"Unknown attribute value: {list(av)}")


def from_item(item: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    return {k: from_av(v) for k, v in item.items()}
