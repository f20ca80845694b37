from decimal import Decimal

import pytest

from vela.dynamodb.codec import (
    BAD_KEY,
    MAX_DEPTH,
    MISSING,
    OUT_OF_RANGE,
    SURROGATE,
    TOO_DEEP,
    TOO_PRECISE,
    check_storable,
    from_av,
    number_problem,
    to_av,
    to_item,
    value_problem,
)
from vela.errors import BadRequestError


@pytest.mark.parametrize(
    "value",
    [
        "テキスト",
        "",
        0,
        -12,
        2.5,
        1e-05,
        None,
        True,
        False,
        [1, "a", None, [2.25]],
        {"a": {"b": [True, {"c": 1.5}]}, "key": "value"},
    ],
)
def test_round_trip(value):
    assert from_av(to_av(value)) == value


def test_numbers_never_come_back_as_decimal():
    assert from_av({"N": "25"}) == 25
    assert type(from_av({"N": "25.0"})) is int
    assert type(from_av({"N": "2.5"})) is float
    assert from_av({"NS": ["1", "1.5"]}) == [1, 1.5]
    assert from_av({"SS": ["a"]}) == ["a"]


def test_floats_are_sent_as_exact_decimal_text():
    assert to_av(0.1) == {"N": "0.1"}
    assert to_av(Decimal("3.14")) == {"N": "3.14"}
    assert to_av(1e20) == {"N": "1E+20"}


def test_missing_attributes_are_left_out():
    assert to_item({"a": 1, "b": MISSING, "c": None}) == {"a": {"N": "1"}, "c": {"NULL": True}}


@pytest.mark.parametrize("value", [float("inf"), float("nan"), 1e126, 1e-131, 10**40 + 1])
def test_unstorable_numbers_are_named(value):
    assert number_problem(value)


def test_storable_numbers_pass():
    assert number_problem(9.99e125) is None
    assert number_problem(0) is None
    assert number_problem(10**37) is None


def test_value_problem_walks_nested_values():
    assert value_problem({"a": [{"b": 1e200}]}) == OUT_OF_RANGE
    assert value_problem({"a": object()}).code == "invalid_value"
    assert value_problem({"ok": [1, "x", None]}) is None
    assert value_problem({"a": {"": 1}}) == BAD_KEY
    assert value_problem({"a": ["\ud800"]}) == SURROGATE
    assert value_problem({"\udc00": 1}) == SURROGATE


def test_depth_is_counted_from_the_top_value():
    def nested(depth):
        value = 1
        for _ in range(depth):
            value = {"k": value}
        return value

    assert value_problem(nested(MAX_DEPTH)) is None
    assert value_problem(nested(MAX_DEPTH + 1)) == TOO_DEEP


def test_check_storable_is_a_400_naming_the_path():
    with pytest.raises(BadRequestError) as caught:
        check_storable({"n": 10**40 + 1}, "context")

    assert (caught.value.code, caught.value.message) == ("invalid_number", f"context: {TOO_PRECISE.detail}")


def test_unknown_type_cannot_be_stored():
    with pytest.raises(TypeError):
        to_av(object())
