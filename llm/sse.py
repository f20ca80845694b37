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
MAX_PENDING_CHARS = 1_000_000  # a line or event larger than this is not an LLM stream


class SseParser:
    """Linear in the input however it is cut: only new text is scanned for line ends."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending: list[str] = []  # text of the line not yet terminated
        self._pending_chars = 0
        self._held = ""  # a trailing "\r" that may be the first half of a CRLF split across reads
        self._data: list[str] = []
        self._data_chars = 0

    def feed(self, chunk: bytes) -> list[str]:
        return self._push(self._decoder.decode(chunk), final=False)

    def close(self) -> list[str]:
        events = self._push(self._decoder.decode(b"", final=True), final=True)
        tail = "".join(self._pending)
        self._pending, self._pending_chars = [], 0
        if tail:
            self._line(tail)
        if self._data:
            events.append(self._dispatch())
        return events

    def _push(self, text: str, *, final: bool) -> list[str]:
        text, self._held = self._held + text, ""
        if not final and text.endswith("\r"):
            text, self._held = text[:-1], "\r"
        last = max(text.rfind("\n"), text.rfind("\r"))
        if last < 0:
            if text:
                self._pending.append(text)
                self._pending_chars += len(text)
                if self._pending_chars > MAX_PENDING_CHARS:
                    raise ValueError("upstream SSE line too long")
            return []
        complete = "".join(self._pending) + text[: last + 1]
        rest = text[last + 1 :]
        self._pending, self._pending_chars = ([rest], len(rest)) if rest else ([], 0)
        events: list[str] = []
        for line in _LINE_END.split(complete)[:-1]:
            event = self._line(line)
            if event is not None:
                events.append(event)
        return events

    def _dispatch(self) -> str:
        event = "\n".join(self._data)
        self._data, self._data_chars = [], 0
        return event

    def _line(self, line: str) -> str | None:
        if not line:  # blank line: dispatch
            return self._dispatch() if self._data else None
        if line.startswith(":"):  # comment / keep-alive
            return None
        name, _, value = line.partition(":")
        if name == "data":
            self._data.append(value.removeprefix(" "))
            self._data_chars += len(value)
            if self._data_chars > MAX_PENDING_CHARS:
                raise ValueError("upstream SSE event too long")
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
