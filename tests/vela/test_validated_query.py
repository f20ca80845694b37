"""`vela.query_params.validated_query`: the same answers as building the serializer, without building it
for an empty query when nothing could be required or defaulted."""

from __future__ import annotations

import pytest
from django.http import QueryDict
from rest_framework import serializers

from vela.query_params import validated_query


class Optional(serializers.Serializer):
    user_id = serializers.CharField(required=False, max_length=5)


class Defaulted(serializers.Serializer):
    limit = serializers.IntegerField(required=False, default=20)


class Required(serializers.Serializer):
    word = serializers.CharField()


def test_an_empty_query_of_optional_fields_is_empty_without_a_serializer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Optional, "__init__", None)  # building one would raise TypeError

    assert validated_query(Optional, QueryDict("")) == {}


def test_parameters_defaults_and_required_fields_still_go_through_the_serializer() -> None:
    assert validated_query(Optional, QueryDict("user_id=abc")) == {"user_id": "abc"}
    assert validated_query(Defaulted, QueryDict("")) == {"limit": 20}
    with pytest.raises(serializers.ValidationError) as missing:
        validated_query(Required, QueryDict(""))
    with pytest.raises(serializers.ValidationError) as too_long:
        validated_query(Optional, QueryDict("user_id=abcdefgh"))

    assert "word" in missing.value.detail
    assert "user_id" in too_long.value.detail
