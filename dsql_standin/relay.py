"""One relayed client connection: the handshake, then a ``select`` loop over the client and upstream sockets.

The client side (``frontend``) and the upstream side (``backend``) share the state in ``session``; the DSQL
transaction rules are the pure state machine in ``txrules``.
"""

from __future__ import annotations

import logging
import select
import socket
import ssl
import time

from .backend import Backend
from .errors import ERRORS
from .frontend import Frontend
from .handshake import Accepted, Closed, Handshake, fatal
from .protocol import auth_request, ready_for_query

__all__ = ["Session"]

log = logging.getLogger("dsql_standin")


class Session(Frontend, Backend):
    """One client connection (runs on its own thread)."""

    def run(self) -> None:
        try:
            accepted = Handshake(
                self.client, self.peer, self.config, self.server._ssl_context, self.server._forward_cancel
            ).run()
            if accepted is not None:
                self._attach(accepted)
                self._relay()
        except (Closed, OSError, ssl.SSLError, ValueError) as exc:
            log.debug("session %s ended: %s", self.peer, exc)
        except Exception:  # pragma: no cover - defensive: never kill the server thread silently
            log.exception("session %s crashed", self.peer)
        finally:
            self.close()

    def close(self) -> None:
        if self.closed.is_set():
            return
        self.closed.set()
        if self.key is not None:
            self.server._unregister(self.key)
        for sock in (self.up, self.client):
            if sock is None:
                continue
            try:
                sock.close()
            except OSError:
                pass

    def kill(self) -> None:
        """Called from another thread on stop(): unblock the session's select/recv."""
        for sock in (self.client, self.up):
            if sock is None:
                continue
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _attach(self, accepted: Accepted) -> None:
        conn = accepted.upstream
        self.client, self.user = accepted.client, accepted.user
        self.cbuf.feed(accepted.pending_bytes)
        self.up = conn.sock
        self.up.setblocking(False)
        self.ubuf.feed(conn.leftover)
        self._to_client(auth_request(0))
        for status in conn.parameter_status:
            self._to_client(status)
        if conn.backend_key is not None:
            self._to_client(conn.backend_key)
            self.key = conn.backend_pid_secret
            if self.key is not None:
                self.server._register(self.key)
        self._to_client(ready_for_query(b"I"))
        self._flush_client()
        self.client.settimeout(None)

    def _recv_client(self) -> bytes:
        data = self.client.recv(65536)
        if not data:
            raise Closed("client closed the connection")
        return data

    def _relay(self) -> None:
        up = self._upstream()
        max_age = self.config.max_connection_age
        while not self.server._stopping.is_set():
            age = time.monotonic() - self.started
            if age >= max_age:
                log.info("closing connection of user=%s: maximum age %.0fs reached", self.user, max_age)
                self._flush_client()
                fatal(self.client, ERRORS["max_age"].format(seconds=f"{max_age:g}"))
                return
            pending_tls = isinstance(self.client, ssl.SSLSocket) and self.client.pending() > 0
            wlist = [up] if self.up_out else []
            readable, writable, _ = select.select(
                [self.client, up], wlist, [], 0 if pending_tls else min(0.5, max_age - age)
            )
            if writable:
                self._pump_upstream()
            if pending_tls or self.client in readable:
                self.cbuf.feed(self._recv_client())
            while (msg := self.cbuf.next_message()) is not None:
                self.held.append(msg)
            if up in readable:
                self._read_upstream()
            self._process_client()
            self._flush_client()

    def _read_upstream(self) -> None:
        try:
            data = self._upstream().recv(65536)
        except BlockingIOError:
            return
        if data == b"":
            self._flush_client()
            raise Closed("upstream closed the connection")
        self.ubuf.feed(data)
        while (msg := self.ubuf.next_message()) is not None:
            self._on_upstream(msg)
