"""Profile preferences as today's web app's server has them (HEAD delta §8.3, quirk §13.10).

Six known keys, all optional; unknown keys are dropped. Writes are validated (`PreferencesSerializer`,
400 with dotted field names such as `preferences.dailyGoal`), then normalised and stored as a whole
map. Reads normalise the stored map in the response only (nothing is written back):

- the four numbers (`dailyGoal`, `dailyLessonGoal`, `lessonDurationMinutes`, `todayStudyTime`) are
  read with JavaScript `Number()`, truncated toward zero, and replaced by their default when
  missing, not finite or out of range, so they are always present;
- `difficulty` and `notifications` are kept when valid. A stored invalid one is dropped with a
  warning (HEAD answers 500 `Invalid preferences data` on such a read, which locks the user out of
  their profile until a PUT; decided in the README's §13 table).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from vela.fields import StrictBooleanField
from vela.js import js_to_number

logger = logging.getLogger("vela.profiles")

DIFFICULTIES = ("Beginner", "Intermediate", "Advanced")


@dataclass(frozen=True, slots=True)
class NumericPreference:
    default: int
    minimum: int
    maximum: int


# Normalisation's defaults and ranges (`todayStudyTime` is unbounded on write, 0..1440 once normalised).
NUMERIC = {
    "dailyGoal": NumericPreference(30, 1, 1440),
    "dailyLessonGoal": NumericPreference(5, 1, 50),
    "lessonDurationMinutes": NumericPreference(6, 1, 120),
    "todayStudyTime": NumericPreference(0, 0, 1440),
}
KEY_ORDER = ("dailyGoal", "dailyLessonGoal", "lessonDurationMinutes", "difficulty", "notifications", "todayStudyTime")


def default_preferences() -> dict[str, int]:
    """What a new profile stores: the four numeric defaults."""
    return {key: rule.default for key, rule in NUMERIC.items()}


def preferences_normalised(value: Any) -> dict[str, Any]:
    """HEAD's normalisation of a stored or validated map (a non-object counts as {}), in HEAD's key order."""
    source: Mapping[str, Any] = value if isinstance(value, dict) else {}
    result: dict[str, Any] = {}
    for key in KEY_ORDER:
        if key in NUMERIC:
            result[key] = _number(key, source.get(key), present=key in source)
        elif key in source:
            if _valid_flag(key, source[key]):
                result[key] = source[key]
            else:
                logger.warning("Dropped an invalid stored preference %s", key)
    return result


def _number(key: str, raw: Any, *, present: bool) -> int:
    rule = NUMERIC[key]
    number = js_to_number(raw) if present else math.nan
    if math.isfinite(number) and rule.minimum <= math.trunc(number) <= rule.maximum:
        return math.trunc(number)
    if present:
        logger.warning("Preference %s out of range or not a number: default %d used", key, rule.default)
    return rule.default


def _valid_flag(key: str, value: Any) -> bool:
    return value in DIFFICULTIES if key == "difficulty" else isinstance(value, bool)


# --- writes ---------------------------------------------------------------------------------------------
@extend_schema_field(OpenApiTypes.NUMBER)
class JsCoercedNumberField(serializers.Field):
    """Zod's `z.coerce.number()` (JavaScript `Number()` of any JSON value, finite), optionally `.int()`
    and bounded; HEAD's messages."""

    default_error_messages = {
        "nan": "Invalid input: expected number, received NaN",
        "infinite": "Invalid input: expected number, received Infinity",
        "int": "Invalid input: expected int, received number",
        "too_small": "Too small: expected number to be >={minimum}",
        "too_big": "Too big: expected number to be <={maximum}",
    }

    def __init__(
        self, *, integer: bool = False, minimum: int | None = None, maximum: int | None = None, **kwargs: Any
    ) -> None:
        self.integer, self.minimum, self.maximum = integer, minimum, maximum
        super().__init__(**kwargs)

    def validate_empty_values(self, data: Any) -> tuple[bool, Any]:
        if data is None:  # Number(null) is 0: checked like any other value
            return False, None
        return super().validate_empty_values(data)

    def to_internal_value(self, data: Any) -> int | float:
        number = js_to_number(data)
        if math.isnan(number):
            self.fail("nan")
        if not math.isfinite(number):
            self.fail("infinite")
        if self.integer and not number.is_integer():
            self.fail("int")
        if self.minimum is not None and number < self.minimum:
            self.fail("too_small", minimum=self.minimum)
        if self.maximum is not None and number > self.maximum:
            self.fail("too_big", maximum=self.maximum)
        return int(number) if number.is_integer() else number

    def to_representation(self, value: Any) -> Any:
        return value


def _bounded(key: str) -> JsCoercedNumberField:
    rule = NUMERIC[key]
    return JsCoercedNumberField(integer=True, minimum=rule.minimum, maximum=rule.maximum, required=False)


class PreferencesSerializer(serializers.Serializer):
    """HEAD's preferences schema for `PUT /api/profiles/update`; unknown keys are dropped."""

    dailyGoal = _bounded("dailyGoal")
    dailyLessonGoal = _bounded("dailyLessonGoal")
    lessonDurationMinutes = _bounded("lessonDurationMinutes")
    difficulty = serializers.ChoiceField(
        choices=DIFFICULTIES,
        required=False,
        error_messages={"invalid_choice": 'Invalid option: expected one of "Beginner"|"Intermediate"|"Advanced"'},
    )
    notifications = StrictBooleanField(required=False)
    todayStudyTime = JsCoercedNumberField(
        required=False, help_text="Any number; stored as its integer part, or 0 outside 0..1440."
    )

    def run_validation(self, data: Any = empty) -> Any:
        # Not an object: one message on `preferences` itself (DRF would nest it as `non_field_errors`).
        if data is not empty and not isinstance(data, Mapping):
            raise serializers.ValidationError(f"Invalid input: expected object, received {_js_type(data)}")
        return super().run_validation(data)


def _js_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, list):
        return "array"
    return {bool: "boolean", str: "string"}.get(type(value), "number")
