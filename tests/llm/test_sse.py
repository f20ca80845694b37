"""The incremental SSE parser: the same events whatever way the bytes are cut."""

from __future__ import annotations

import pytest

from llm.sse import SseParser, json_payloads
from tests.upstream import split_odd

STREAM = (
    ": keep-alive comment\r\n"
    'data: {"a":"こんにちは"}\r\n\r\n'
    "event: message\n"
    'data: {"b":\n'
    "data: 2}\n\n"
    "data: not json\n\n"
    "data:[DONE]\r\r"
    'data: {"c":"末尾"}'  # last event not terminated by a blank line
).encode()
EXPECTED = ['{"a":"こんにちは"}', '{"b":\n2}', "not json", "[DONE]", '{"c":"末尾"}']


def parse(pieces):
    parser = SseParser()
    events = []
    for piece in pieces:
        events += parser.feed(piece)
    return events + parser.close()


def test_whole_stream():
    assert parse([STREAM]) == EXPECTED


@pytest.mark.parametrize("cut", range(1, len(STREAM)))
def test_every_two_piece_split_gives_the_same_events(cut):
    assert parse([STREAM[:cut], STREAM[cut:]]) == EXPECTED


@pytest.mark.parametrize("sizes", [(1,), (2,), (3, 1, 4, 1, 5), (7, 13, 29)])
def test_odd_sized_pieces_give_the_same_events(sizes):
    assert parse(split_odd(STREAM, sizes)) == EXPECTED


def test_events_are_returned_as_soon_as_complete():
    parser = SseParser()

    assert parser.feed(b'data: {"x":1}\n') == []
    assert parser.feed(b"\n") == ['{"x":1}']


def test_json_payloads_skip_done_empty_and_invalid_and_split_lines():
    assert list(json_payloads("[DONE]")) == []
    assert list(json_payloads("  ")) == []
    assert list(json_payloads("{oops")) == []
    assert list(json_payloads('{"b":\n2}')) == [{"b": 2}]
    assert list(json_payloads('{"a":1}\n{"b":2}')) == [{"a": 1}, {"b": 2}]


def test_an_endless_line_is_refused():
    parser = SseParser()

    with pytest.raises(ValueError, match="too long"):
        parser.feed(b"data: " + b"x" * 1_000_001)


def test_an_endless_line_in_small_pieces_is_refused_in_linear_time():
    pieces = [b"xxxxxxx"] * 200_000

    with pytest.raises(ValueError, match="too long"):  # 1 MB in 7-byte pieces: quadratic work would hang here
        parse(pieces)


def test_an_endless_event_is_refused():
    pieces = [b"data: " + b"y" * 100 + b"\n"] * 20_000

    with pytest.raises(ValueError, match="too long"):
        parse(pieces)
