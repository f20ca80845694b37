from __future__ import annotations

import json
from typing import Any

from tests.upstream import Reply, split_odd

ANALYZE = "/api/my-dictionaries/analyze"
GOOGLE_STREAM_PATH = "/v1beta/models/gemini-2.5-flash-lite:streamGenerateContent?alt=sse"
OPENROUTER_PATH = "/api/v1/chat/completions"


def google_event(text: str) -> bytes:
    payload = {"candidates": [{"content": {"parts": [{"text": text}], "role": "model"}}]}
    return b"data: " + json.dumps(payload, ensure_ascii=False).encode() + b"\r\n\r\n"


def openrouter_event(text: str) -> bytes:
    payload = {"id": "gen", "choices": [{"index": 0, "delta": {"role": "assistant", "content": text}}]}
    return b"data: " + json.dumps(payload, ensure_ascii=False).encode() + b"\n\n"


def sse_reply(events: bytes, **kwargs: Any) -> Reply:
    """A chunked text/event-stream reply cut in odd-sized pieces (frames and UTF-8 split)."""
    return Reply(body=split_odd(events), headers={"Content-Type": "text/event-stream"}, **kwargs)


def parse_frames(body: bytes) -> list[dict[str, Any]]:
    """Our SSE output: every frame is `data: <json>\\n\\n`."""
    text = body.decode()
    assert text.endswith("\n\n")
    frames = text[:-2].split("\n\n")
    assert all(frame.startswith("data: ") for frame in frames)
    return [json.loads(frame[len("data: ") :]) for frame in frames]


def analyze_body(**overrides: Any) -> str:
    return json.dumps({"sentence": "  猫が好きです。 ", "provider": "google", "apiKey": "g-key-1", **overrides})
