"""The one clock and id helper: time as the original API wrote it, and its `<epoch-ms>-<base36>` ids.

Timestamps are JavaScript `toISOString()` (UTC, milliseconds, `Z`) or epoch milliseconds; ids are
`<epoch-ms>-<9 random base-36 chars>` (the original's `Date.now() + "-" + Math.random().toString(36)`
shape), so a sort key made of them orders by creation time.
"""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime

BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
ID_RANDOM_CHARS = 9


def now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def now_iso() -> str:
    return iso(now())


def now_ms() -> int:
    """Epoch milliseconds (JavaScript `Date.now()`)."""
    return time.time_ns() // 1_000_000


def epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def timestamped_id(epoch_millis: int | None = None) -> str:
    """`<epoch-ms>-<9 random base-36 chars>`, as the original generated session and sentence ids."""
    millis = now_ms() if epoch_millis is None else epoch_millis
    return f"{millis}-{''.join(secrets.choice(BASE36) for _ in range(ID_RANDOM_CHARS))}"
