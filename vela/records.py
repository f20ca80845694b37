"""A base for DynamoDB records read and returned verbatim: typed known attributes plus `extra`.

A subclass is a frozen dataclass whose known attributes default to `MISSING` (absent from the item)
and which ends with `extra: Mapping[str, Any]` for attributes it doesn't know, so an item survives a
read/write round trip unchanged (the original API returned items exactly as stored).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from typing import Any, Self

from vela.dynamodb.codec import MISSING


@functools.cache
def _known(cls: type) -> tuple[tuple[str, ...], frozenset[str]]:
    names = tuple(f.name for f in dataclasses.fields(cls) if f.name != "extra")
    return names, frozenset(names)


class VerbatimRecord:
    __slots__ = ()
    extra: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """Known attributes in declaration order, then the others; MISSING ones left out."""
        data = {name: getattr(self, name) for name in _known(type(self))[0]}
        data.update(self.extra)
        return {k: v for k, v in data.items() if v is not MISSING}

    @classmethod
    def from_dict(cls, item: Mapping[str, Any]) -> Self:
        names, known = _known(cls)
        return cls(
            **{k: item[k] for k in names if k in item},
            extra={k: v for k, v in item.items() if k not in known},
        )
