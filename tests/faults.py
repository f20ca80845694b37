"""Fault injection parts for tests/live/test_faults.py: a TCP proxy that can be cut, slowed or made a
black hole, and a private PostgreSQL (initdb into a temporary directory, its own port) that a test may
stop and start - never the machine's shared PostgreSQL; for tests/progress/test_resend.py, an HTTP
proxy in front of the moto server that loses answers (so botocore re-sends) or gives its own."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg


class FaultProxy:
    """127.0.0.1:<port> -> target. `cut()` drops every connection and refuses new ones until `restore()`;
    `delay` (seconds) holds each piece from the target before passing it on; `blackhole` accepts and
    reads but never answers."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.delay = 0.0
        self.blackhole = False
        self._listener: socket.socket | None = None
        self._conns: set[socket.socket] = set()
        self._lock = threading.Lock()
        self.port = 0
        self._listen()

    def _listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _track(self, *socks: socket.socket) -> None:
        with self._lock:
            self._conns.update(socks)

    def _serve(self, client: socket.socket) -> None:
        self._track(client)
        if self.blackhole:
            with contextlib.suppress(OSError):
                while client.recv(65536):
                    pass
            return
        try:
            upstream = socket.create_connection(self.target, timeout=5)
        except OSError:
            client.close()
            return
        upstream.settimeout(None)
        self._track(upstream)
        threading.Thread(target=self._pump, args=(client, upstream, False), daemon=True).start()
        self._pump(upstream, client, True)

    def _pump(self, source: socket.socket, sink: socket.socket, slow: bool) -> None:
        try:
            while data := source.recv(65536):
                if slow and self.delay:
                    time.sleep(self.delay)
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def cut(self, *, refuse: bool = True) -> None:
        """Every open connection reset; with `refuse` the listener closes too (connections refused)."""
        if refuse and self._listener is not None:
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
            self._listener.close()
            self._listener = None
        with self._lock:
            conns, self._conns = self._conns, set()
        for sock in conns:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def restore(self) -> None:
        self.delay, self.blackhole = 0.0, False
        if self._listener is None:
            self._listen()

    def close(self) -> None:
        self.cut()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PrivatePostgres:
    """A throwaway PostgreSQL cluster (trust auth) in a temporary directory, on its own port.

    The server binaries refuse to run as root, so they run as the `postgres` system user when the
    tests run as root."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="vela-private-pg-"))
        self.data = self.dir / "data"
        self.port = _free_port()
        self._user = "postgres" if os.geteuid() == 0 else None
        if self._user:
            entry = pwd.getpwnam(self._user)
            os.chown(self.dir, entry.pw_uid, entry.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")

    def _run(self, *command: str) -> None:
        binary = shutil.which(command[0]) or command[0]
        subprocess.run([binary, *command[1:]], check=True, capture_output=True, timeout=120, user=self._user)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.dir / "log"), "-w", "start")
        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres") as conn:
            if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = 'admin'").fetchone():
                conn.execute("CREATE ROLE admin LOGIN SUPERUSER")
                conn.commit()

    def stop(self, mode: str = "immediate") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@contextlib.contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    server = PrivatePostgres()
    try:
        server.start()
        yield server
    finally:
        server.destroy()


class LostResponseProxy:
    """An HTTP proxy in front of the moto server that can lose answers: for the operations in `lose`
    (e.g. {"TransactWriteItems"}), the first time it sees a request body it forwards it (the server
    applies it) and then drops the answer, by closing the connection (`mode="drop"`) or by answering
    only after `late_seconds` (`mode="late"`, past the client's read timeout). botocore then re-sends
    the same body, as it does after a timeout or a broken connection in production. `answer(...)`
    makes the proxy itself answer a given request (e.g. a cancellation DynamoDB gives under
    contention, which moto never does). `calls` records (operation, JSON body) of every request,
    re-sends included."""

    def __init__(self, target_url: str, *, mode: str = "drop", late_seconds: float = 1.0) -> None:
        target = urlsplit(target_url)
        self.target = (target.hostname or "127.0.0.1", target.port or 80)
        self.mode, self.late_seconds = mode, late_seconds
        self.lose: set[str] = set()
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._seen: set[bytes] = set()
        self._canned: dict[tuple[str, int], tuple[int, dict[str, Any]]] = {}
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                proxy._forward(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def operations(self) -> list[str]:
        return [operation for operation, _ in self.calls]

    def answer(self, operation: str, nth: int, status: int, body: dict[str, Any]) -> None:
        """Answer the `nth` request (1-based, re-sends included) of `operation` with this, not forwarding it."""
        self._canned[(operation, nth)] = (status, body)

    def _forward(self, handler: Any) -> None:
        body = handler.rfile.read(int(handler.headers.get("Content-Length", 0)))
        operation = handler.headers.get("X-Amz-Target", "").rpartition(".")[2]
        with self._lock:
            self.calls.append((operation, json.loads(body or b"{}")))
            canned = self._canned.get((operation, self.operations().count(operation)))
            lose = operation in self.lose and body not in self._seen
            self._seen.add(body)
        if canned is not None:
            self._reply(
                handler, canned[0], [("Content-Type", "application/x-amz-json-1.0")], json.dumps(canned[1]).encode()
            )
            return
        upstream = http.client.HTTPConnection(*self.target, timeout=10)
        headers = {name: value for name, value in handler.headers.items() if name.lower() != "host"}
        upstream.request("POST", handler.path, body=body, headers=headers)
        answer = upstream.getresponse()
        payload = answer.read()
        upstream.close()
        if lose and self.mode == "drop":
            handler.close_connection = True
            return  # the server applied it; the client sees the connection closed without an answer
        if lose:
            time.sleep(self.late_seconds)
        self._reply(handler, answer.status, answer.getheaders(), payload)

    @staticmethod
    def _reply(handler: Any, status: int, headers: list[tuple[str, str]], payload: bytes) -> None:
        with contextlib.suppress(OSError):  # a client that timed out has gone
            handler.send_response(status)
            for name, value in headers:
                if name.lower() not in {"connection", "transfer-encoding", "content-length"}:
                    handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            handler.wfile.write(payload)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
