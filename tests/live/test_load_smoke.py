"""A short run of bench/load.py in the suite: 10 clients x 3 s of mixed reads and writes of many users
through gunicorn over a moto server; zero 5xx, zero transport errors, zero lost updates."""

from __future__ import annotations

import pytest

from bench.load import check_totals, make_users, run_load
from tests.live_stack import LiveStack

pytestmark = pytest.mark.slow


def test_mixed_load_has_no_5xx_and_loses_no_update(live: LiveStack) -> None:
    result = run_load(live, clients=10, seconds=3, users=8)

    print(result.report())
    assert result.server_errors == []
    assert result.transport_errors == []
    assert result.lost == []
    assert result.statuses[200] == result.requests > 20
    assert len(result.latencies["game"]) > 0
    assert len(result.latencies["save"]) > 0


def test_the_totals_check_sees_a_lost_write(live: LiveStack) -> None:
    (user,) = make_users(live, 1, prefix="lost")
    user.games, user.experience = 1, 7  # acknowledged to "us" but never written: must be reported

    assert len(check_totals(live, [user])) == 1
