"""POST /api/srs/review and /api/srs/batch-review over a moto server (HEAD delta §5.4, §5.8)."""

from datetime import UTC, datetime, timedelta

import pytest

from srs.records import WIRE_KEYS
from tests.dynamo_helpers import get, put
from tests.srs.conftest import USER_A, post_json, progress_row, put_many, word

REVIEW, BATCH = "/api/srs/review", "/api/srs/batch-review"


def parse(text):
    return datetime.fromisoformat(text)


def review(client, headers, vocabulary_id, quality):
    return post_json(client, REVIEW, {"vocabulary_id": vocabulary_id, "quality": quality}, headers)


def test_first_review_creates_the_row_with_every_field(client, dynamodb_http, auth_header):
    put(dynamodb_http, "vocabulary", word("v1"))

    response = review(client, auth_header(USER_A), "v1", 4)

    assert response.status_code == 200
    progress = response.json()["progress"]
    assert list(progress) == list(WIRE_KEYS)
    assert {k: progress[k] for k in ("user_id", "vocabulary_id", "ease_factor", "interval", "repetitions")} == {
        "user_id": USER_A,
        "vocabulary_id": "v1",
        "ease_factor": 2.5,
        "interval": 1,
        "repetitions": 1,
    }
    assert (progress["last_quality"], progress["total_reviews"], progress["correct_count"]) == (4, 1, 1)
    assert parse(progress["next_review_date"]) - parse(progress["last_reviewed_at"]) == timedelta(days=1)
    assert progress["first_learned_at"] == progress["last_reviewed_at"]
    assert progress["next_review_date"].endswith("Z")
    assert len(progress["next_review_date"]) == 24
    assert get(dynamodb_http, "user_vocabulary_progress", user_id=USER_A, vocabulary_id="v1") == progress


def test_heads_run_sequence_through_the_api(client, dynamodb_http, auth_header):
    put_many(dynamodb_http, "vocabulary", [word("v1"), word("v2")])
    headers = auth_header(USER_A)

    rows = [review(client, headers, "v1", q).json()["progress"] for q in (4, 5, 3, 3, 1)]
    other = review(client, headers, "v2", 0).json()["progress"]

    figures = [(round(r["ease_factor"], 10), r["interval"], r["repetitions"], r["total_reviews"]) for r in rows]
    assert figures == [(2.5, 1, 1, 1), (2.6, 6, 2, 2), (2.46, 15, 3, 3), (2.32, 35, 4, 4), (2.32, 1, 0, 5)]
    assert [r["correct_count"] for r in rows] == [1, 2, 3, 4, 4]
    assert [r["last_quality"] for r in rows] == [4, 5, 3, 3, 1]
    assert len({r["first_learned_at"] for r in rows}) == 1
    assert [rows[2]["ease_factor"], rows[3]["ease_factor"]] == [2.46, 2.32]  # unrounded, as HEAD stores it
    assert (other["ease_factor"], other["interval"], other["repetitions"], other["correct_count"]) == (2.5, 1, 0, 0)


def test_sm2_vectors_through_the_api(client, dynamodb_http, auth_header):
    # Vector 13/14 of §5.10 from a stored state (EF 2.5, I 6, n 2): q3 -> I 14, q5 -> I 16.
    put_many(dynamodb_http, "vocabulary", [word("a"), word("b"), word("c")])
    state = {"ease_factor": 2.5, "interval": 6, "repetitions": 2}
    put_many(dynamodb_http, "user_vocabulary_progress", [progress_row(USER_A, v, **state) for v in ("a", "b")])
    floor_state = {"ease_factor": 1.3, "interval": 6, "repetitions": 2}
    put(dynamodb_http, "user_vocabulary_progress", progress_row(USER_A, "c", **floor_state))
    headers = auth_header(USER_A)

    q3, q5, floor = (review(client, headers, v, q).json()["progress"] for v, q in (("a", 3), ("b", 5), ("c", 3)))

    assert (q3["interval"], q3["repetitions"], q3["ease_factor"]) == (14, 3, pytest.approx(2.36))
    assert (q5["interval"], q5["repetitions"], q5["ease_factor"]) == (16, 3, pytest.approx(2.6))
    assert floor["ease_factor"] == 1.3
    assert parse(q3["next_review_date"]) - parse(q3["last_reviewed_at"]) == timedelta(days=14)


def test_unknown_vocabulary_is_404_and_progress_untouched(client, dynamodb_http, auth_header):
    response = review(client, auth_header(USER_A), "nope", 4)

    assert response.status_code == 404
    assert response.json() == {"error": "Vocabulary not found", "code": "vocabulary_not_found"}
    assert get(dynamodb_http, "user_vocabulary_progress", user_id=USER_A, vocabulary_id="nope") is None


def test_unknown_stored_attributes_survive_a_review(client, dynamodb_http, auth_header):
    put(dynamodb_http, "vocabulary", word("v1"))
    put(dynamodb_http, "user_vocabulary_progress", progress_row(USER_A, "v1", note="kept"))

    progress = review(client, auth_header(USER_A), "v1", 5).json()["progress"]

    assert progress["note"] == "kept"
    assert get(dynamodb_http, "user_vocabulary_progress", user_id=USER_A, vocabulary_id="v1")["note"] == "kept"


def test_user_id_in_the_body_has_no_effect(client, dynamodb_http, auth_header):
    put(dynamodb_http, "vocabulary", word("v1"))

    response = post_json(client, REVIEW, {"vocabulary_id": "v1", "quality": 4, "user_id": "someone"}, auth_header())

    assert response.json()["progress"]["user_id"] == "user-1"
    assert get(dynamodb_http, "user_vocabulary_progress", user_id="someone", vocabulary_id="v1") is None


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"vocabulary_id": "v1", "quality": 6}, {"quality"}),
        ({"vocabulary_id": "v1", "quality": -1}, {"quality"}),
        ({"vocabulary_id": "v1", "quality": 2.5}, {"quality"}),
        ({"vocabulary_id": "v1", "quality": "4"}, {"quality"}),
        ({"vocabulary_id": "v1", "quality": True}, {"quality"}),
        ({"vocabulary_id": "", "quality": 4}, {"vocabulary_id"}),
        ({"vocabulary_id": 5, "quality": 4}, {"vocabulary_id"}),
        ({"vocabulary_id": "x" * 1025, "quality": 4}, {"vocabulary_id"}),
        ({"vocabulary_id": "\ud800", "quality": 4}, {"vocabulary_id"}),
        ({}, {"vocabulary_id", "quality"}),
        ({"quality": 4}, {"vocabulary_id"}),
    ],
)
def test_review_validation_errors(client, dynamodb_http, auth_header, body, fields):
    response = post_json(client, REVIEW, body, auth_header(USER_A))

    assert response.status_code == 400
    data = response.json()
    assert (data["error"], data["code"]) == ("Invalid input.", "invalid")
    assert set(data["fields"]) == fields


def test_malformed_json_is_400(client, dynamodb_http, auth_header):
    response = post_json(client, REVIEW, '{"vocabulary_id": ', auth_header(USER_A))

    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"


def test_no_token_is_401_before_validation(client, dynamodb_http, cognito):
    response = post_json(client, REVIEW, {"quality": 99}, {})

    assert response.status_code == 401
    assert response.json()["code"] == "missing_token"


def test_access_tokens_are_accepted(client, dynamodb_http, auth_header):
    put(dynamodb_http, "vocabulary", word("v1"))

    response = review(client, auth_header(USER_A, token_use="access"), "v1", 4)

    assert response.status_code == 200
    assert response.json()["progress"]["user_id"] == USER_A


def test_a_row_deleted_between_read_and_write_is_404(dynamodb_http):
    from srs.records import Progress
    from srs.services import progress_apply_review

    put(dynamodb_http, "user_vocabulary_progress", progress_row(USER_A, "v1", total_reviews=3))
    stale = Progress.from_dict(progress_row(USER_A, "v1", total_reviews=2))  # someone reviewed, then deleted it
    dynamodb_http.delete_item(
        TableName="vela-user-vocabulary-progress", Key={"user_id": {"S": USER_A}, "vocabulary_id": {"S": "v1"}}
    )

    from vela.errors import NotFoundError

    with pytest.raises(NotFoundError, match="Progress not found for vocabulary item"):
        progress_apply_review(user_id=USER_A, vocabulary_id="v1", quality=4, current=stale, sleep=lambda s: None)


# --- batch ----------------------------------------------------------------------------------------
def test_batch_dedupes_first_position_last_quality(client, dynamodb_http, auth_header):
    put_many(dynamodb_http, "vocabulary", [word("v000"), word("v001")])
    reviews = [{"vocabulary_id": "v001", "quality": 1}, {"vocabulary_id": "v000", "quality": 4}]
    reviews.append({"vocabulary_id": "v001", "quality": 5})

    response = post_json(client, BATCH, {"reviews": reviews}, auth_header(USER_A))

    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "processed": 2,
        "successful": 2,
        "failed": 0,
        "results": [{"vocabulary_id": "v001", "success": True}, {"vocabulary_id": "v000", "success": True}],
    }
    row = get(dynamodb_http, "user_vocabulary_progress", user_id=USER_A, vocabulary_id="v001")
    assert (row["last_quality"], row["total_reviews"]) == (5, 1)


def test_batch_heads_run_example(client, dynamodb_http, auth_header):
    put_many(dynamodb_http, "vocabulary", [word("v-none"), word("v-n3", jlpt_level=3)])
    ids = ["v-none", "missing-1", "v-new?", "v-none", "v-n3"]

    response = post_json(
        client, BATCH, {"reviews": [{"vocabulary_id": i, "quality": 4} for i in ids]}, auth_header(USER_A)
    )

    assert response.json() == {
        "success": True,
        "processed": 4,
        "successful": 2,
        "failed": 2,
        "results": [
            {"vocabulary_id": "v-none", "success": True},
            {"vocabulary_id": "missing-1", "success": False, "error": "Vocabulary not found"},
            {"vocabulary_id": "v-new?", "success": False, "error": "Vocabulary not found"},
            {"vocabulary_id": "v-n3", "success": True},
        ],
    }


def test_batch_of_nothing(client, dynamodb_http, auth_header, dynamodb_calls):
    response = post_json(client, BATCH, {"reviews": []}, auth_header(USER_A))

    assert response.json() == {"success": True, "processed": 0, "successful": 0, "failed": 0, "results": []}
    assert dynamodb_calls == []


def test_batch_of_one_hundred_applies_every_review(client, dynamodb_http, auth_header):
    put_many(dynamodb_http, "vocabulary", [word(f"v{i:03d}") for i in range(100)])
    reviews = [{"vocabulary_id": f"v{i:03d}", "quality": i % 6} for i in range(100)]

    data = post_json(client, BATCH, {"reviews": reviews}, auth_header(USER_A)).json()

    assert (data["processed"], data["successful"]) == (100, 100)
    assert [r["vocabulary_id"] for r in data["results"]] == [f"v{i:03d}" for i in range(100)]
    row = get(dynamodb_http, "user_vocabulary_progress", user_id=USER_A, vocabulary_id="v005")
    assert (row["last_quality"], row["correct_count"]) == (5, 1)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "reviews"),
        ({"reviews": "v1"}, "reviews"),
        ({"reviews": [{"vocabulary_id": "v", "quality": 1}] * 101}, "reviews"),
        ({"reviews": [{"vocabulary_id": "v", "quality": 9}]}, "reviews"),
    ],
)
def test_batch_validation_errors(client, dynamodb_http, auth_header, body, field):
    response = post_json(client, BATCH, body, auth_header(USER_A))

    assert response.status_code == 400
    # nested errors are flattened to dotted names (`reviews.0.quality`)
    assert {k.split(".")[0] for k in response.json()["fields"]} == {field}


def test_batch_item_errors_name_the_item(client, dynamodb_http, auth_header):
    body = {"reviews": [{"vocabulary_id": "ok", "quality": 1}, {"vocabulary_id": "v", "quality": 9}]}

    fields = post_json(client, BATCH, body, auth_header(USER_A)).json()["fields"]

    assert fields == {"reviews.1.quality": ["Ensure this value is less than or equal to 5."]}


def test_review_writes_are_conditional_and_two_calls(client, dynamodb_http, auth_header, dynamodb_calls):
    put(dynamodb_http, "vocabulary", word("v1"))
    headers = auth_header(USER_A)

    review(client, headers, "v1", 4)
    first = list(dynamodb_calls)
    dynamodb_calls.clear()
    review(client, headers, "v1", 4)

    assert first == ["BatchGetItem", "PutItem"]
    assert dynamodb_calls == ["BatchGetItem", "UpdateItem"]


def test_review_times_are_utc_now(client, dynamodb_http, auth_header):
    put(dynamodb_http, "vocabulary", word("v1"))
    before = datetime.now(UTC)

    progress = review(client, auth_header(USER_A), "v1", 4).json()["progress"]

    reviewed = parse(progress["last_reviewed_at"])
    assert progress["last_reviewed_at"].endswith("Z")
    assert before - timedelta(seconds=1) <= reviewed <= datetime.now(UTC)


def test_batch_reads_words_and_rows_in_two_calls(client, dynamodb_http, auth_header, dynamodb_calls):
    put_many(dynamodb_http, "vocabulary", [word(f"v{i}") for i in range(4)])
    put(dynamodb_http, "user_vocabulary_progress", progress_row(USER_A, "v0", total_reviews=2))
    reviews = [{"vocabulary_id": f"v{i}", "quality": 4} for i in range(5)]  # v4 is unknown

    data = post_json(client, BATCH, {"reviews": reviews}, auth_header(USER_A)).json()

    assert (data["successful"], data["failed"]) == (4, 1)
    assert sorted(dynamodb_calls) == sorted(["BatchGetItem", "BatchGetItem", "UpdateItem"] + ["PutItem"] * 3)
    assert get(dynamodb_http, "user_vocabulary_progress", user_id=USER_A, vocabulary_id="v0")["total_reviews"] == 3
