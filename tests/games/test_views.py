"""Games content over HTTP (reference §5.4): public, items verbatim, bounded `limit`."""

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
    assert list(response.json()) == ["vocabulary"]
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
    [("3", 3), ("10abc", 10), ("3.9", 3), ("0x10", 16), (" 7", 7), ("+2", 2), ("", 10), ("100", 36), ("1e3", 1)],
)
def test_limit_is_parsed_like_parseint(client, seeded, raw, count):
    response = client.get(VOCABULARY, {"limit": raw})

    assert response.status_code == 200
    assert len(response.json()["vocabulary"]) == count


@pytest.mark.parametrize(
    "raw", ["abc", "0", "-1", "101", "99999999999999999999999", "NaN", "\u4e09", "-0x5", "\u0663", "\uff13"]
)
def test_nonsense_limit_is_400(client, seeded, raw):
    response = client.get(SENTENCES, {"limit": raw})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["fields"]) == ["limit"]


def test_repeated_limit_is_400(client, seeded):
    response = client.get(VOCABULARY + "?limit=1&limit=2")

    assert response.status_code == 400
    assert response.json()["fields"] == {"limit": ["Expected a single value."]}


def test_public_routes_ignore_tokens_even_forged_ones(client, seeded):
    response = client.get(VOCABULARY, headers={"Authorization": "Bearer not.a.token"})

    assert response.status_code == 200


def test_empty_tables_give_empty_lists(client, dynamodb):
    assert client.get(VOCABULARY).json() == {"vocabulary": []}
    assert client.get(SENTENCES).json() == {"sentences": []}


def test_unknown_attributes_and_numbers_come_back_as_stored(client, dynamodb):
    item = {"id": "v1", "japanese_word": "猫", "english_translation": "cat", "jlpt_level": 5, "weight": 0.5}
    put(dynamodb, "vocabulary", item)

    assert client.get(VOCABULARY).json() == {"vocabulary": [item]}


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
