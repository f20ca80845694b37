"""Serializer fields with the original API's (zod) strictness, plus DynamoDB-safe bounds.

DRF's CharField/FloatField coerce (`123` -> "123", "1.5" -> 1.5); zod rejected wrong types, and so
do these. Numbers and JSON objects are checked against what DynamoDB can store, so a caller's
mistake is a 400 and never a DynamoDB ValidationException (500).
"""

from __future__ import annotations

import json
import re
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from vela.dynamodb_codec import number_problem, value_problem

USER_ID_HELP = "Optional; must equal the token's `sub` (else 403). Absent: the token's `sub`."
USER_ID_MAX = 2048


class StrictCharField(serializers.CharField):
    default_error_messages = {"invalid": "Expected a string."}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


def user_id_field() -> StrictCharField:
    """The optional `user_id` of the original's bodies and queries (CONTRACT §2.1)."""
    return StrictCharField(required=False, max_length=USER_ID_MAX, help_text=USER_ID_HELP)


@extend_schema_field(OpenApiTypes.NUMBER)
class StrictNumberField(serializers.Field):
    """A JSON number (int or float, never a string or bool) that DynamoDB can store."""

    default_error_messages = {
        "invalid": "Expected a number.",
        "range": "Number {problem}.",
        "bounds": "Ensure this value is between {min_value} and {max_value}.",
    }

    def __init__(self, *, min_value: float | None = None, max_value: float | None = None, **kwargs: Any) -> None:
        self.min_value, self.max_value = min_value, max_value
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> int | float:
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        if problem := number_problem(data):
            self.fail("range", problem=problem)
        if (self.min_value is not None and data < self.min_value) or (
            self.max_value is not None and data > self.max_value
        ):
            self.fail("bounds", min_value=self.min_value, max_value=self.max_value)
        return data

    def to_representation(self, value: Any) -> Any:
        return value


@extend_schema_field(OpenApiTypes.NUMBER)
class NumberField(StrictNumberField):
    """Output: a stored number as is."""


@extend_schema_field({"type": "object", "additionalProperties": True})
class JsonObjectField(serializers.Field):
    """A JSON object (record<string, unknown>) storable as a DynamoDB map, bounded in size."""

    default_error_messages = {
        "invalid": "Expected an object.",
        "too_large": "Object is too large (at most {max_bytes} bytes as JSON).",
        "unstorable": "Object {problem}.",
    }

    def __init__(self, *, max_bytes: int = 64 * 1024, **kwargs: Any) -> None:
        self.max_bytes = max_bytes
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict):
            self.fail("invalid")
        if len(json.dumps(data, ensure_ascii=False).encode()) > self.max_bytes:
            self.fail("too_large", max_bytes=self.max_bytes)
        if problem := value_problem(data):
            self.fail("unstorable", problem=problem)
        return data

    def to_representation(self, value: Any) -> Any:
        return value


_PARSE_INT = re.compile(r"^[\s\ufeff]*([+-]?)(0[xX][0-9a-fA-F]+|[0-9]+)")


def parse_int_like_js(text: str) -> int | None:
    """JavaScript `parseInt(text)` with no radix: "10abc" -> 10, "3.9" -> 3, "0x10" -> 16, "abc" -> None (NaN)."""
    match = _PARSE_INT.match(text)
    if not match:
        return None
    sign, digits = match.groups()
    value = int(digits, 16) if digits[:2].lower() == "0x" else int(digits)
    return -value if sign == "-" else value


class JsParseIntField(serializers.Field):
    """A query parameter parsed with JS `parseInt`, then bounded (the original passed anything to DynamoDB)."""

    default_error_messages = {
        "invalid": "A valid integer is required.",
        "range": "Ensure this value is between {min_value} and {max_value}.",
    }

    def __init__(self, *, min_value: int, max_value: int, **kwargs: Any) -> None:
        self.min_value, self.max_value = min_value, max_value
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> int:
        if not isinstance(data, str):
            self.fail("invalid")
        value = parse_int_like_js(data)
        if value is None:
            self.fail("invalid")
        if not self.min_value <= value <= self.max_value:
            self.fail("range", min_value=self.min_value, max_value=self.max_value)
        return value

    def to_representation(self, value: Any) -> Any:
        return value
