"""SM-2 exactly as HEAD's `src/utils/srs.ts` (HEAD delta §5.10): its test vectors, then the chains."""

from datetime import UTC, datetime, timedelta

import pytest

from srs.scheduler import MAX_INTERVAL, MIN_EASE_FACTOR, calculate_next_review, is_due, round_half_up

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def review(q, ef, interval, n, now=NOW):
    return calculate_next_review(quality=q, ease_factor=ef, interval=interval, repetitions=n, now=now)


@pytest.mark.parametrize(
    ("vector", "q", "ef", "interval", "n", "expected"),
    [
        (1, 0, 2.5, 10, 3, {"repetitions": 0, "interval": 1, "ease_factor": 2.5}),
        (2, 1, 2.5, 10, 5, {"repetitions": 0, "interval": 1}),
        (3, 2, 2.5, 6, 2, {"repetitions": 0, "interval": 1}),
        (4, 2, 2.5, 10, 2, {"ease_factor": 2.5}),
        (6, 4, 2.5, 0, 0, {"repetitions": 1, "interval": 1}),
        (7, 4, 2.5, 1, 1, {"repetitions": 2, "interval": 6}),
        (8, 4, 2.5, 6, 2, {"repetitions": 3, "ease_factor": 2.5, "interval": 15}),
        (13, 3, 2.5, 6, 2, {"repetitions": 3, "ease_factor": 2.36, "interval": 14}),
        (14, 5, 2.5, 6, 2, {"repetitions": 3, "ease_factor": 2.6, "interval": 16}),
        (17, 0, 1.3, 1, 0, {"ease_factor": 1.3}),
        (22, 0, 1.3, 0, 0, {"ease_factor": 1.3}),
    ],
)
def test_head_vectors_with_exact_results(vector, q, ef, interval, n, expected):
    result = review(q, ef, interval, n)

    for name, value in expected.items():
        assert getattr(result, name) == pytest.approx(value, abs=1e-12), (vector, name)


def test_vector_5_and_12_next_date_is_the_next_day():
    assert review(1, 2.5, 10, 3).next_review_date.date().isoformat() == "2026-01-16"
    assert review(5, 2.5, 0, 0).next_review_date.date().isoformat() == "2026-01-16"


def test_vectors_9_10_ease_deltas():
    assert review(5, 2.5, 1, 1).ease_factor == pytest.approx(2.6)
    assert review(3, 2.5, 1, 1).ease_factor == pytest.approx(2.36)


def test_vector_11_and_16_ease_never_below_minimum():
    assert review(3, 1.3, 6, 2).ease_factor >= MIN_EASE_FACTOR
    assert review(0, 1.5, 1, 1).ease_factor >= MIN_EASE_FACTOR


def test_vector_15_successes_after_three_repetitions():
    results = {q: review(q, 2.5, 6, 3) for q in (3, 4, 5)}

    assert all(r.repetitions == 4 and r.interval > 6 for r in results.values())
    assert results[5].ease_factor > 2.5


def test_vector_18_no_upper_bound_and_21_long_intervals_grow():
    assert review(5, 3.0, 10, 5).ease_factor > 3.0
    assert review(5, 2.5, 365, 10).interval > 365


def test_vector_19_chain_of_fours():
    first = review(4, 2.5, 0, 0)
    second = review(4, first.ease_factor, first.interval, first.repetitions)
    third = review(4, second.ease_factor, second.interval, second.repetitions)

    assert [first.interval, second.interval, third.interval] == [1, 6, round_half_up(6 * third.ease_factor)]


def test_vector_20_exact_iso_date():
    result = review(4, 2.5, 0, 0, now=datetime(2024, 12, 30, 10, 0, tzinfo=UTC))

    assert result.next_review_date == datetime(2024, 12, 31, 10, 0, tzinfo=UTC)


def test_quality_three_from_2_6_gives_heads_unrounded_floats():
    expected = [2.46, 2.32, 2.1799999999999997, 2.0399999999999996, 1.8999999999999997, 1.7599999999999998]
    expected += [1.6199999999999999, 1.48, 1.34, 1.3]
    ease, seen = 2.6, []
    for _ in expected:
        ease = review(3, ease, 6, 3).ease_factor
        seen.append(ease)

    assert seen == expected  # exact equality: same IEEE operations as the original
    assert review(3, 1.3, 6, 3).ease_factor == 1.3
    assert review(4, 1.3, 6, 3).ease_factor == 1.3


def test_the_run_sequence_of_one_word():
    steps = []
    ef, interval, n = 2.5, 0, 0
    for q in (4, 5, 3, 3, 1):
        r = review(q, ef, interval, n)
        ef, interval, n = r.ease_factor, r.interval, r.repetitions
        steps.append((round(ef, 10), interval, n))

    assert steps == [(2.5, 1, 1), (2.6, 6, 2), (2.46, 15, 3), (2.32, 35, 4), (2.32, 1, 0)]


def test_incorrect_answer_keeps_an_unclamped_ease():
    assert review(0, 1.1, 4, 2).ease_factor == 1.1


def test_round_half_up_is_javascripts_math_round():
    assert [round_half_up(x) for x in (14.5, 15.6, -0.5, -1.5, 2.4999)] == [15, 16, 0, -1, 2]


@pytest.mark.parametrize(
    ("date", "due"),
    [
        (datetime(2024, 12, 29, 12, tzinfo=UTC), True),
        (datetime(2024, 12, 30, 12, tzinfo=UTC), True),
        (datetime(2024, 12, 31, 12, tzinfo=UTC), False),
        (datetime(2025, 1, 1, tzinfo=UTC), False),
        (datetime(2023, 1, 1, tzinfo=UTC), True),
    ],
)
def test_is_due(date, due):
    assert is_due(date, datetime(2024, 12, 30, 12, tzinfo=UTC)) is due


def test_intervals_stop_at_a_hundred_years():
    result = review(5, 2.6, 30_000, 12)

    assert result.interval == MAX_INTERVAL == 36_500
    assert result.next_review_date == NOW + timedelta(days=MAX_INTERVAL)
    assert review(5, 2.6, MAX_INTERVAL, 13).interval == MAX_INTERVAL
