"""Saved-sentence services called directly: id collisions with fake repositories passed as `repo=` (what
moto cannot force), the rest against in-process moto (`dynamodb`): validation, idempotency keys, limits."""

from __future__ import annotations

import math
import re

import pytest

from sentences.records import SavedSentence
from sentences.services import (
    MAX_EXTRAS_BYTES,
    MAX_SENTENCE_CHARS,
    idempotent_sentence_id,
    list_limit,
    saved_sentence_create,
    saved_sentence_delete,
    saved_sentence_list,
)
from tests.dynamo_helpers import get, put, scan
from vela.errors import BadRequestError, ConflictError, ServiceMisconfiguredError

EMAIL = "a@example.com"


def stored_ids(dynamodb):
    return sorted(item["sentence_id"] for item in scan(dynamodb, "saved_sentences"))


def test_create_stores_the_trimmed_sentence_with_its_extras_as_sent(dynamodb):
    extras = {"source_url": None, "context": {"score": 0.5, "tags": ["x"]}}

    record = saved_sentence_create(email=EMAIL, sentence="  猫です。 \n", extras=extras, clock=lambda: 1700000000123)

    assert re.fullmatch(r"1700000000123-[0-9a-f]{8}", record.sentence_id)
    assert (record.user_id, record.sentence, record.created_at, record.updated_at) == (
        EMAIL,
        "猫です。",
        1700000000123,
        1700000000123,
    )
    assert get(dynamodb, "saved_sentences", user_id=EMAIL, sentence_id=record.sentence_id) == {
        "user_id": EMAIL,
        "sentence_id": record.sentence_id,
        "sentence": "猫です。",
        "created_at": 1700000000123,
        "updated_at": 1700000000123,
        "source_url": None,
        "context": {"score": 0.5, "tags": ["x"]},
    }


@pytest.mark.parametrize(
    ("sentence", "extras", "code"),
    [
        ("  \n", {}, "sentence_required"),
        (None, {}, "sentence_required"),
        (5, {}, "sentence_required"),
        ("文" * (MAX_SENTENCE_CHARS + 1), {}, "too_long"),
        ("文", {"context": "x" * MAX_EXTRAS_BYTES}, "too_long"),
        ("文\ud800", {}, "invalid_text"),
    ],
    ids=["blank", "null", "number", "long-sentence", "large-extras", "surrogate"],
)
def test_invalid_input_is_a_400_and_stores_nothing(dynamodb, sentence, extras, code):
    with pytest.raises(BadRequestError) as raised:
        saved_sentence_create(email=EMAIL, sentence=sentence, extras=extras)

    assert raised.value.code == code
    assert stored_ids(dynamodb) == []


def test_a_sentence_of_exactly_the_maximum_length_is_stored(dynamodb):
    record = saved_sentence_create(email=EMAIL, sentence="文" * MAX_SENTENCE_CHARS, extras={})

    assert len(record.sentence) == MAX_SENTENCE_CHARS
    assert stored_ids(dynamodb) == [record.sentence_id]


@pytest.mark.parametrize(
    ("timestamp", "expected"),
    [(1700, "1700-k"), (1.0, "1-k"), (1.5, "1.5-k"), (None, "0-k"), ("1700", "0-k"), (True, "0-k"), (math.inf, "0-k")],
)
def test_idempotent_id_uses_the_timestamp_only_when_it_is_a_number(timestamp, expected):
    assert idempotent_sentence_id("k", timestamp) == expected


def test_a_replayed_key_stores_nothing_new_and_returns_the_first_save(dynamodb):
    first = saved_sentence_create(
        email=EMAIL, sentence="一回目", extras={"context": 1}, idempotency_key="off-1", timestamp=99, clock=lambda: 5
    )

    replay = saved_sentence_create(
        email=EMAIL, sentence="二回目", extras={}, idempotency_key="off-1", timestamp=99, clock=lambda: 6
    )

    assert first.sentence_id == "99-off-1"
    assert replay == first
    assert stored_ids(dynamodb) == ["99-off-1"]
    assert get(dynamodb, "saved_sentences", user_id=EMAIL, sentence_id="99-off-1")["sentence"] == "一回目"


def test_the_same_key_of_two_users_is_two_sentences(dynamodb):
    saved_sentence_create(email=EMAIL, sentence="a", extras={}, idempotency_key="k", timestamp=1)
    saved_sentence_create(email="b@example.com", sentence="b", extras={}, idempotency_key="k", timestamp=1)

    users = sorted(item["user_id"] for item in scan(dynamodb, "saved_sentences"))
    assert users == [EMAIL, "b@example.com"]


def test_a_key_too_long_for_a_sort_key_is_a_400_naming_the_field(dynamodb):
    with pytest.raises(BadRequestError) as raised:
        saved_sentence_create(email=EMAIL, sentence="文", extras={}, idempotency_key="k" * 1023, timestamp=1)

    assert raised.value.code == "invalid"
    assert raised.value.extra == {"fields": {"idempotencyKey": ["Too long: the sentence id is at most 1024 bytes."]}}
    assert stored_ids(dynamodb) == []


class CollidingRepo:
    """Answers ConflictError for the first `collisions` creates (an id taken in the same millisecond)."""

    def __init__(self, collisions):
        self.collisions, self.attempts = collisions, []

    def create(self, record):
        self.attempts.append(record.sentence_id)
        if len(self.attempts) <= self.collisions:
            raise ConflictError("taken")

    def get(self, *, user_id, sentence_id):
        return None  # a fixed id's first save was deleted before the replay could read it


def test_create_retries_a_colliding_id_with_a_new_one():
    repo = CollidingRepo(collisions=2)

    record = saved_sentence_create(email="a@example.com", sentence=" 文 ", extras={}, repo=repo, clock=lambda: 42)

    assert len(repo.attempts) == 3
    assert record.sentence_id == repo.attempts[-1]
    assert record.sentence_id.startswith("42-")
    assert record.sentence == "文"


def test_create_gives_up_after_three_collisions():
    with pytest.raises(ConflictError):
        saved_sentence_create(email="a", sentence="文", extras={}, repo=CollidingRepo(collisions=3))


def test_a_keyed_save_whose_row_vanishes_is_retried_with_the_same_id_then_a_409():
    repo = CollidingRepo(collisions=3)

    with pytest.raises(ConflictError):
        saved_sentence_create(email="a", sentence="文", extras={}, idempotency_key="k", timestamp=7, repo=repo)

    assert repo.attempts == ["7-k", "7-k", "7-k"]


def sentence_row(n, email=EMAIL):
    return {"user_id": email, "sentence_id": f"{1700000000000 + n}-abc", "sentence": f"文{n}", "created_at": n}


def test_list_is_the_callers_newest_first_up_to_limit(dynamodb):
    for n in (3, 1, 4, 2):
        put(dynamodb, "saved_sentences", sentence_row(n))
    put(dynamodb, "saved_sentences", sentence_row(9, email="b@example.com"))

    listed = saved_sentence_list(email=EMAIL, limit=3)

    assert [s.sentence for s in listed] == ["文4", "文3", "文2"]
    assert all(isinstance(s, SavedSentence) and s.user_id == EMAIL for s in listed)


class LimitRecorder:
    def __init__(self):
        self.limits = []

    def list_newest_first(self, *, user_id, limit):
        self.limits.append(limit)
        return []


def test_list_clamps_the_limit_to_1_through_100():
    repo = LimitRecorder()

    for limit in (0, -5, 1, 100, 101, 10_000):
        saved_sentence_list(email=EMAIL, limit=limit, repo=repo)

    assert repo.limits == [1, 1, 1, 100, 100, 100]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, 50),
        ("", 50),
        ("abc", 50),
        ("0", 50),
        ("-3", 50),
        ("7.9", 7),
        (" 12abc", 12),
        ("1e3", 1),
        ("1000", 100),
        ("9" * 400, 50),
    ],
)
def test_list_limit_is_parsed_as_heads_parse_int(raw, expected):
    assert list_limit(raw) == expected


def test_list_of_a_missing_table_names_it(dynamodb, settings):
    settings.DYNAMODB_TABLES = {**settings.DYNAMODB_TABLES, "saved_sentences": "vela-gone"}

    with pytest.raises(ServiceMisconfiguredError) as excinfo:
        saved_sentence_list(email="a@example.com")

    assert excinfo.value.message == (
        "Failed to fetch saved sentences: DynamoDB table 'vela-gone' does not exist"
        " (create it with `manage.py dynamodb_tables create`)."
    )


def test_delete_removes_only_that_sentence_and_is_idempotent(dynamodb):
    for n in (1, 2):
        put(dynamodb, "saved_sentences", sentence_row(n))
    put(dynamodb, "saved_sentences", sentence_row(1, email="b@example.com"))

    saved_sentence_delete(email=EMAIL, sentence_id=sentence_row(1)["sentence_id"])
    saved_sentence_delete(email=EMAIL, sentence_id=sentence_row(1)["sentence_id"])

    remaining = sorted((i["user_id"], i["sentence"]) for i in scan(dynamodb, "saved_sentences"))
    assert remaining == [(EMAIL, "文2"), ("b@example.com", "文1")]


@pytest.mark.parametrize("sentence_id", ["", "x" * 1025], ids=["empty", "longer-than-a-key"])
def test_delete_of_an_invalid_id_is_a_400(dynamodb, sentence_id):
    put(dynamodb, "saved_sentences", sentence_row(1))

    with pytest.raises(BadRequestError, match="Sentence ID is invalid") as raised:
        saved_sentence_delete(email=EMAIL, sentence_id=sentence_id)

    assert raised.value.code == "invalid_sentence_id"
    assert len(scan(dynamodb, "saved_sentences")) == 1
