"""Incremental Server-Sent Events parsing (WHATWG rules) for upstream LLM streams, and frame encoding.

Bytes arrive in arbitrary pieces: a UTF-8 character, a line ending (`\\r` | `\\n` | `\\r\\n`) or an event
can be split across reads. `SseParser.feed()` returns the `data` payload of every event completed so
far; `close()` flushes an event the upstream did not terminate with a blank line.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from typing import Any

_LINE_END = re.compile(r"\r\n|\n|\r")
MAX_PENDING_CHARS = 1_000_000  # one unterminated line larger than this is not an SSE stream


class SseParser:
    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._buffer = ""
        self._data: list[str] = []

    def feed(self, chunk: bytes) -> list[str]:
        self._buffer += self._decoder.decode(chunk)
        events = self._drain()
        if len(self._buffer) > MAX_PENDING_CHARS:
            raise ValueError("upstream SSE line too long")
        return events

    def close(self) -> list[str]:
        self._buffer += self._decoder.decode(b"", final=True)
        events = self._drain(final=True)
        if self._buffer:
            self._line(self._buffer)
            self._buffer = ""
        if self._data:
            events.append("\n".join(self._data))
            self._data = []
        return events

    def _drain(self, final: bool = False) -> list[str]:
        events: list[str] = []
        start = 0
        for match in _LINE_END.finditer(self._buffer):
            if match.group() == "\r" and match.end() == len(self._buffer) and not final:
                break  # may be the first half of a CRLF split across reads
            event = self._line(self._buffer[start : match.start()])
            if event is not None:
                events.append(event)
            start = match.end()
        self._buffer = self._buffer[start:]
        return events

    def _line(self, line: str) -> str | None:
        if not line:  # blank line: dispatch
            if not self._data:
                return None
            event, self._data = "\n".join(self._data), []
            return event
        if line.startswith(":"):  # comment / keep-alive
            return None
        name, _, value = line.partition(":")
        if name == "data":
            self._data.append(value.removeprefix(" "))
        return None


def json_payloads(data: str) -> Iterator[Any]:
    """JSON values of one event's data; `[DONE]`, empty and invalid payloads are skipped.

    A multi-line event is parsed whole (spec), or line by line when whole it is not JSON (some
    upstreams put one JSON document per `data:` line without blank lines between them).
    """
    stripped = data.strip()
    if not stripped or stripped == "[DONE]":
        return
    try:
        yield json.loads(stripped)
        return
    except ValueError:
        pass
    if "\n" in stripped:
        for line in stripped.split("\n"):
            yield from json_payloads(line)


def encode_frame(payload: dict[str, Any]) -> bytes:
    """`data: <json>\\n\\n`, compact JSON like JSON.stringify."""
    return b"data: " + json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode() + b"\n\n"
