"""Saved sentences' idempotency (HEAD §8.8) against a moto server over real HTTP.

An offline save carries `idempotencyKey` (+ `timestamp`); the id becomes `<timestamp or 0>-<key>` and
the PutItem is conditional on it, so a replay (sequential or concurrent) stores nothing new and answers
with the sentence first stored.
"""

from __future__ import annotations

import json
import threading

import pytest
from rest_framework.test import APIClient

from tests.sentences.conftest import ALICE, BOB, URL

pytestmark = pytest.mark.usefixtures("dynamodb_http")


def save(client, headers, **body):
    return client.post(URL, json.dumps(body), content_type="application/json", headers=headers)


def stored(dynamodb_http, email):
    items = dynamodb_http.query(
        TableName="vela-saved-sentences",
        KeyConditionExpression="user_id = :u",
        ExpressionAttributeValues={":u": {"S": email}},
    )["Items"]
    return sorted(item["sentence_id"]["S"] for item in items)


def test_replayed_offline_save_is_stored_once_with_the_same_answer(client, dynamodb_http, as_user):
    body = {
        "sentence": " 雨です。 ",
        "sourceUrl": "https://example.com/a",
        "idempotencyKey": "k1",
        "timestamp": 1700000000000,
    }

    first = save(client, as_user(ALICE), **body)
    second = save(client, as_user(ALICE), **body)

    assert (first.status_code, second.status_code) == (200, 200)
    assert first.json() == second.json()
    data = first.json()["data"]
    assert data["sentence_id"] == "1700000000000-k1"
    assert data["sentence"] == "雨です。"
    assert data["source_url"] == "https://example.com/a"
    assert stored(dynamodb_http, "alice@example.com") == ["1700000000000-k1"]


def test_replay_answers_with_the_first_sentence_not_the_new_one(client, dynamodb_http, as_user):
    first = save(client, as_user(ALICE), sentence="最初", idempotencyKey="k1", timestamp=5)
    replay = save(client, as_user(ALICE), sentence="二番目", context={"x": 1}, idempotencyKey="k1", timestamp=5)

    assert replay.json() == first.json()
    assert replay.json()["data"]["sentence"] == "最初"
    assert "context" not in replay.json()["data"]


@pytest.mark.parametrize(
    ("timestamp", "expected"),
    [
        (None, "0-k2"),
        ("1700000000000", "0-k2"),
        (True, "0-k2"),
        (1700000000000, "1700000000000-k2"),
        (1.5, "1.5-k2"),
        (2.0, "2-k2"),
    ],
    ids=["absent", "string", "bool", "int", "fraction", "integral-float"],
)
def test_id_uses_the_timestamp_only_when_it_is_a_number(client, dynamodb_http, as_user, timestamp, expected):
    body = {"sentence": "猫", "idempotencyKey": "k2"} | ({} if timestamp is None else {"timestamp": timestamp})

    response = save(client, as_user(ALICE), **body)

    assert response.status_code == 200
    assert response.json()["data"]["sentence_id"] == expected


@pytest.mark.parametrize("key", [None, "", 42, ["k"], {"k": 1}], ids=["absent", "empty", "number", "list", "object"])
def test_without_a_string_key_every_save_is_new(client, dynamodb_http, as_user, key):
    body = {"sentence": "猫", "timestamp": 1700000000000} | ({} if key is None else {"idempotencyKey": key})

    ids = {save(client, as_user(ALICE), **body).json()["data"]["sentence_id"] for _ in range(2)}

    assert len(ids) == 2
    assert len(stored(dynamodb_http, "alice@example.com")) == 2


def test_the_same_key_of_two_users_is_two_sentences(client, dynamodb_http, as_user):
    alice = save(client, as_user(ALICE), sentence="アリス", idempotencyKey="shared", timestamp=1)
    bob = save(client, as_user(BOB), sentence="ボブ", idempotencyKey="shared", timestamp=1)

    assert alice.json()["data"]["sentence"] == "アリス"
    assert bob.json()["data"]["sentence"] == "ボブ"
    assert bob.json()["data"]["user_id"] == "bob@example.com"
    assert stored(dynamodb_http, "alice@example.com") == ["1-shared"]
    assert stored(dynamodb_http, "bob@example.com") == ["1-shared"]


def test_concurrent_replays_store_one_sentence_and_all_answer_it(dynamodb_http, as_user):
    headers = as_user(ALICE)
    results: list = []
    barrier = threading.Barrier(8)

    def replay(n: int) -> None:
        barrier.wait()
        results.append(save(APIClient(), headers, sentence=f"版{n}", idempotencyKey="race", timestamp=9))

    threads = [threading.Thread(target=replay, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [r.status_code for r in results] == [200] * 8
    assert len({json.dumps(r.json(), ensure_ascii=False) for r in results}) == 1
    assert stored(dynamodb_http, "alice@example.com") == ["9-race"]


def test_a_deleted_sentence_can_be_saved_again_with_its_key(client, dynamodb_http, as_user):
    save(client, as_user(ALICE), sentence="一", idempotencyKey="k", timestamp=3)
    client.delete(f"{URL}/3-k", headers=as_user(ALICE))

    again = save(client, as_user(ALICE), sentence="二", idempotencyKey="k", timestamp=3)

    assert again.json()["data"]["sentence"] == "二"
    assert stored(dynamodb_http, "alice@example.com") == ["3-k"]


def test_a_key_too_long_for_a_dynamodb_sort_key_is_400_not_500(client, dynamodb_http, as_user):
    """HEAD §13.17: a 2,000-byte key answered 500 there; the id must fit DynamoDB's 1,024-byte sort key."""
    response = save(client, as_user(ALICE), sentence="猫", idempotencyKey="k" * 2000, timestamp=1)
    fits = save(client, as_user(ALICE), sentence="猫", idempotencyKey="k" * 1022)  # "0-" + 1022 = 1024 bytes

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "idempotencyKey" in response.json()["fields"]
    assert fits.status_code == 200
    assert stored(dynamodb_http, "alice@example.com") == ["0-" + "k" * 1022]


def test_a_key_with_an_unpaired_surrogate_is_400(client, dynamodb_http, as_user):
    raw = '{"sentence": "猫", "idempotencyKey": "k\\ud800"}'

    response = client.post(URL, raw, content_type="application/json", headers=as_user(ALICE))

    assert response.status_code == 400
    assert stored(dynamodb_http, "alice@example.com") == []


def test_idempotent_save_needs_a_token(client, dynamodb_http):
    response = save(client, {}, sentence="猫", idempotencyKey="k", timestamp=1)

    assert response.status_code == 401
