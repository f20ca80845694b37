"""`manage.py seed_demo_data` (the demo data itself: tests/games/test_services.py)."""

import io

import pytest
from django.core.management import call_command

from games.services import demo_data
from tests.dynamo_helpers import get, scan


def test_seed_is_idempotent(dynamodb):
    data = demo_data()
    first, second = io.StringIO(), io.StringIO()

    call_command("seed_demo_data", stdout=first)
    call_command("seed_demo_data", stdout=second)

    assert f"vocabulary: {len(data['vocabulary'])} written, 0 already present" in first.getvalue()
    assert f"sentences: 0 written, {len(data['sentences'])} already present" in second.getvalue()
    assert len(scan(dynamodb, "vocabulary")) == len(data["vocabulary"])
    assert len(scan(dynamodb, "sentences")) == len(data["sentences"])


def test_seed_without_tables_is_a_clear_command_error(moto_server):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="vela-vocabulary' does not exist"):
        call_command("seed_demo_data", stdout=io.StringIO())


def test_from_word_on_a_seeded_word_finds_its_row(client, dynamodb_http, auth_header):
    call_command("seed_demo_data", stdout=io.StringIO())
    seeded = get(dynamodb_http, "vocabulary", id="食べる:タベル")
    rows = len(scan(dynamodb_http, "vocabulary"))
    body = {"japanese_word": "食べる", "reading": "タベル", "english_translation": "eat (new wording)"}

    response = client.post("/api/vocabulary/from-word", body, content_type="application/json", headers=auth_header())

    assert response.status_code == 200
    assert response.json() == {"vocabulary_id": "食べる:タベル", "created": False, "alreadyInSRS": False}
    assert len(scan(dynamodb_http, "vocabulary")) == rows
    assert get(dynamodb_http, "vocabulary", id="食べる:タベル") == seeded  # the seeded row is left as it is
