"""`vela.fields.validated`: the same answers as building the serializer, without building it for empty
data when nothing could be required, defaulted or validated at the serializer level."""

from __future__ import annotations

import pytest
from django.http import QueryDict
from rest_framework import serializers

from vela.fields import validated


class Optional(serializers.Serializer):
    user_id = serializers.CharField(required=False, max_length=5)


class Defaulted(serializers.Serializer):
    limit = serializers.IntegerField(required=False, default=20)


class Required(serializers.Serializer):
    word = serializers.CharField()


class CrossField(serializers.Serializer):
    a = serializers.CharField(required=False)

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError("send a")
        return attrs


def test_an_empty_query_of_optional_fields_is_empty_without_a_serializer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Optional, "__init__", None)  # building one would raise TypeError

    assert validated(Optional, QueryDict("")) == {}


def test_parameters_defaults_required_fields_and_validate_still_go_through_the_serializer() -> None:
    assert validated(Optional, QueryDict("user_id=abc")) == {"user_id": "abc"}
    assert validated(Defaulted, QueryDict("")) == {"limit": 20}
    with pytest.raises(serializers.ValidationError) as missing:
        validated(Required, QueryDict(""))
    with pytest.raises(serializers.ValidationError, match="No data provided"):
        validated(Optional, None)  # a JSON `null` body is not an empty mapping
    with pytest.raises(serializers.ValidationError, match="send a"):
        validated(CrossField, {})
    with pytest.raises(serializers.ValidationError) as too_long:
        validated(Optional, QueryDict("user_id=abcdefgh"))

    assert "word" in missing.value.detail
    assert "user_id" in too_long.value.detail
