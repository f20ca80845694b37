"""Numbers as stored: a row written by HEAD or by hand may hold a string or a bool where a number belongs."""

from __future__ import annotations

from typing import Any


def stored_number(value: Any) -> int | float | None:
    """A stored JSON number (never a bool), else None."""
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None
