"""No lost reviews (CONTRACT §3a): concurrent reviews of one word by one user, through the real app,
against a moto server over HTTP (its own threads, so the races are real read-modify-write races).

HEAD (delta §13.16) loses SM-2 steps here: 20 reviews advance the state as if 2-3 had happened.
"""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test import Client

from srs.scheduler import calculate_next_review
from tests.dynamo_helpers import get, put
from tests.srs.conftest import USER_A, post_json, progress_row, word

pytestmark = pytest.mark.slow

REVIEWS = 20


def run_concurrently(headers, vocabulary_id, qualities, workers=REVIEWS):
    def one(quality):
        response = post_json(Client(), "/api/srs/review", {"vocabulary_id": vocabulary_id, "quality": quality}, headers)
        return response.status_code

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, qualities))


def chain(quality, count, ease=2.5, interval=0, repetitions=0):
    from datetime import UTC, datetime

    for _ in range(count):
        step = calculate_next_review(
            quality=quality, ease_factor=ease, interval=interval, repetitions=repetitions, now=datetime.now(UTC)
        )
        ease, interval, repetitions = step.ease_factor, step.interval, step.repetitions
    return ease, interval, repetitions


def test_twenty_concurrent_reviews_are_twenty_reviews(dynamodb_http, auth_header):
    put(dynamodb_http, "vocabulary", word("v1"))
    put(dynamodb_http, "user_vocabulary_progress", progress_row(USER_A, "v1", total_reviews=7, correct_count=5))

    statuses = run_concurrently(auth_header(USER_A), "v1", [5] * REVIEWS)

    assert statuses == [200] * REVIEWS
    row = get(dynamodb_http, "user_vocabulary_progress", user_id=USER_A, vocabulary_id="v1")
    assert row["total_reviews"] == 7 + REVIEWS
    assert row["correct_count"] == 5 + REVIEWS
    ease, interval, repetitions = chain(5, REVIEWS)  # every review applied to the state the previous one left
    assert row["repetitions"] == repetitions == REVIEWS
    assert row["ease_factor"] == pytest.approx(ease)
    assert row["interval"] == interval


def test_twenty_concurrent_first_reviews_create_one_row_and_count_all(dynamodb_http, auth_header):
    put(dynamodb_http, "vocabulary", word("v1"))
    qualities = [4, 1] * (REVIEWS // 2)

    statuses = run_concurrently(auth_header(USER_A), "v1", qualities)

    assert statuses == [200] * REVIEWS
    row = get(dynamodb_http, "user_vocabulary_progress", user_id=USER_A, vocabulary_id="v1")
    assert row["total_reviews"] == REVIEWS
    assert row["correct_count"] == REVIEWS // 2


def test_concurrent_batch_reviews_of_the_same_words(dynamodb_http, auth_header):
    put(dynamodb_http, "vocabulary", word("v1"))
    put(dynamodb_http, "vocabulary", word("v2"))
    body = {"reviews": [{"vocabulary_id": "v1", "quality": 3}, {"vocabulary_id": "v2", "quality": 2}]}
    headers = auth_header(USER_A)

    def one(_):
        return post_json(Client(), "/api/srs/batch-review", body, headers).json()["successful"]

    with ThreadPoolExecutor(max_workers=10) as pool:
        successes = list(pool.map(one, range(10)))

    assert successes == [2] * 10
    for vocabulary_id in ("v1", "v2"):
        row = get(dynamodb_http, "user_vocabulary_progress", user_id=USER_A, vocabulary_id=vocabulary_id)
        assert row["total_reviews"] == 10
