"""Games content over HTTP (HEAD §8.6): public, random items verbatim, `limit` as JS Number(), `filters`."""

import io

import pytest
from django.core.management import call_command

from games.services import demo_data
from tests.dynamo_helpers import drop, put

VOCABULARY, SENTENCES = "/api/games/vocabulary", "/api/games/sentences"


@pytest.fixture
def seeded(dynamodb):
    call_command("seed_demo_data", stdout=io.StringIO())
    return demo_data()


def by_id(items):
    return {item["id"]: item for item in items}


def test_vocabulary_default_limit_is_10_items_verbatim(client, seeded):
    response = client.get(VOCABULARY)

    assert response.status_code == 200
    items = response.json()["vocabulary"]
    assert list(response.json()) == ["vocabulary", "filters"]
    assert response.json()["filters"] == {"jlpt_levels": "all", "limit": 10}
    assert len(items) == 10
    stored = by_id(seeded["vocabulary"])
    assert all(item == stored[item["id"]] for item in items)


def test_sentences_default_limit_is_5_items_verbatim(client, seeded):
    response = client.get(SENTENCES)

    assert response.status_code == 200
    items = response.json()["sentences"]
    assert len(items) == 5
    stored = by_id(seeded["sentences"])
    assert all(item == stored[item["id"]] for item in items)
    assert all(isinstance(item["words_array"], list) for item in items)


@pytest.mark.parametrize(
    ("raw", "count"),
    [("3", 3), (" 3 ", 3), ("0x10", 16), ("1e1", 10), ("+2", 2), ("7.0", 7), ("100", 36), ("1000", 36)],
)
def test_limit_is_coerced_like_js_number(client, seeded, raw, count):
    response = client.get(VOCABULARY, {"limit": raw})

    assert response.status_code == 200
    assert len(response.json()["vocabulary"]) == count
    assert response.json()["filters"]["limit"] == min(count if raw not in {"100", "1000"} else 100, 100)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("abc", "Invalid input: expected number, received NaN"),
        ("10abc", "Invalid input: expected number, received NaN"),
        ("NaN", "Invalid input: expected number, received NaN"),
        ("\u4e09", "Invalid input: expected number, received NaN"),
        ("\uff13", "Invalid input: expected number, received NaN"),
        ("-0x5", "Invalid input: expected number, received NaN"),
        ("2.5", "Invalid input: expected int, received number"),
        ("Infinity", "Invalid input: expected int, received number"),
        ("", "Too small: expected number to be >0"),
        ("0", "Too small: expected number to be >0"),
        ("-1", "Too small: expected number to be >0"),
    ],
)
def test_nonsense_limit_is_400_with_heads_message(client, seeded, raw, message):
    response = client.get(SENTENCES, {"limit": raw})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["fields"] == {"limit": [message]}


def test_huge_limit_is_capped_not_a_dynamodb_error(client, seeded):
    response = client.get(SENTENCES, {"limit": "9" * 400})

    assert response.status_code == 400  # 9...9 (400 digits) is Infinity in JS: not an integer
    capped = client.get(SENTENCES, {"limit": "99999999999999999999999"})
    assert capped.status_code == 200
    assert capped.json()["filters"] == {"jlpt_levels": "all", "limit": 100}
    assert len(capped.json()["sentences"]) == 16


def test_repeated_limit_is_400(client, seeded):
    response = client.get(VOCABULARY + "?limit=1&limit=2")

    assert response.status_code == 400
    assert response.json()["fields"] == {"limit": ["Invalid input: expected string, received array"]}


def test_public_routes_ignore_tokens_even_forged_ones(client, seeded):
    response = client.get(VOCABULARY, headers={"Authorization": "Bearer not.a.token"})

    assert response.status_code == 200


def test_empty_tables_give_empty_lists(client, dynamodb):
    assert client.get(VOCABULARY).json() == {"vocabulary": [], "filters": {"jlpt_levels": "all", "limit": 10}}
    assert client.get(SENTENCES).json() == {"sentences": [], "filters": {"jlpt_levels": "all", "limit": 5}}


def test_unknown_attributes_and_numbers_come_back_as_stored(client, dynamodb):
    item = {"id": "v1", "japanese_word": "猫", "english_translation": "cat", "jlpt_level": 5, "weight": 0.5}
    put(dynamodb, "vocabulary", item)

    assert client.get(VOCABULARY).json()["vocabulary"] == [item]


def test_missing_table_is_clear_500(client, dynamodb):
    name = drop(dynamodb, "sentences")

    response = client.get(SENTENCES)

    assert response.status_code == 500
    assert response.json()["code"] == "table_not_found"
    assert name in response.json()["error"]


def test_post_is_not_allowed(client, dynamodb):
    response = client.post(VOCABULARY, {}, content_type="application/json")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_json_whatever_accept_says(client, dynamodb):
    response = client.get(VOCABULARY, headers={"Accept": "text/html"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
