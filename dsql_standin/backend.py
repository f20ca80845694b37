"""Upstream -> client: PostgreSQL's answers, attributed to the request that caused them and translated into
DSQL's (error texts, command tags, the row limit, OCC conflicts)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from .errors import ERRORS
from .protocol import Message, build_error, cstring, error_response, parse_error_fields, ready_for_query
from .session import MARKER, POISON_SQL, Pending, SessionState

__all__ = ["Backend"]

log = logging.getLogger("dsql_standin")

_BATCH_END = (b"S", b"Q", b"F")
_FINAL = (b"1", b"2", b"3", b"n", b"T", b"C", b"I", b"s")  # the last response to P/B/C/D/E


class Backend(SessionState):
    def _on_upstream(self, msg: Message) -> None:
        t = msg.type
        if t in (b"S", b"A"):  # ParameterStatus / NotificationResponse: asynchronous, always for the client
            self._to_client(msg)
            return
        head = self.pending[0] if self.pending else None
        if head is None:
            self._to_client(msg)  # e.g. a FATAL error from an administrator shutdown
            return
        if t == b"Z":
            self.pending.popleft()
            self.status = msg.payload[:1]
            self.up_skipping = False
            if self.status == b"I":
                self.tx.reset()
            if head.internal:
                if head.on_ready is not None:
                    head.on_ready(self.status)
                return
            self._client_ready_for(head, self.status)
            return
        if t == b"E":
            self._on_error(head, msg)
            return
        if head.internal:
            if t in _FINAL and head.type not in (b"Q", b"S"):
                self.pending.popleft()
            return
        if t in (b"G", b"W"):
            self.copy_in = True  # the Execute/Query completes with the CommandComplete after the copy
            if not self.discard:
                self._to_client(msg)
            return
        if t == b"C":
            if head.swallow_begin:
                head.swallow_begin = False
                return
            msg = self._retag(head, msg)
            if self._count_rows(msg.payload, head):
                return
        if not self.discard:
            self._to_client(msg)
        if head.type in _BATCH_END or (head.type == b"D" and t == b"t"):
            return
        if t in _FINAL:
            self.pending.popleft()

    @staticmethod
    def _retag(head: Pending, msg: Message) -> Message:
        """DSQL's command tag for a rewritten statement (e.g. ``CREATE INDEX`` for an ASYNC index build)."""
        index = head.completed
        head.completed += 1
        tag = head.tags[index] if index < len(head.tags) else None
        return Message(b"C", cstring(tag)) if tag else msg

    def _count_rows(self, payload: bytes, head: Pending) -> bool:
        """Track modified rows from a CommandComplete tag; True if the stand-in replaced it with an error."""
        err = self.tx.completed(payload.rstrip(b"\x00").decode("ascii", "replace"))
        if err is None or self.discard:
            return False
        log.info("user=%s exceeded the transaction row limit (%d rows)", self.user, self.tx.rows)
        self._to_client(error_response(err.sqlstate, err.message, detail=err.detail))
        head.failed = head.over_limit = True
        self.discard = True
        if head.type != b"Q":
            self.batch_failed = True
            if head.type == b"E":
                self.pending.popleft()
        return True

    def _on_error(self, head: Pending, msg: Message) -> None:
        fields = parse_error_fields(msg.payload)
        if head.violation is not None and (
            head.type != b"Q" or (fields.get("C") == "26000" and MARKER in fields.get("M", ""))
        ):
            v = head.violation
            msg = error_response(v.sqlstate, v.message, severity=v.severity, detail=v.detail)
        elif fields.get("C") == "40001" and self.config.annotate_occ_errors:
            occ = ERRORS["occ_conflict"]
            msg = build_error({**fields, "M": occ.message, "D": fields.get("M", "")})
        head.failed = True
        if (not head.internal or head.forward_errors) and not self.discard:
            self._to_client(msg)
        if head.type not in _BATCH_END:
            # Extended protocol: PostgreSQL now skips everything up to the next Sync, so nothing already
            # sent gets an answer, and nothing sent from now on will until the Sync.
            while self.pending and self.pending[0].type not in _BATCH_END:
                self.pending.popleft()
            self.up_skipping = True

    def _client_ready_for(self, head: Pending, status: bytes) -> None:
        if head.type == b"Q" and head.wrapped:
            finish = b"ROLLBACK" if head.failed or status == b"E" else b"COMMIT"
            self._internal_query(finish.decode(), forward_errors=True, then=lambda _st: self._ready(b"I"))
            return
        if head.type == b"Q" and head.over_limit and status == b"T":
            self._internal_query(POISON_SQL, forward_errors=False, then=self._ready)
            return
        self._ready(status)

    def _internal_query(self, sql: str, *, forward_errors: bool, then: Callable[[bytes], None]) -> None:
        self.discard = False if forward_errors else self.discard
        self._send_up(Message(b"Q", cstring(sql)).raw)
        self.pending.append(Pending(b"Q", internal=True, forward_errors=forward_errors, on_ready=then))

    def _ready(self, status: bytes) -> None:
        self._to_client(ready_for_query(status))
        self.tx.ready(status)
        self.awaiting_ready = self.discard = self.batch_failed = self.copy_in = False
