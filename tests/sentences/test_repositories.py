"""SavedSentenceRepository against moto (the services: tests/sentences/test_services.py)."""

from __future__ import annotations

import pytest

from sentences.records import SavedSentence
from sentences.repositories import SavedSentenceRepository
from tests.spy import Spy
from vela.aws import dynamodb_client
from vela.dynamodb import DynamoTable
from vela.errors import ConflictError


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
