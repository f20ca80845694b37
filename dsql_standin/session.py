"""The state one relayed client connection shares between its client side and its upstream side.

Client messages are inspected before they are forwarded; upstream responses are attributed to the client
message that caused them (the ``pending`` queue), which lets the stand-in substitute errors and command
tags, count modified rows and track the transaction status exactly.

How rule violations reach the client: the offending message is replaced by an ``Execute`` of a portal that
does not exist (extended protocol) or by ``EXECUTE <missing prepared statement>`` (simple protocol). The
upstream PostgreSQL then fails *at exactly that position* -- aborting the transaction, skipping to ``Sync``
and reporting the right ``ReadyForQuery`` status -- and the stand-in rewrites that error into DSQL's.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .config import StandInConfig
from .errors import DsqlError
from .lexer import Kind
from .protocol import Message, MessageBuffer, cstring
from .txrules import TxRules

if TYPE_CHECKING:
    from .server import StandIn

__all__ = ["MARKER", "POISON_EXECUTE", "POISON_SQL", "Pending", "Prepared", "SessionState"]

MARKER = "_dsql_standin_violation"
POISON_EXECUTE = Message(b"E", cstring(MARKER) + struct.pack("!I", 0))
POISON_SQL = f"EXECUTE {MARKER}"


@dataclass
class Pending:
    """A request forwarded upstream whose responses have not all arrived.

    ``tags`` replaces PostgreSQL's command tags (per statement of a simple query, or the one of an Execute).
    """

    type: bytes
    internal: bool = False
    violation: DsqlError | None = None
    wrapped: bool = False
    swallow_begin: bool = False
    failed: bool = False
    over_limit: bool = False
    forward_errors: bool = False
    on_ready: Callable[[bytes], None] | None = None
    tags: list[str | None] = field(default_factory=list)
    completed: int = 0


@dataclass
class Prepared:
    """What the stand-in knows about a prepared statement or portal."""

    kind: Kind = Kind.OTHER
    tag: str | None = None


class SessionState:
    """Buffers, queues and flags of one client connection (the relay, frontend and backend share them)."""

    def __init__(self, server: StandIn, client: socket.socket, peer: str) -> None:
        self.server = server
        self.config: StandInConfig = server.config
        self.client: socket.socket = client
        self.peer = peer
        self.up: socket.socket | None = None
        self.cbuf = MessageBuffer()
        self.ubuf = MessageBuffer()
        self.c_out = bytearray()
        self.up_out = bytearray()
        self.held: deque[Message] = deque()
        self.pending: deque[Pending] = deque()
        self.status = b"I"
        self.awaiting_ready = False
        self.flush_sent = False
        self.batch_failed = False
        self.up_skipping = False  # PostgreSQL reported an extended-protocol error and skips to the next Sync
        self.discard = False
        self.copy_in = False
        self.tx = TxRules(row_limit=self.config.row_limit)
        self.statements: dict[bytes, Prepared] = {}
        self.portals: dict[bytes, Prepared] = {}
        self.started = time.monotonic()
        self.user = ""
        self.key: tuple[int, int] | None = None
        self.closed = threading.Event()

    def _to_client(self, msg: Message) -> None:
        self.c_out += msg.raw

    def _flush_client(self) -> None:
        if self.c_out:
            data, self.c_out = bytes(self.c_out), bytearray()
            self.client.sendall(data)

    def _send_up(self, data: bytes) -> None:
        self.up_out += data
        self._pump_upstream()

    def _upstream(self) -> socket.socket:
        if self.up is None:
            raise RuntimeError("the session has no upstream connection yet")
        return self.up

    def _pump_upstream(self) -> None:
        up = self._upstream()
        try:
            while self.up_out:
                sent = up.send(self.up_out)
                del self.up_out[:sent]
        except BlockingIOError:
            pass

    def _expect(self, entry: Pending) -> None:
        """Record that PostgreSQL will answer the message just sent (unless it is skipping to Sync)."""
        if not self.up_skipping or entry.type in (b"S", b"Q", b"F"):
            self.pending.append(entry)

    def _forward(self, msg: Message, tag: str | None = None) -> None:
        self._send_up(msg.raw)
        if msg.type == b"S":
            self.up_skipping = False
        self._expect(Pending(msg.type, tags=[tag] if tag else []))
