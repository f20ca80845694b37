"""Signals of the DSQL backend, for whoever wants to count what it does (metrics, tests).

`occ_conflict(sender=None, using=<alias>, code=<SQLSTATE>, attempt=<n>, exhausted=<bool>)`: sent for
every optimistic-concurrency conflict `dsql_backend.transaction` handles: `exhausted=False` when it
retries, `True` when it gives up. Receivers must be quick and must not raise.
"""

from __future__ import annotations

from django.dispatch import Signal

occ_conflict = Signal()
