"""SM-2 spaced repetition exactly as the original's `src/utils/srs.ts` (HEAD delta §5.10). Pure: no I/O.

Intervals are capped at MAX_INTERVAL days (100 years) so dates stay representable.
Days are UTC: `next_review_date` is `now + interval x 24 h`, which is what the original's local-time
`setDate(getDate() + n)` gives on a UTC Lambda (HEAD delta §13.12).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

EASE_FACTOR = 2.5
MIN_EASE_FACTOR = 1.3
INITIAL_INTERVAL = 1
SECOND_INTERVAL = 6
# Our one addition: intervals stop at 100 years. Unbounded, a run of fives grows the interval ~2.6x
# per review until the date leaves the calendar (HEAD: a RangeError, 500, after ~20 such reviews).
MAX_INTERVAL = 36_500


@dataclass(frozen=True, slots=True)
class NextReview:
    ease_factor: float
    interval: int
    repetitions: int
    next_review_date: datetime


def round_half_up(value: float) -> int:
    """JavaScript `Math.round` (halves go up, also for negatives)."""
    return math.floor(value + 0.5)


def calculate_next_review(
    *, quality: int, ease_factor: float, interval: float, repetitions: int, now: datetime
) -> NextReview:
    """The next SM-2 state after a review of `quality` (0..5). Inputs are used as given, unvalidated."""
    if quality < 3:
        # Incorrect: start over tomorrow; the ease factor is kept as it is (not clamped).
        new_ease, new_interval, new_repetitions = ease_factor, INITIAL_INTERVAL, 0
    else:
        # Same operation order as the original, so IEEE doubles give the same (unrounded) values.
        new_ease = max(ease_factor + (0.1 - (5 - quality) * (0.08 + (5 - quality) * 0.02)), MIN_EASE_FACTOR)
        new_repetitions = repetitions + 1
        if new_repetitions == 1:
            new_interval = INITIAL_INTERVAL
        elif new_repetitions == 2:
            new_interval = SECOND_INTERVAL
        else:
            new_interval = min(round_half_up(interval * new_ease), MAX_INTERVAL)
    return NextReview(
        ease_factor=new_ease,
        interval=new_interval,
        repetitions=new_repetitions,
        next_review_date=now + timedelta(days=new_interval),
    )


def is_due(review_date: datetime, now: datetime) -> bool:
    return review_date <= now
