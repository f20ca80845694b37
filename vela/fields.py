"""The one family of strict serializer fields: the original API's (Zod) strictness, plus DynamoDB-safe bounds.

DRF's own fields coerce (`CharField` takes 5 and gives "5", `BooleanField` takes "yes",
`IntegerField` takes "12", `FloatField` takes "1.5"); Zod rejected all of these, so clients never
relied on it, and these fields reject them too. Numbers and JSON objects are checked against what
DynamoDB can store (`vela.dynamodb.codec`), so a caller's mistake is a 400, never a DynamoDB 500.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from typing import Any

from django.core.validators import MaxValueValidator, MinLengthValidator, MinValueValidator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from vela.dynamodb.codec import number_problem, value_problem

USER_ID_HELP = "Optional; must equal the token's `sub` (else 403). Absent: the token's `sub`."
USER_ID_MAX = 2048
MAX_SAFE_INTEGER = 2**53 - 1  # JavaScript's Number.MAX_SAFE_INTEGER: what Zod's int() accepts


@cache
def _nothing_to_validate(serializer_class: type[serializers.Serializer]) -> bool:
    """Every declared field optional without a default, and no serializer-level validation: empty data
    validates to `{}`."""
    fields = serializer_class._declared_fields  # set by DRF's SerializerMetaclass
    return (
        serializer_class.validate is serializers.Serializer.validate
        and not getattr(getattr(serializer_class, "Meta", None), "validators", None)
        and all(not field.required and field.default is empty for field in fields.values())
    )


def validated(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    """The validated data of `serializer_class(data=data)`; invalid data raises DRF's ValidationError
    (a 400 with `fields`). An empty mapping for a serializer with nothing to validate is `{}` without building
    the serializer (DRF deep-copies its fields, ~50 us on a hot read whose client sends no parameters)."""
    if isinstance(data, Mapping) and not data and _nothing_to_validate(serializer_class):
        return {}
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class StrictCharField(serializers.CharField):
    default_error_messages = {"invalid": "Expected a string."}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # A blank value is refused ("may not be blank") before any validator runs; this puts
        # `minLength: 1` in the schema so it says so too.
        if not self.allow_blank and self.min_length is None:
            self.min_length = 1
            self.validators.append(MinLengthValidator(1))

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
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        if isinstance(data, float) and not data.is_integer():
            self.fail("invalid")
        return int(super().to_internal_value(int(data)))


def user_id_field() -> StrictCharField:
    """The optional `user_id` of the original's bodies and queries (CONTRACT §2.1)."""
    return StrictCharField(required=False, max_length=USER_ID_MAX, help_text=USER_ID_HELP)


# A route whose only query parameter is the optional `user_id`: its schema parameter and its check.
USER_ID_QUERY = OpenApiParameter("user_id", str, required=False, description=USER_ID_HELP)


class UserIdQuerySerializer(serializers.Serializer):
    user_id = user_id_field()


@extend_schema_field(OpenApiTypes.NUMBER)
class StrictNumberField(serializers.Field):
    """A JSON number (int or float, never a string or bool) that DynamoDB can store."""

    default_error_messages = {
        "invalid": "Expected a number.",
        "range": "Not storable in DynamoDB: {problem}.",
        "bounds": "Ensure this value is between {min_value} and {max_value}.",
    }

    def __init__(self, *, min_value: float | None = None, max_value: float | None = None, **kwargs: Any) -> None:
        self.min_value, self.max_value = min_value, max_value
        super().__init__(**kwargs)
        # Checked above with the field's own message; the validators put the bounds in the schema.
        if min_value is not None:
            self.validators.append(MinValueValidator(min_value))
        if max_value is not None:
            self.validators.append(MaxValueValidator(max_value))

    def to_internal_value(self, data: Any) -> int | float:
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        if problem := number_problem(data):
            self.fail("range", problem=problem.detail)
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
        "unstorable": "Not storable in DynamoDB: {problem}.",
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
            self.fail("unstorable", problem=problem.detail)
        return data

    def to_representation(self, value: Any) -> Any:
        return value
