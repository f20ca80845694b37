"""SQLSTATE helpers: Django wraps driver errors, the code lives on the psycopg error (`__cause__`)."""

from __future__ import annotations


def sqlstate(exc: BaseException | None) -> str | None:
    """The SQLSTATE of `exc` or of the driver error Django wrapped in it."""
    seen = 0
    while exc is not None and seen < 5:
        code = getattr(exc, "sqlstate", None) or getattr(exc, "pgcode", None)
        if code:
            return str(code)
        exc = exc.__cause__
        seen += 1
    return None
