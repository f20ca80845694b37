"""POST /api/vocabulary/from-word over a moto server (HEAD delta §7): ids, rows, SRS init, no Scan."""

from datetime import datetime, timedelta

import pytest

from tests.dynamo_helpers import get, put, scan
from tests.srs.conftest import USER_A, USER_B, post_json

FROM_WORD = "/api/vocabulary/from-word"


def add(client, headers, **body):
    return post_json(client, FROM_WORD, body, headers)


def test_new_word_writes_the_row_and_the_deck_entry(client, dynamodb_http, auth_header):
    body = {"japanese_word": " 食べる ", "reading": "たべる", "english_translation": " to eat ", "jlpt_level": 5}
    body |= {"example_sentence_jp": "dropped", "source_url": "https://example.com"}

    response = post_json(client, FROM_WORD, body, auth_header(USER_A))

    assert response.status_code == 200
    assert response.json() == {"vocabulary_id": "食べる:タベル", "created": True, "alreadyInSRS": False}
    row = get(dynamodb_http, "vocabulary", id="食べる:タベル")
    created = row.pop("created_at")
    assert row == {
        "id": "食べる:タベル",
        "japanese_word": "食べる",
        "hiragana": "たべる",
        "english_translation": "to eat",
        "jlpt_level": 5,
        "normalized_japanese_word": "食べる",
    }
    progress = get(dynamodb_http, "user_vocabulary_progress", user_id=USER_A, vocabulary_id="食べる:タベル")
    assert progress == {
        "user_id": USER_A,
        "vocabulary_id": "食べる:タベル",
        "next_review_date": progress["next_review_date"],
        "ease_factor": 2.5,
        "interval": 0,
        "repetitions": 0,
        "first_learned_at": created,
        "total_reviews": 0,
        "correct_count": 0,
    }
    due_in = datetime.fromisoformat(progress["next_review_date"]) - datetime.fromisoformat(created)
    assert due_in == timedelta(days=1)


def test_same_word_again_and_by_another_user(client, dynamodb_http, auth_header):
    add(client, auth_header(USER_A), japanese_word="食べる", reading="タベル", english_translation="to eat")

    again = add(client, auth_header(USER_A), japanese_word="食べる", reading="たべる", english_translation="changed")
    other = add(client, auth_header(USER_B), japanese_word="食べる", reading="たべる", english_translation="x")

    assert again.json() == {"vocabulary_id": "食べる:タベル", "created": False, "alreadyInSRS": True}
    assert other.json() == {"vocabulary_id": "食べる:タベル", "created": False, "alreadyInSRS": False}
    row = get(dynamodb_http, "vocabulary", id="食べる:タベル")
    assert (row["english_translation"], row["hiragana"]) == ("to eat", "タベル")  # the first writer's row stays
    assert get(dynamodb_http, "user_vocabulary_progress", user_id=USER_B, vocabulary_id="食べる:タベル")


@pytest.mark.parametrize(
    ("word", "reading", "expected"),
    [
        ("今日", "きょう", "今日:キョウ"),
        ("今日", "こんにち", "今日:コンニチ"),
        ("猫", None, "猫"),
        ("\uff21\uff22\uff23", "ｴｰﾋﾞｰｼｰ", "ABC:エービーシー"),
        ("Tシャツ", "ティーシャツ", "Tシャツ:ティーシャツ"),
        ("\u3000犬\ufeff", " いぬ ", "犬:イヌ"),
    ],
)
def test_deterministic_ids(client, dynamodb_http, auth_header, word, reading, expected):
    body = {"japanese_word": word, "english_translation": "x"} | ({"reading": reading} if reading else {})

    response = post_json(client, FROM_WORD, body, auth_header(USER_A))

    assert response.json()["vocabulary_id"] == expected
    row = get(dynamodb_http, "vocabulary", id=expected)
    assert row["japanese_word"] == word.strip("\u3000\ufeff")  # trimmed, not NFKC
    assert ("hiragana" in row) is bool(reading)


def test_existing_rows_are_found_by_key_without_a_scan(client, dynamodb_http, auth_header, dynamodb_calls):
    put(dynamodb_http, "vocabulary", {"id": "猫", "japanese_word": "猫", "english_translation": "cat"})

    response = add(client, auth_header(USER_A), japanese_word="猫", english_translation="kitty")

    assert response.json() == {"vocabulary_id": "猫", "created": False, "alreadyInSRS": False}
    assert dynamodb_calls == ["PutItem", "PutItem"]  # conditional puts: vocabulary row, then the deck entry
    assert get(dynamodb_http, "vocabulary", id="猫")["english_translation"] == "cat"


def test_legacy_rows_with_random_ids_are_not_matched(client, dynamodb_http, auth_header):
    # Documented decision: HEAD scans for legacy rows; we look up the deterministic key only.
    put(dynamodb_http, "vocabulary", {"id": "legacy-uuid-1", "japanese_word": "犬", "english_translation": "dog"})

    response = add(client, auth_header(USER_A), japanese_word="犬", english_translation="dog")

    assert response.json() == {"vocabulary_id": "犬", "created": True, "alreadyInSRS": False}
    assert len(scan(dynamodb_http, "vocabulary")) == 2


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"english_translation": "x"}, {"japanese_word"}),
        ({"japanese_word": "   ", "english_translation": "x"}, {"japanese_word"}),
        ({"japanese_word": 5, "english_translation": "x"}, {"japanese_word"}),
        ({"japanese_word": "猫"}, {"english_translation"}),
        ({"japanese_word": "猫", "english_translation": " "}, {"english_translation"}),
        ({"japanese_word": "猫", "english_translation": "x", "reading": ""}, {"reading"}),
        ({"japanese_word": "猫", "english_translation": "x", "reading": "  "}, {"reading"}),
        ({"japanese_word": "猫", "english_translation": "x", "jlpt_level": 6}, {"jlpt_level"}),
        ({"japanese_word": "猫", "english_translation": "x", "jlpt_level": 0}, {"jlpt_level"}),
        ({"japanese_word": "猫", "english_translation": "x", "jlpt_level": "5"}, {"jlpt_level"}),
        ({"japanese_word": "猫", "english_translation": "x", "jlpt_level": None}, {"jlpt_level"}),
        ({"japanese_word": "猫", "english_translation": "x", "jlpt_level": 2.5}, {"jlpt_level"}),
        ({"japanese_word": "\ud800", "english_translation": "x"}, {"japanese_word"}),
        ({"japanese_word": "語" * 400, "english_translation": "x"}, {"japanese_word"}),  # id > 1024 bytes
    ],
)
def test_validation_errors(client, dynamodb_http, auth_header, body, fields):
    response = post_json(client, FROM_WORD, body, auth_header(USER_A))

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert set(response.json()["fields"]) == fields
    assert scan(dynamodb_http, "vocabulary") == []


def test_jlpt_level_as_integral_float_is_stored_as_integer(client, dynamodb_http, auth_header):
    add(client, auth_header(USER_A), japanese_word="猫", english_translation="cat", jlpt_level=5.0)

    assert get(dynamodb_http, "vocabulary", id="猫")["jlpt_level"] == 5


def test_needs_a_token(client, dynamodb_http, cognito):
    response = post_json(client, FROM_WORD, {}, {})

    assert response.status_code == 401


def test_a_word_added_is_reviewable_and_due_tomorrow(client, dynamodb_http, auth_header):
    headers = auth_header(USER_A)
    add(client, headers, japanese_word="猫", english_translation="cat")

    due_now = client.get("/api/srs/due", headers=headers).json()
    reviewed = post_json(client, "/api/srs/review", {"vocabulary_id": "猫", "quality": 5}, headers)

    assert due_now == {"items": [], "total": 0}
    assert reviewed.json()["progress"]["total_reviews"] == 1
