"""A call-counting proxy for boto3 objects (a Table and its `meta.client`), to observe paging."""

from __future__ import annotations

from collections import Counter
from types import SimpleNamespace
from typing import Any


class Spy:
    def __init__(self, target: Any, **overrides: Any) -> None:
        self._target = target
        self._overrides = overrides
        self.calls: Counter[str] = Counter()
        self.kwargs: list[tuple[str, dict[str, Any]]] = []

    def __getattr__(self, name: str) -> Any:
        if name in self._overrides:
            return self._overrides[name]
        attribute = getattr(self._target, name)
        if not callable(attribute):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            self.kwargs.append((name, kwargs))
            return attribute(*args, **kwargs)

        return call


def spy_table(table: Any, client: Any | None = None) -> tuple[Spy, Spy]:
    """(table spy, client spy): the repository's `table.meta.client` is the client spy."""
    client_spy = client if client is not None else Spy(table.meta.client)
    return Spy(table, meta=SimpleNamespace(client=client_spy)), client_spy
