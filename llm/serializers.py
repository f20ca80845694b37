"""Type checks for LLM requests, run after the original's ordered checks (so its messages win)."""

from __future__ import annotations

import math
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from vela.fields import StrictCharField


def header_safe(value: str) -> str:
    """Values that end up in upstream headers: latin-1, no control characters."""
    if any(ord(c) < 0x20 or ord(c) == 0x7F or ord(c) > 0xFF for c in value):
        raise serializers.ValidationError("Must contain only printable Latin-1 characters.")
    return value


@extend_schema_field(OpenApiTypes.NUMBER)
class StrictNumberField(serializers.Field):
    """A JSON number (not a bool, not a string), finite, within bounds; kept as given (int or float)."""

    def __init__(self, *, min_value: float, max_value: float, integer: bool = False, **kwargs: Any) -> None:
        self.min_value, self.max_value, self.integer = min_value, max_value, integer
        super().__init__(**kwargs)
        # Checked in to_internal_value; the validators put the bounds in the schema.
        self.validators += [MinValueValidator(min_value), MaxValueValidator(max_value)]

    def to_internal_value(self, data: Any) -> int | float:
        valid_type = int if self.integer else (int, float)
        if isinstance(data, bool) or not isinstance(data, valid_type):
            if not (self.integer and isinstance(data, float) and data.is_integer()):
                raise serializers.ValidationError(
                    "A valid integer is required." if self.integer else "A number is required."
                )
            data = int(data)
        if isinstance(data, float) and not math.isfinite(data):
            raise serializers.ValidationError("A finite number is required.")
        if not self.min_value <= data <= self.max_value:
            raise serializers.ValidationError(f"Must be between {self.min_value:g} and {self.max_value:g}.")
        return data

    def to_representation(self, value: Any) -> Any:
        return value


@extend_schema_field(OpenApiTypes.INT)
class StrictIntegerField(StrictNumberField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(integer=True, **kwargs)


class MessageSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=["system", "user", "assistant"])
    content = StrictCharField(allow_blank=True, trim_whitespace=False, max_length=200_000)


class ChatInputSerializer(serializers.Serializer):
    provider = StrictCharField()
    messages = MessageSerializer(many=True, required=False, allow_null=True, max_length=500)
    prompt = StrictCharField(
        required=False, allow_null=True, allow_blank=True, trim_whitespace=False, max_length=200_000
    )
    system = StrictCharField(
        required=False, allow_null=True, allow_blank=True, trim_whitespace=False, max_length=200_000
    )
    model = StrictCharField(required=False, allow_null=True, allow_blank=True, max_length=200)
    temperature = StrictNumberField(required=False, allow_null=True, min_value=0, max_value=2)
    maxTokens = StrictIntegerField(required=False, allow_null=True, min_value=1, max_value=1_000_000)
    apiKey = StrictCharField(
        required=False, allow_null=True, allow_blank=True, max_length=1000, validators=[header_safe]
    )
    appName = StrictCharField(
        required=False, allow_null=True, allow_blank=True, max_length=200, validators=[header_safe]
    )
    referer = StrictCharField(
        required=False, allow_null=True, allow_blank=True, max_length=2000, validators=[header_safe]
    )


class AnalyzeInputSerializer(serializers.Serializer):
    sentence = StrictCharField(max_length=5000)
    provider = StrictCharField()
    model = StrictCharField(required=False, allow_null=True, allow_blank=True, max_length=200)
    apiKey = StrictCharField(max_length=1000, validators=[header_safe])
