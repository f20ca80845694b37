"""The one parser of JavaScript Number() and HEAD's jlptField (§5.2, §5.9), for the games and SRS routes."""

import math

import pytest

from vela.js import js_number, js_trim
from vela.query_params import parse_jlpt_levels


@pytest.mark.parametrize(
    ("text", "value"),
    [(" 3 ", 3), ("0x10", 16), ("1e1", 10), ("", 0), ("2.5", 2.5), ("+7", 7), (".5e1", 5), ("0b11", 3), ("0o17", 15)],
)
def test_js_number(text, value):
    assert js_number(text) == value


@pytest.mark.parametrize("text", ["abc", "1_000", "-0x10", "0x", "1e", "3 4", "\u0663"])
def test_js_number_nan(text):
    assert math.isnan(js_number(text))


def test_js_number_infinity():
    assert js_number("Infinity") == math.inf
    assert js_number("-Infinity") == -math.inf
    assert js_number("0x" + "f" * 300) == math.inf  # beyond a float, as JavaScript: not an OverflowError


def test_js_trim_differs_from_python_strip():
    assert js_trim("\ufeff x\u3000") == "x"
    assert js_trim("\x1cx") == "\x1cx"  # Python's strip() would remove \x1c; JavaScript keeps it


@pytest.mark.parametrize(
    ("text", "levels"),
    [
        ("5,5,4", [5, 4]),
        (" 3 , 3 ", [3]),
        ("05", [5]),
        (",,", None),
        ("", None),
        ("1,2,3,4,5", [1, 2, 3, 4, 5]),
        ("\ufeff4", [4]),
    ],
)
def test_jlpt_levels(text, levels):
    assert parse_jlpt_levels(text) == levels


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("6", "Invalid JLPT level(s): 6. Must be integers between 1 and 5."),
        ("N5,0,abc", "Invalid JLPT level(s): N5, 0, abc. Must be integers between 1 and 5."),
        ("1.5", "Invalid JLPT level(s): 1.5. Must be integers between 1 and 5."),
        ("\u0665", "Invalid JLPT level(s): \u0665. Must be integers between 1 and 5."),
        ("1" * 5000, f"Invalid JLPT level(s): {'1' * 5000}. Must be integers between 1 and 5."),  # never int()ed
        ("\x1c5", "Invalid JLPT level(s): \x1c5. Must be integers between 1 and 5."),  # JavaScript keeps \x1c
    ],
)
def test_jlpt_invalid_parts_are_one_message(text, message):
    with pytest.raises(ValueError, match="Invalid") as info:
        parse_jlpt_levels(text)

    assert str(info.value) == message
