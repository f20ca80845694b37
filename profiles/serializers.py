"""The profile's wire form, shared with progress (its analytics read the same record)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from profiles.records import Profile
from vela.fields import JsonObjectField, NumberField


class ProfileSerializer(serializers.Serializer):
    """Reference §5.7: the stored item verbatim. Attributes the item lacks are left out."""

    user_id = serializers.CharField()
    email = serializers.CharField(allow_null=True, required=False)
    username = serializers.CharField(allow_null=True, required=False)
    avatar_url = serializers.CharField(allow_null=True, required=False)
    native_language = serializers.CharField(required=False)
    current_level = NumberField(required=False)
    total_experience = NumberField(required=False)
    learning_streak = NumberField(required=False)
    preferences = JsonObjectField(
        required=False,
        help_text="`dailyGoal`, `dailyLessonGoal`, `lessonDurationMinutes`, `todayStudyTime` (integers), "
        "`difficulty` (`Beginner`|`Intermediate`|`Advanced`), `notifications` (boolean); normalised on "
        "`GET /api/profiles` (rows from before HEAD may hold other keys, returned elsewhere as stored).",
    )
    created_at = serializers.CharField(required=False)
    updated_at = serializers.CharField(required=False)
    last_activity = serializers.CharField(required=False)

    def to_representation(self, instance: Profile) -> dict[str, Any]:
        # Verbatim: the declared fields document the schema; DRF would turn absent nullable fields into nulls.
        return instance.to_dict()
