"""Client -> upstream: every client message is inspected, checked against DSQL's rules and forwarded."""

from __future__ import annotations

from .errors import ERRORS, DsqlError
from .handshake import Closed
from .lexer import Kind
from .protocol import Message, cstring
from .session import POISON_EXECUTE, POISON_SQL, Pending, Prepared, SessionState
from .sql import split_statements_cached

__all__ = ["Frontend"]

_BATCH_END = (b"S", b"Q", b"F")


class Frontend(SessionState):
    def _process_client(self) -> None:
        while self.held:
            msg = self.held[0]
            t = msg.type
            if self.copy_in and t in (b"d", b"c", b"f", b"S", b"H"):
                # COPY FROM STDIN data; PostgreSQL ignores Sync/Flush while copying (libpq sends a Sync
                # right after Execute and another one after CopyDone, which is the one that counts).
                self.held.popleft()
                self._send_up(msg.raw)
                self.flush_sent = False
                if t in (b"c", b"f"):
                    self.copy_in = False
                continue
            if self.awaiting_ready:
                return
            if t in _BATCH_END:
                if self.pending:
                    # Hold the Sync until every result of the batch is in, so an over-limit batch can still
                    # be failed before PostgreSQL commits it.
                    if not self.flush_sent:
                        self._send_up(Message(b"H", b"").raw)
                        self.flush_sent = True
                    return
                self.flush_sent = False
            self.held.popleft()
            self._handle_client(msg)

    def _handle_client(self, msg: Message) -> None:
        t = msg.type
        if t == b"X":
            self._send_up(msg.raw)
            self._pump_upstream()
            raise Closed("client terminated")
        if self.batch_failed and t != b"S":
            return  # the client already got an error for this batch: PostgreSQL would skip it too
        if t == b"Q":
            self._handle_query(msg)
        elif t == b"P":
            self._handle_parse(msg)
        elif t == b"B":
            portal, _, rest = msg.payload.partition(b"\x00")
            self.portals[portal] = self.statements.get(rest.partition(b"\x00")[0], Prepared())
            self._forward(msg)
        elif t == b"E":
            self._handle_execute(msg)
        elif t in (b"D", b"C"):
            if t == b"C" and msg.payload[:1] == b"S":
                self.statements.pop(msg.payload[1:].partition(b"\x00")[0], None)
            self._forward(msg)
        elif t == b"S":
            if self.batch_failed:
                self._send_up(POISON_EXECUTE.raw)
                self._expect(Pending(b"E", internal=True))
            self._forward(msg)
            self.awaiting_ready = True
        elif t == b"F":
            self._forward(msg)
            self.awaiting_ready = True
        else:
            self._send_up(msg.raw)  # Flush and anything without a response of its own

    def _check(self, kind: Kind) -> DsqlError | None:
        if self.up_skipping:
            return None  # PostgreSQL discards this message: it never runs
        return self.tx.statement(kind)

    def _handle_execute(self, msg: Message) -> None:
        prepared = self.portals.get(msg.payload.partition(b"\x00")[0], Prepared())
        violation = self._check(prepared.kind)
        if violation is not None:
            self._send_up(POISON_EXECUTE.raw)
            self._expect(Pending(b"E", violation=violation))
        else:
            self._forward(msg, prepared.tag)

    def _handle_parse(self, msg: Message) -> None:
        name, _, rest = msg.payload.partition(b"\x00")
        query_bytes, _, types = rest.partition(b"\x00")
        statements = split_statements_cached(query_bytes.decode("utf-8", "replace"))
        stmt = statements[0] if len(statements) == 1 else None
        if stmt is not None and stmt.violation is not None and not self.up_skipping:
            self.statements.pop(name, None)
            self._send_up(POISON_EXECUTE.raw)
            # in a failed transaction PostgreSQL (and DSQL) answer 25P02 before looking at the statement
            failed = self.tx.status == b"E"
            self._expect(Pending(b"P", violation=ERRORS["in_failed_transaction"] if failed else stmt.violation))
            return
        self.statements[name] = Prepared(stmt.kind, stmt.tag) if stmt is not None else Prepared()
        if stmt is not None and stmt.rewrite is not None:
            msg = Message(b"P", name + b"\x00" + stmt.rewrite.encode() + b"\x00" + types)
        self._forward(msg)

    def _handle_query(self, msg: Message) -> None:
        text = msg.payload.rstrip(b"\x00").decode("utf-8", "replace")
        pieces: list[str] = []
        tags: list[str | None] = []
        changed = False
        violation: DsqlError | None = None
        has_dml = has_tx_control = False
        for stmt in split_statements_cached(text):
            if stmt.kind is Kind.EMPTY:
                continue
            violation = stmt.violation or self.tx.statement(stmt.kind)
            if violation is not None:
                pieces.append(POISON_SQL)
                changed = True
                break
            changed |= stmt.rewrite is not None
            pieces.append(stmt.rewrite if stmt.rewrite is not None else stmt.text.rstrip().rstrip(";"))
            tags.append(stmt.tag)
            has_dml |= stmt.kind is Kind.DML
            has_tx_control |= stmt.kind in (Kind.BEGIN, Kind.END)
        entry = Pending(b"Q", violation=violation, tags=tags if any(tags) else [])
        if self.status == b"I" and has_dml and not has_tx_control and violation is None:
            # An implicit transaction commits inside PostgreSQL before the stand-in sees the row counts:
            # run it as an explicit one so it can still be rolled back when it exceeds the row limit.
            pieces.insert(0, "BEGIN")
            entry.wrapped = entry.swallow_begin = changed = True
        if changed:
            msg = Message(b"Q", cstring(";\n".join(pieces)))
        self._send_up(msg.raw)
        self.pending.append(entry)
        self.awaiting_ready = True
