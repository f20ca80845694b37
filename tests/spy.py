"""Call-counting proxies for boto3 objects, to observe paging and how many calls a path makes."""

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


class CountingClient:
    """A boto3 client that records the order of the operations called on it (a list, not a Counter)."""

    def __init__(self, client: Any) -> None:
        self.client, self.calls = client, []

    def __getattr__(self, name: str) -> Any:
        def call(**kwargs: Any) -> Any:
            self.calls.append(name)
            return getattr(self.client, name)(**kwargs)

        return call
