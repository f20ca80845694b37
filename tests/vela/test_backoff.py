"""One back-off for every DynamoDB retry of ours (vela.dynamodb.backoff_delay): full jitter, doubling, capped."""

from __future__ import annotations

import re
from pathlib import Path

from vela.dynamodb import BACKOFF_BASE_SECONDS, BACKOFF_CAP_SECONDS, backoff_delay

ROOT = Path(__file__).resolve().parents[2]


def test_delays_double_per_attempt_and_stay_under_the_cap():
    for attempt in range(1, 9):
        ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (attempt - 1))
        delays = [backoff_delay(attempt) for _ in range(200)]
        assert all(0 <= d <= ceiling for d in delays), attempt
        assert max(delays) > ceiling / 2, attempt  # the range is used, not just its bottom
    assert max(backoff_delay(20) for _ in range(200)) <= BACKOFF_CAP_SECONDS


def test_delays_are_jittered_so_concurrent_retries_spread_out():
    assert len({backoff_delay(3) for _ in range(50)}) > 40


def test_callers_choose_base_and_cap():
    assert all(0 <= backoff_delay(10, base=0.005, cap=0.1) <= 0.1 for _ in range(100))
    assert all(0 <= backoff_delay(1, base=0.005, cap=0.1) <= 0.005 for _ in range(100))


def test_no_other_back_off_formula_in_the_service():
    """The service's apps wait through backoff_delay only (dsql_backend, a reusable Django backend that
    imports nothing of the service, keeps its own for OCC retries)."""
    pattern = re.compile(r"random\.(uniform|random)\(|\*\s*2\s*\*\*")
    offenders = []
    apps = [d for d in ROOT.iterdir() if (d / "apps.py").exists() and d.name not in {"dsql_backend", "deploy"}]
    assert {"vela", "srs", "progress", "chat_history"} <= {d.name for d in apps}
    for path in (p for app in apps for p in app.rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        if name != "vela/dynamodb/__init__.py" and pattern.search(path.read_text()):
            offenders.append(name)
    assert offenders == []
