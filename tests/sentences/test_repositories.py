"""SavedSentenceRepository and the saved-sentence service against moto."""

from __future__ import annotations

import pytest

from sentences.records import SavedSentence
from sentences.repositories import SavedSentenceRepository
from sentences.services import saved_sentence_create, saved_sentence_list
from tests.spy import Spy
from vela.aws import dynamodb_client
from vela.dynamodb import DynamoTable
from vela.errors import ConflictError, ServiceMisconfiguredError


def _sentence(n, email="a@example.com", **extras):
    return SavedSentence(email, f"{1700000000000 + n}-abc", f"文{n}", 1700000000000 + n, 1700000000000 + n, extras)


def test_create_then_list_round_trips_json_extras_without_decimals(dynamodb):
    repo = SavedSentenceRepository()
    record = _sentence(1, source_url="https://example.com", context={"score": 0.5, "n": 3, "tags": ["x"]})

    repo.create(record)
    [listed] = repo.list_newest_first(user_id="a@example.com", limit=10)

    assert listed == record
    assert type(listed.extras["context"]["n"]) is int
    assert type(listed.created_at) is int


def test_create_never_overwrites(dynamodb):
    repo = SavedSentenceRepository()
    repo.create(_sentence(1))

    with pytest.raises(ConflictError):
        repo.create(_sentence(1))


def test_list_is_newest_first_and_per_user(dynamodb):
    repo = SavedSentenceRepository()
    for n in (3, 1, 2):
        repo.create(_sentence(n))
    repo.create(_sentence(9, email="b@example.com"))

    listed = repo.list_newest_first(user_id="a@example.com", limit=10)

    assert [s.sentence for s in listed] == ["文3", "文2", "文1"]


def test_list_keeps_reading_when_a_1mb_page_comes_back_short(dynamodb):
    client = Spy(dynamodb_client(validate=False))
    repo = SavedSentenceRepository(DynamoTable("saved_sentences", client=client))
    for n in range(30):
        repo.create(_sentence(n, context="x" * 60_000))  # ~1.8 MB in all

    listed = repo.list_newest_first(user_id="a@example.com", limit=25)

    assert [s.sentence for s in listed] == [f"文{n}" for n in range(29, 4, -1)]
    assert client.calls["query"] >= 2


def test_delete_is_idempotent(dynamodb):
    repo = SavedSentenceRepository()
    repo.create(_sentence(1))

    repo.delete(user_id="a@example.com", sentence_id=_sentence(1).sentence_id)
    repo.delete(user_id="a@example.com", sentence_id=_sentence(1).sentence_id)

    assert repo.list_newest_first(user_id="a@example.com", limit=5) == []


def test_missing_table_names_it(dynamodb, settings):
    settings.DYNAMODB_TABLES = {**settings.DYNAMODB_TABLES, "saved_sentences": "vela-gone"}

    with pytest.raises(ServiceMisconfiguredError) as excinfo:
        saved_sentence_list(email="a@example.com")

    assert excinfo.value.message == (
        "Failed to fetch saved sentences: DynamoDB table 'vela-gone' does not exist"
        " (create it with `manage.py dynamodb_tables create`)."
    )


class CollidingRepo:
    """Answers ConflictError for the first `collisions` creates (an id taken in the same millisecond)."""

    def __init__(self, collisions):
        self.collisions, self.attempts = collisions, []

    def create(self, record):
        self.attempts.append(record.sentence_id)
        if len(self.attempts) <= self.collisions:
            raise ConflictError("taken")


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
