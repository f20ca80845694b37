"""dictionary.services called directly: Jisho is the local fake upstream over real HTTP (tests/upstream.py),
which records the exact request; the HTTP contract of the route is in test_lookup.py."""

from __future__ import annotations

import json

import pytest

from dictionary import jisho
from dictionary.services import MAX_MEANINGS, Lookup, choose, dictionary_lookup, to_hiragana
from tests.upstream import Reply
from vela.errors import NotFoundError, UpstreamError, UpstreamTimeoutError

SEARCH = "/api/v1/search/words"

HOMOGRAPHS = {
    "data": [
        {
            "is_common": True,
            "japanese": [{"word": "今日", "reading": "きょう"}, {"reading": "けふ"}],
            "senses": [{"english_definitions": ["today", "this day"]}, {"english_definitions": ["today", "these"]}],
            "jlpt": ["jlpt-n5", "jlpt-n4"],
        },
        {"japanese": [{"word": "今日", "reading": "コンニチ"}], "senses": [{"english_definitions": ["nowadays"]}]},
    ]
}


def answer(upstream, payload, **reply):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    upstream.on("GET", SEARCH, Reply(body=body, headers={"Content-Type": "application/json"}, **reply))


def test_first_entry_is_mapped_and_the_request_is_one_plain_get(upstream):
    answer(upstream, HOMOGRAPHS)

    lookup = dictionary_lookup(word="今日")

    assert lookup == Lookup(
        word="今日", reading="きょう", meanings=["today", "this day", "these"], jlpt="jlpt-n5", common=True
    )
    [sent] = upstream.requests
    assert (sent.method, sent.path, sent.body) == ("GET", f"{SEARCH}?keyword=%E4%BB%8A%E6%97%A5", b"")


def test_reading_hint_picks_a_later_entry_through_katakana_normalisation(upstream):
    answer(upstream, HOMOGRAPHS)

    lookup = dictionary_lookup(word="今日", reading="こんにち")

    assert (lookup.word, lookup.reading, lookup.meanings, lookup.jlpt, lookup.common) == (
        "今日",
        "コンニチ",  # the variant's own spelling, not the hint's
        ["nowadays"],
        None,
        False,
    )


def test_reading_hint_can_pick_a_variant_without_a_word(upstream):
    answer(upstream, HOMOGRAPHS)

    lookup = dictionary_lookup(word="今日", reading="ケフ")

    assert (lookup.word, lookup.reading) == ("今日", "けふ")  # no variant word: the query word


def test_a_hint_that_matches_nothing_falls_back_to_the_first_variant():
    first = jisho.Entry((jisho.Variant("上", "うえ"),), (), (), False)
    second = jisho.Entry((jisho.Variant("上", "かみ"),), (), (), False)

    assert choose([first, second], "した") == (first, first.japanese[0])
    assert choose([first, second], "") == (first, first.japanese[0])
    assert choose([second, first], "ウエ") == (first, first.japanese[0])


def test_an_entry_without_variants_has_no_variant_and_the_lookup_uses_the_query(upstream):
    entry = jisho.Entry((), ("x",), (), False)
    answer(upstream, {"data": [{}]})

    assert choose([entry], "きょう") == (entry, None)
    assert dictionary_lookup(word="a&b") == Lookup(word="a&b", reading="", meanings=[], jlpt=None, common=False)


def test_meanings_are_deduplicated_in_order_and_cut_to_three(upstream):
    senses = [{"english_definitions": ["above", "up"]}, {"english_definitions": ["up", "top", "above", "over"]}]
    answer(upstream, {"data": [{"japanese": [{"word": "上"}], "senses": senses}]})

    lookup = dictionary_lookup(word="上")

    assert MAX_MEANINGS == 3
    assert lookup.meanings == ["above", "up", "top"]


def test_to_hiragana_shifts_only_the_katakana_block():
    assert to_hiragana("キョウァヶヴー漢a") == "きょうぁゖゔー漢a"


def test_no_entries_is_not_found_no_results(upstream):
    answer(upstream, {"data": []})

    with pytest.raises(NotFoundError) as raised:
        dictionary_lookup(word="zzzz")

    assert (raised.value.message, raised.value.code, raised.value.status_code) == (
        "No results found",
        "no_results",
        404,
    )


@pytest.mark.parametrize(
    ("reply", "message", "code"),
    [
        (Reply(status=503, body=b"{}"), "Jisho API request failed", "jisho_request_failed"),
        (Reply(body=b"<html>busy</html>"), "Jisho API request failed", "jisho_request_failed"),
        (Reply(body=b'{"data":[{"is_common":"yes"}]}'), "Invalid Jisho API response", "jisho_invalid_response"),
    ],
)
def test_upstream_failures_are_502_with_their_codes(upstream, reply, message, code):
    upstream.on("GET", SEARCH, reply)

    with pytest.raises(UpstreamError) as raised:
        dictionary_lookup(word="犬")

    assert type(raised.value) is UpstreamError
    assert (raised.value.message, raised.value.code, raised.value.status_code) == (message, code, 502)
    assert len(upstream.requests) == 1  # never retried


def test_unreachable_upstream_is_502(upstream, settings):
    settings.JISHO_API_BASE_URL = "http://127.0.0.1:9"

    with pytest.raises(UpstreamError) as raised:
        dictionary_lookup(word="犬")

    assert (type(raised.value), raised.value.code, raised.value.status_code) == (
        UpstreamError,
        "jisho_request_failed",
        502,
    )


def test_slow_upstream_is_504_timeout(upstream, settings):
    settings.DICTIONARY_UPSTREAM_TIMEOUT = 0.3
    answer(upstream, HOMOGRAPHS, delay=1.5)

    with pytest.raises(UpstreamTimeoutError) as raised:
        dictionary_lookup(word="今日")

    assert (raised.value.message, raised.value.code, raised.value.status_code) == (
        "Jisho API request timed out",
        "jisho_timeout",
        504,
    )
    assert len(upstream.requests) == 1
