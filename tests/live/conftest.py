"""One live stack (tests/live_stack.py) per module: the app under gunicorn over real local parts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.live_stack import LiveStack, live_stack


@pytest.fixture(scope="module")
def live() -> Iterator[LiveStack]:
    with live_stack() as stack:
        yield stack
