"""GET /api/dictionary/lookup (HEAD §6): Jisho is the local fake upstream over real HTTP, which records
the exact request; tokens come from the local JWKS. No AWS is involved (the route reads no table)."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from tests.upstream import Reply

URL = "/api/dictionary/lookup"
SEARCH = "/api/v1/search/words"
CACHE_CONTROL = "private, max-age=86400"

KYOU = {
    "data": [
        {
            "slug": "今日",
            "is_common": True,
            "japanese": [{"word": "今日", "reading": "きょう"}, {"reading": "けふ"}],
            "senses": [
                {"english_definitions": ["today", "this day"], "parts_of_speech": ["Noun"]},
                {"english_definitions": ["these days", "today", "recently"]},
            ],
            "jlpt": ["jlpt-n5", "jlpt-n4"],
        },
        {
            "is_common": False,
            "japanese": [{"word": "今日", "reading": "こんにち"}],
            "senses": [{"english_definitions": ["nowadays"]}],
            "jlpt": [],
        },
        {
            "japanese": [{"word": "京", "reading": "キョウ"}],
            "senses": [{"english_definitions": ["capital"]}],
        },
    ],
    "meta": {"status": 200},
}


@pytest.fixture
def jisho(upstream, cognito):
    return upstream


def answer(upstream, payload, **reply):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    upstream.on("GET", SEARCH, Reply(body=body, headers={"Content-Type": "application/json"}, **reply))


def lookup(client, headers, **params):
    query = "&".join(f"{k}={quote(v, safe='')}" for k, v in params.items())
    return client.get(f"{URL}?{query}", headers=headers)


def test_first_entry_mapped_field_by_field(client, jisho, auth_header):
    answer(jisho, KYOU)
    token_headers = auth_header("user-1")

    response = lookup(client, token_headers, word="  今日 ")

    assert response.status_code == 200
    assert response["Cache-Control"] == CACHE_CONTROL
    assert response.json() == {
        "word": "今日",
        "reading": "きょう",
        "meanings": ["today", "this day", "these days"],
        "jlpt": "jlpt-n5",
        "common": True,
    }
    [sent] = jisho.requests
    assert (sent.method, sent.path) == ("GET", f"{SEARCH}?keyword=%E4%BB%8A%E6%97%A5")
    assert sent.body == b""
    assert "authorization" not in sent.headers  # the caller's token never goes to Jisho


@pytest.mark.parametrize(
    ("word", "keyword"),
    [
        ("東京", "%E6%9D%B1%E4%BA%AC"),
        ("a&b=c", "a%26b%3Dc"),
        ("it's (ok)!*~", "it's%20(ok)!*~"),
        ("a+b/c?d#e", "a%2Bb%2Fc%3Fd%23e"),
        ("😀", "%F0%9F%98%80"),
    ],
)
def test_keyword_is_encoded_like_encodeURIComponent(client, jisho, auth_header, word, keyword):
    answer(jisho, {"data": [{}]})

    response = lookup(client, auth_header(), word=word)

    assert response.status_code == 200
    assert jisho.requests[0].path == f"{SEARCH}?keyword={keyword}"


def test_an_entry_without_anything_falls_back_to_the_query(client, jisho, auth_header):
    answer(jisho, {"data": [{"japanese": [], "senses": [], "jlpt": []}]})

    response = lookup(client, auth_header(), word=" a&b=c ")

    assert response.json() == {"word": "a&b=c", "reading": "", "meanings": [], "common": False}
    assert "jlpt" not in response.json()


def test_meanings_are_deduplicated_across_senses_first_three(client, jisho, auth_header):
    senses = [{"english_definitions": ["above", "up"]}, {"english_definitions": ["top", "above"]}]
    answer(jisho, {"data": [{"japanese": [{"word": "上"}], "senses": [*senses, {"english_definitions": ["over"]}]}]})

    body = lookup(client, auth_header(), word="上").json()

    assert body["meanings"] == ["above", "up", "top"]
    assert body["reading"] == ""


@pytest.mark.parametrize(
    ("reading", "expected"),
    [
        ("キョウ", {"word": "今日", "reading": "きょう", "common": True}),  # katakana hint, hiragana reading
        ("こんにち", {"word": "今日", "reading": "こんにち", "common": False}),  # second entry
        ("コンニチ", {"word": "今日", "reading": "こんにち", "common": False}),
        ("けふ", {"word": "今日", "reading": "けふ", "common": True}),  # second variant: reading only
        ("きょう", {"word": "今日", "reading": "きょう", "common": True}),
        ("ない", {"word": "今日", "reading": "きょう", "common": True}),  # no match: the first entry
        ("   ", {"word": "今日", "reading": "きょう", "common": True}),  # trimmed to empty: no hint
    ],
)
def test_reading_hint_selects_the_homograph(client, jisho, auth_header, reading, expected):
    answer(jisho, KYOU)

    body = lookup(client, auth_header(), word="今日", reading=reading).json()

    assert {k: body[k] for k in expected} == expected


def test_katakana_reading_of_jisho_matches_a_hiragana_hint(client, jisho, auth_header):
    answer(jisho, KYOU)

    body = lookup(client, auth_header(), word="京", reading="きょう").json()

    # the first entry's きょう matches before the third entry's キョウ (first entry in order wins)
    assert body["reading"] == "きょう"
    answer(jisho, {"data": KYOU["data"][2:]})
    assert lookup(client, auth_header(), word="京", reading="きょう").json()["reading"] == "キョウ"


def test_no_results_is_404_without_cache_control(client, jisho, auth_header):
    answer(jisho, {"data": []})

    response = lookup(client, auth_header(), word="zzzz")

    assert response.status_code == 404
    assert response.json() == {"error": "No results found", "code": "no_results"}
    assert "Cache-Control" not in response


@pytest.mark.parametrize("status", [400, 404, 429, 500, 503])
def test_upstream_error_status_is_502(client, jisho, auth_header, status):
    jisho.on("GET", SEARCH, Reply(status=status, body=b'{"meta":{"status":500}}'))

    response = lookup(client, auth_header(), word="犬")

    assert response.status_code == 502
    assert response.json() == {"error": "Jisho API request failed", "code": "jisho_request_failed"}
    assert "Cache-Control" not in response
    assert len(jisho.requests) == 1  # one attempt: the 5 s bound holds


@pytest.mark.parametrize("body", [b"<html>busy</html>", b"", b"\xff\xfe"])
def test_a_body_that_is_not_json_is_502(client, jisho, auth_header, body):
    answer(jisho, body)

    response = lookup(client, auth_header(), word="犬")

    assert (response.status_code, response.json()["error"]) == (502, "Jisho API request failed")


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"data": None},
        {"data": {"a": 1}},
        [],
        {"data": [1]},
        {"data": [{"japanese": [{"word": 1}]}]},
        {"data": [{"japanese": [{"reading": None}]}]},
        {"data": [{"japanese": "今日"}]},
        {"data": [{"senses": [{"english_definitions": "today"}]}]},
        {"data": [{"senses": [{"english_definitions": [1]}]}]},
        {"data": [{"jlpt": "jlpt-n5"}]},
        {"data": [{"is_common": "yes"}]},
        {"data": [{"senses": None}]},
    ],
)
def test_a_payload_of_the_wrong_shape_is_502_invalid(client, jisho, auth_header, payload):
    answer(jisho, payload)

    response = lookup(client, auth_header(), word="犬")

    assert response.status_code == 502
    assert response.json() == {"error": "Invalid Jisho API response", "code": "jisho_invalid_response"}


def test_unknown_keys_are_ignored(client, jisho, auth_header):
    answer(jisho, {"data": [{"japanese": [{"word": "犬", "reading": "いぬ", "furigana": 3}], "extra": {}}], "x": 1})

    assert lookup(client, auth_header(), word="犬").json()["reading"] == "いぬ"


def test_slow_upstream_is_504_within_the_bound(client, jisho, auth_header, settings):
    settings.DICTIONARY_UPSTREAM_TIMEOUT = 0.3
    answer(jisho, KYOU, delay=1.5)

    response = lookup(client, auth_header(), word="今日")

    assert response.status_code == 504
    assert response.json() == {"error": "Jisho API request timed out", "code": "jisho_timeout"}
    assert len(jisho.requests) == 1  # no retry after the read timeout


def test_trickling_upstream_is_504(client, jisho, auth_header, settings):
    settings.DICTIONARY_UPSTREAM_TIMEOUT = 0.4
    body = json.dumps(KYOU).encode()
    jisho.on("GET", SEARCH, Reply(body=[body[i : i + 40] for i in range(0, len(body), 40)], chunk_delay=0.1))

    assert lookup(client, auth_header(), word="今日").status_code == 504


def test_unreachable_upstream_is_502(client, jisho, auth_header, settings):
    settings.JISHO_API_BASE_URL = "http://127.0.0.1:9"

    response = lookup(client, auth_header(), word="今日")

    assert response.status_code == 502
    assert response.json() == {"error": "Jisho API request failed", "code": "jisho_request_failed"}


def test_upstream_cut_mid_body_is_502(client, jisho, auth_header):
    jisho.on("GET", SEARCH, Reply(body=[b'{"data":[', b"{}", b"]}"], abort_after=2))

    assert lookup(client, auth_header(), word="今日").status_code == 502


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ("", {"word"}),
        ("?word=", {"word"}),
        ("?word=%20%20%20", {"word"}),
        ("?reading=きょう", {"word"}),
        ("?word=a&word=b", {"word"}),
        ("?word=a&reading=x&reading=y", {"reading"}),
        ("?word=" + "a" * 257, {"word"}),
        ("?word=a&reading=" + "a" * 257, {"reading"}),
    ],
)
def test_validation_errors(client, jisho, auth_header, query, fields):
    response = client.get(URL + query, headers=auth_header())

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert set(response.json()["fields"]) == fields
    assert jisho.requests == []


def test_a_verified_caller_is_required_before_validation(client, jisho, cognito):
    answer(jisho, KYOU)
    missing = client.get(URL)
    forged = client.get(f"{URL}?word=a", headers={"Authorization": "Bearer not-a-jwt"})
    access = client.get(f"{URL}?word=犬", headers={"Authorization": f"Bearer {cognito.token('u', token_use='access')}"})

    assert (missing.status_code, forged.status_code) == (401, 401)
    assert missing.json()["error"] == "Unauthorized: Missing or invalid Authorization header"
    assert forged.json()["error"] == "Unauthorized: Invalid or expired token"
    assert access.status_code == 200  # access tokens are accepted too (CONTRACT §2.1)
    assert len(jisho.requests) == 1  # only the verified call reached Jisho


def test_other_methods_are_not_allowed(client, jisho, auth_header):
    response = client.post(URL, {}, content_type="application/json", headers=auth_header())

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_bytes_that_are_not_utf8_reach_jisho_as_replacement_characters(client, jisho, auth_header):
    answer(jisho, {"data": [{}]})

    response = client.get(f"{URL}?word=a%FFb", headers=auth_header())

    assert response.status_code == 200
    assert jisho.requests[0].path == f"{SEARCH}?keyword=a%EF%BF%BDb"
    assert response.json()["word"] == "a\ufffdb"
