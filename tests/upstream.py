"""A scriptable third-party HTTP server for tests (ElevenLabs, Gemini, OpenRouter stand-ins).

Real HTTP on 127.0.0.1 (ThreadingHTTPServer in a thread). Every request is recorded (method, path
with query, headers, raw body) so tests can assert exact upstream requests. Replies can be delayed
(timeouts), chunked with flushes in odd-sized pieces (SSE split across reads), held on a gate until
the test releases them (proves streaming), or cut mid-body (broken upstream).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Reply:
    status: int = 200
    body: bytes | list[bytes] = b""  # a list is sent chunked, one flush per piece
    headers: dict[str, str] = field(default_factory=dict)
    reason: str | None = None
    delay: float = 0.0  # before the status line
    chunk_delay: float = 0.0  # between pieces
    gate_after: int | None = None  # after this many pieces, wait for `gate` (set by the test)
    gate: threading.Event = field(default_factory=threading.Event)
    gate_timeout: float = 10.0
    gate_timed_out: bool = False
    abort_after: int | None = None  # after this many pieces, drop the connection without finishing


class FakeUpstream:
    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.routes: list[tuple[str, str, Reply | Callable[[Recorded], Reply]]] = []
        self.url = ""
        self.finished = threading.Event()  # set when a reply has been sent completely

    def on(self, method: str, path_prefix: str, reply: Reply | Callable[[Recorded], Reply]) -> None:
        self.routes.insert(0, (method, path_prefix, reply))

    def reset(self) -> None:
        self.requests.clear()
        self.routes.clear()
        self.finished.clear()

    def find(self, recorded: Recorded) -> Reply:
        for method, prefix, reply in self.routes:
            if method == recorded.method and recorded.path.startswith(prefix):
                return reply(recorded) if callable(reply) else reply
        return Reply(status=404, body=b'{"error":"no route in fake upstream"}')


def _handler(fake: FakeUpstream) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self._serve()

        def do_GET(self) -> None:
            self._serve()

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            recorded = Recorded(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            fake.requests.append(recorded)
            reply = fake.find(recorded)
            try:
                self._reply(reply)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def _reply(self, reply: Reply) -> None:
            if reply.delay:
                time.sleep(reply.delay)
            self.send_response(reply.status, reply.reason)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if isinstance(reply.body, bytes):
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)
                self.wfile.flush()
                fake.finished.set()
                return
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.flush()
            for index, piece in enumerate(reply.body):
                if reply.gate_after is not None and index == reply.gate_after:
                    reply.gate_timed_out = not reply.gate.wait(reply.gate_timeout)
                if reply.abort_after is not None and index == reply.abort_after:
                    self.close_connection = True
                    self.wfile.flush()
                    self.connection.shutdown(2)
                    return
                if index and reply.chunk_delay:
                    time.sleep(reply.chunk_delay)
                self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
            fake.finished.set()

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


def serve(fake: FakeUpstream) -> Iterator[FakeUpstream]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


def split_odd(data: bytes, sizes: tuple[int, ...] = (1, 7, 3, 13, 2, 29, 5)) -> list[bytes]:
    """Cut `data` into odd-sized pieces (cycling through `sizes`) so frames and UTF-8 split anywhere."""
    pieces, start, i = [], 0, 0
    while start < len(data):
        size = sizes[i % len(sizes)]
        pieces.append(data[start : start + size])
        start += size
        i += 1
    return pieces
