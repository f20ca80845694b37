"""The stand-in server: accepts PostgreSQL clients, checks DSQL IAM tokens, relays to PostgreSQL and
enforces DSQL's rules on the way.

One thread per client connection runs a ``select`` loop over the client and upstream sockets. Client
messages are inspected before they are forwarded; upstream responses are attributed to the client message
that caused them (a queue of pending requests), which lets the stand-in substitute errors, count modified
rows and track the transaction status exactly.

How rule violations reach the client: the offending message is replaced by an ``Execute`` of a portal that
does not exist (extended protocol) or by ``EXECUTE <missing prepared statement>`` (simple protocol). The
upstream PostgreSQL then fails *at exactly that position* -- aborting the transaction, skipping to ``Sync``
and reporting the right ``ReadyForQuery`` status -- and the stand-in rewrites that error into DSQL's.
"""

from __future__ import annotations

import logging
import re
import select
import socket
import ssl
import struct
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from types import TracebackType
from typing import Self

from .config import StandInConfig
from .protocol import (
    CANCEL_REQUEST_CODE,
    GSSENC_REQUEST_CODE,
    SSL_REQUEST_CODE,
    Message,
    MessageBuffer,
    auth_request,
    build_error,
    cstring,
    error_response,
    negotiate_protocol_version,
    parse_error_fields,
    parse_startup_params,
    ready_for_query,
)
from .sql import ERRORS, DsqlError, Kind, split_statements_cached
from .token import TokenError, validate_token
from .upstream import (
    UpstreamConnection,
    UpstreamError,
    bootstrap_database,
    connect_upstream,
)

__all__ = ["StandIn"]

log = logging.getLogger("dsql_standin")

MARKER = "_dsql_standin_violation"
_POISON_EXECUTE = Message(b"E", cstring(MARKER) + struct.pack("!I", 0))
_POISON_SQL = f"EXECUTE {MARKER}"
_ACTION_RE = re.compile(r"[?&]Action=([A-Za-z]{1,32})(?:&|$)")
_ROW_TAGS = {"INSERT", "UPDATE", "DELETE", "MERGE", "COPY"}
# Startup parameters passed through to PostgreSQL; everything else from the client is dropped.
_PASS_PARAMS = {"application_name", "client_encoding", "datestyle", "timezone", "extra_float_digits",
                "intervalstyle", "search_path"}


class _Closed(Exception):
    """The session is over (either side went away or the stand-in closed it)."""


@dataclass
class _Pending:
    """A request forwarded upstream whose responses have not all arrived."""

    type: bytes
    internal: bool = False
    violation: DsqlError | None = None
    wrapped: bool = False
    swallow_begin: bool = False
    failed: bool = False
    over_limit: bool = False
    forward_errors: bool = False
    on_ready: Callable[[bytes], None] | None = None


@dataclass
class _TxRules:
    """DDL/DML bookkeeping for the current (explicit or implicit) transaction."""

    ddl: int = 0
    dml: bool = False
    rows: int = 0


@dataclass
class _Prepared:
    kind: Kind = Kind.OTHER


class _Session:
    """One client connection."""

    def __init__(self, server: StandIn, client: socket.socket, peer: str) -> None:
        self.server = server
        self.config = server.config
        self.client: socket.socket = client
        self.peer = peer
        self.up: socket.socket | None = None
        self.cbuf = MessageBuffer()
        self.ubuf = MessageBuffer()
        self.c_out = bytearray()
        self.up_out = bytearray()
        self.held: deque[Message] = deque()
        self.pending: deque[_Pending] = deque()
        self.status = b"I"
        self.sim_status = b"I"
        self.awaiting_ready = False
        self.flush_sent = False
        self.batch_failed = False
        self.discard = False
        self.copy_in = False
        self.tx = _TxRules()
        self.statements: dict[bytes, _Prepared] = {}
        self.portals: dict[bytes, _Prepared] = {}
        self.started = time.monotonic()
        self.user = ""
        self.key: tuple[int, int] | None = None
        self.closed = threading.Event()

    # ---- lifecycle -------------------------------------------------------------------------------------------
    def run(self) -> None:
        try:
            if self._startup():
                self._relay()
        except (_Closed, OSError, ssl.SSLError, ValueError) as exc:
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

    # ---- client I/O ------------------------------------------------------------------------------------------
    def _recv_client(self) -> bytes:
        data = self.client.recv(65536)
        if not data:
            raise _Closed("client closed the connection")
        return data

    def _read_startup_packet(self) -> bytes:
        while True:
            body = self.cbuf.next_untyped()
            if body is not None:
                return body
            self.cbuf.feed(self._recv_client())

    def _read_client_message(self) -> Message:
        while True:
            msg = self.cbuf.next_message()
            if msg is not None:
                return msg
            self.cbuf.feed(self._recv_client())

    def _to_client(self, msg: Message) -> None:
        self.c_out += msg.raw

    def _flush_client(self) -> None:
        if self.c_out:
            data, self.c_out = bytes(self.c_out), bytearray()
            self.client.sendall(data)

    def _fatal(self, error: DsqlError | TokenError, detail: str | None = None) -> None:
        if isinstance(error, TokenError):
            msg = error_response(error.sqlstate, error.message, severity="FATAL", detail=detail)
        else:
            msg = error_response(error.sqlstate, error.message, severity="FATAL", detail=detail or error.detail)
        self._to_client(msg)
        try:
            self._flush_client()
        except OSError:
            pass

    # ---- startup ---------------------------------------------------------------------------------------------
    def _startup(self) -> bool:
        cfg = self.config
        self.client.settimeout(cfg.connect_timeout)
        tls_done = False
        if cfg.tls_enabled and self.client.recv(1, socket.MSG_PEEK) == b"\x16":  # direct TLS (sslnegotiation=direct)
            self._wrap_tls()
            tls_done = True
        while True:
            body = self._read_startup_packet()
            protocol, params = parse_startup_params(body)
            if protocol == SSL_REQUEST_CODE and not tls_done:
                if cfg.tls_enabled:
                    self.client.sendall(b"S")
                    self._wrap_tls()
                    tls_done = True
                else:
                    self.client.sendall(b"N")
                continue
            if protocol in (SSL_REQUEST_CODE, GSSENC_REQUEST_CODE):
                self.client.sendall(b"N")
                continue
            if protocol == CANCEL_REQUEST_CODE:
                self.server._forward_cancel(body[4:12])
                return False
            break
        major, minor = protocol >> 16, protocol & 0xFFFF
        if major != 3:
            self._fatal(DsqlError("0A000", f"unsupported frontend protocol {major}.{minor}", "FATAL"))
            return False
        unsupported = [k for k in params if k.startswith("_pq_.")]
        if minor != 0 or unsupported:
            self._to_client(negotiate_protocol_version(0, unsupported))
        user = params.get("user", "")
        self.user = user
        self._to_client(auth_request(3))
        self._flush_client()
        msg = self._read_client_message()
        if msg.type != b"p":
            self._fatal(ERRORS["protocol"], "expected a password message")
            return False
        token = msg.payload.rstrip(b"\x00").decode("utf-8", "replace")
        try:
            claims = validate_token(
                token, user=user, hostname=cfg.cluster_hostname, region=cfg.region, credentials=cfg.credentials,
                clock_skew=timedelta(seconds=cfg.clock_skew_seconds), allowed_roles=cfg.allowed_roles,
            )
        except TokenError as exc:
            action = _ACTION_RE.search(token)
            log.warning("rejected connection from %s: user=%s action=%s check=%s reason=%s", self.peer, user,
                        action.group(1) if action else "-", exc.check, exc.message)
            self._fatal(exc)
            return False
        del token
        upstream_params = {k: v for k, v in params.items() if k.lower() in _PASS_PARAMS}
        options = {"default_transaction_isolation": "repeatable read", **dict(cfg.extra_startup_options)}
        upstream_params["options"] = " ".join(
            f"-c {k}={v.replace(chr(92), chr(92) * 2).replace(' ', chr(92) + ' ')}" for k, v in options.items()
        )
        try:
            conn = connect_upstream(cfg.upstream_host, cfg.upstream_port, cfg.upstream_user, cfg.upstream_database,
                                    cfg.upstream_password, upstream_params, cfg.connect_timeout)
        except (OSError, UpstreamError) as exc:
            fields = getattr(exc, "fields", {})
            log.error("upstream connection failed for user=%s: %s %s", user, exc, fields.get("M", ""))
            self._fatal(ERRORS["upstream_unavailable"], fields.get("M") or str(exc))
            return False
        log.info("accepted connection from %s: user=%s action=%s access_key_id=%s database=%s", self.peer, user,
                 claims.action, claims.access_key_id, params.get("database", user))
        self._attach(conn)
        return True

    def _wrap_tls(self) -> None:
        ctx = self.server._ssl_context
        assert ctx is not None
        self.client = ctx.wrap_socket(self.client, server_side=True)

    def _attach(self, conn: UpstreamConnection) -> None:
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

    # ---- relay loop ------------------------------------------------------------------------------------------
    def _relay(self) -> None:
        assert self.up is not None
        max_age = self.config.max_connection_age
        while not self.server._stopping.is_set():
            age = time.monotonic() - self.started
            if age >= max_age:
                log.info("closing connection of user=%s: maximum age %.0fs reached", self.user, max_age)
                self._fatal(ERRORS["max_age"].format(seconds=f"{max_age:g}"))
                return
            pending_tls = isinstance(self.client, ssl.SSLSocket) and self.client.pending() > 0
            wlist = [self.up] if self.up_out else []
            readable, writable, _ = select.select(
                [self.client, self.up], wlist, [], 0 if pending_tls else min(0.5, max_age - age)
            )
            if writable:
                self._pump_upstream()
            if pending_tls or self.client in readable:
                self.cbuf.feed(self._recv_client())
                while (msg := self.cbuf.next_message()) is not None:
                    self.held.append(msg)
            if self.up in readable:
                try:
                    data = self.up.recv(65536)
                except BlockingIOError:
                    data = None
                if data == b"":
                    self._flush_client()
                    raise _Closed("upstream closed the connection")
                if data:
                    self.ubuf.feed(data)
                    while (msg := self.ubuf.next_message()) is not None:
                        self._on_upstream(msg)
            self._process_client()
            self._flush_client()

    def _send_up(self, data: bytes) -> None:
        self.up_out += data
        self._pump_upstream()

    def _pump_upstream(self) -> None:
        assert self.up is not None
        try:
            while self.up_out:
                sent = self.up.send(self.up_out)
                del self.up_out[:sent]
        except BlockingIOError:
            pass

    # ---- client -> upstream ----------------------------------------------------------------------------------
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
            if t in (b"S", b"Q", b"F"):
                if self.pending:
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
            raise _Closed("client terminated")
        if self.batch_failed and t != b"S":
            return  # the client already got an error for this batch: PostgreSQL would skip it too
        if t == b"Q":
            self._handle_query(msg)
        elif t == b"P":
            self._handle_parse(msg)
        elif t == b"B":
            portal, _, rest = msg.payload.partition(b"\x00")
            stmt_name = rest.partition(b"\x00")[0]
            self.portals[portal] = self.statements.get(stmt_name, _Prepared())
            self._forward(msg)
        elif t == b"E":
            portal = msg.payload.partition(b"\x00")[0]
            violation = self._tx_rules(self.portals.get(portal, _Prepared()).kind)
            if violation is not None:
                self._send_up(_POISON_EXECUTE.raw)
                self.pending.append(_Pending(b"E", violation=violation))
            else:
                self._forward(msg)
        elif t in (b"D", b"C"):
            if t == b"C" and msg.payload[:1] == b"S":
                self.statements.pop(msg.payload[1:].partition(b"\x00")[0], None)
            self._forward(msg)
        elif t == b"S":
            if self.batch_failed:
                self._send_up(_POISON_EXECUTE.raw)
                self.pending.append(_Pending(b"E", internal=True))
            self._forward(msg)
            self.awaiting_ready = True
        elif t == b"F":
            self._forward(msg)
            self.awaiting_ready = True
        else:
            self._send_up(msg.raw)  # Flush and anything without a response of its own

    def _forward(self, msg: Message) -> None:
        self._send_up(msg.raw)
        self.pending.append(_Pending(msg.type))

    def _tx_rules(self, kind: Kind) -> DsqlError | None:
        """Apply DSQL's per-transaction DDL rules to a statement about to run; track BEGIN/COMMIT."""
        if kind is Kind.END:
            self.sim_status = b"I"
            self.tx = _TxRules()
            return None
        if self.sim_status == b"E":
            return None  # PostgreSQL rejects everything but ROLLBACK in a failed transaction anyway
        if kind is Kind.BEGIN:
            if self.sim_status == b"I":
                self.tx = _TxRules()
            self.sim_status = b"T"
        elif kind is Kind.DDL:
            if self.tx.ddl:
                return ERRORS["multiple_ddl"]
            if self.tx.dml:
                return ERRORS["ddl_dml_mix"]
            self.tx.ddl += 1
        elif kind is Kind.DML:
            if self.tx.ddl:
                return ERRORS["ddl_dml_mix"]
            self.tx.dml = True
        return None

    def _handle_parse(self, msg: Message) -> None:
        name, _, rest = msg.payload.partition(b"\x00")
        query_bytes, _, types = rest.partition(b"\x00")
        statements = split_statements_cached(query_bytes.decode("utf-8", "replace"))
        stmt = statements[0] if len(statements) == 1 else None
        if stmt is not None and stmt.violation is not None:
            self.statements.pop(name, None)
            self._send_up(_POISON_EXECUTE.raw)
            self.pending.append(_Pending(b"P", violation=stmt.violation))
            return
        self.statements[name] = _Prepared(stmt.kind if stmt is not None else Kind.OTHER)
        if stmt is not None and stmt.rewrite is not None:
            msg = Message(b"P", name + b"\x00" + stmt.rewrite.encode() + b"\x00" + types)
        self._forward(msg)

    def _handle_query(self, msg: Message) -> None:
        text = msg.payload.rstrip(b"\x00").decode("utf-8", "replace")
        statements = split_statements_cached(text)
        pieces: list[str] = []
        changed = False
        violation: DsqlError | None = None
        has_dml = has_tx_control = False
        for stmt in statements:
            if stmt.kind is Kind.EMPTY:
                continue
            violation = stmt.violation or self._tx_rules(stmt.kind)
            if violation is not None:
                pieces.append(_POISON_SQL)
                changed = True
                break
            if stmt.rewrite is not None:
                pieces.append(stmt.rewrite)
                changed = True
            else:
                pieces.append(stmt.text.rstrip().rstrip(";"))
            has_dml |= stmt.kind is Kind.DML
            has_tx_control |= stmt.kind in (Kind.BEGIN, Kind.END)
        entry = _Pending(b"Q", violation=violation)
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

    # ---- upstream -> client ----------------------------------------------------------------------------------
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
            if self.status == b"I":
                self.tx = _TxRules()
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
            if t in (b"1", b"2", b"3", b"n", b"T", b"C", b"I", b"s") and head.type not in (b"Q", b"S"):
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
            if self._count_rows(msg.payload, head):
                return
        if not self.discard:
            self._to_client(msg)
        if head.type in (b"Q", b"S", b"F"):
            return
        if head.type == b"D" and t == b"t":
            return
        if t in (b"1", b"2", b"3", b"n", b"T", b"C", b"I", b"s"):
            self.pending.popleft()

    def _count_rows(self, payload: bytes, head: _Pending) -> bool:
        """Track modified rows from a CommandComplete tag; True if the stand-in replaced it with an error."""
        words = payload.rstrip(b"\x00").decode("ascii", "replace").split()
        if not words:
            return False
        if words[0] in ("COMMIT", "ROLLBACK"):
            self.tx = _TxRules()
            return False
        if words[0] not in _ROW_TAGS or not words[-1].isdigit():
            return False
        self.tx.rows += int(words[-1])
        if self.tx.rows <= self.config.row_limit or self.discard:
            return False
        err = ERRORS["row_limit"].format(limit=self.config.row_limit)
        log.info("user=%s exceeded the transaction row limit (%d rows)", self.user, self.tx.rows)
        self._to_client(error_response(err.sqlstate, err.message, detail=err.detail))
        head.failed = head.over_limit = True
        self.discard = True
        if head.type != b"Q":
            self.batch_failed = True
            if head.type == b"E":
                self.pending.popleft()
        return True

    def _on_error(self, head: _Pending, msg: Message) -> None:
        fields = parse_error_fields(msg.payload)
        if head.violation is not None and (head.type != b"Q" or (fields.get("C") == "26000"
                                                                 and MARKER in fields.get("M", ""))):
            v = head.violation
            msg = error_response(v.sqlstate, v.message, severity=v.severity, detail=v.detail)
        elif fields.get("C") == "40001" and self.config.annotate_occ_errors:
            occ = ERRORS["occ_conflict"]
            fields = {**fields, "M": occ.message, "D": fields.get("M", "")}
            msg = build_error(fields)
        head.failed = True
        forward = (not head.internal or head.forward_errors) and not self.discard
        if forward:
            self._to_client(msg)
        if head.type not in (b"Q", b"S", b"F"):
            # Extended protocol: PostgreSQL now skips everything up to the next Sync.
            while self.pending and self.pending[0].type not in (b"Q", b"S", b"F"):
                self.pending.popleft()

    def _client_ready_for(self, head: _Pending, status: bytes) -> None:
        if head.type == b"Q" and head.wrapped:
            finish = b"ROLLBACK" if head.failed or status == b"E" else b"COMMIT"
            self._internal_query(finish.decode(), forward_errors=True, then=lambda _st: self._ready(b"I"))
            return
        if head.type == b"Q" and head.over_limit and status == b"T":
            self._internal_query(_POISON_SQL, forward_errors=False, then=self._ready)
            return
        self._ready(status)

    def _internal_query(self, sql: str, *, forward_errors: bool, then: Callable[[bytes], None]) -> None:
        self.discard = False if forward_errors else self.discard
        self._send_up(Message(b"Q", cstring(sql)).raw)
        self.pending.append(_Pending(b"Q", internal=True, forward_errors=forward_errors, on_ready=then))

    def _ready(self, status: bytes) -> None:
        self._to_client(ready_for_query(status))
        self.sim_status = status
        self.awaiting_ready = self.discard = self.batch_failed = self.copy_in = False
        if status == b"I":
            self.tx = _TxRules()


class StandIn:
    """A local Aurora DSQL stand-in: ``with StandIn(config) as standin: ... standin.port ...``."""

    def __init__(self, config: StandInConfig) -> None:
        self.config = config
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._sessions: set[_Session] = set()
        self._threads: set[threading.Thread] = set()
        self._keys: set[tuple[int, int]] = set()
        self._lock = threading.Lock()
        self._ssl_context: ssl.SSLContext | None = None
        self.port: int | None = None

    @property
    def host(self) -> str:
        return self.config.listen_host

    def start(self) -> int:
        """Prepare the upstream database, start listening and return the bound port."""
        cfg = self.config
        bootstrap_database(cfg.upstream_host, cfg.upstream_port, cfg.upstream_user, cfg.upstream_password,
                           cfg.upstream_maintenance_database, cfg.upstream_database, cfg.connect_timeout)
        if cfg.tls_enabled:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.minimum_version = ssl.TLSVersion.TLSv1_2
            ctx.load_cert_chain(str(cfg.tls_cert_file), str(cfg.tls_key_file))
            ctx.set_alpn_protocols(["postgresql"])
            self._ssl_context = ctx
        listener = socket.create_server((cfg.listen_host, cfg.listen_port), reuse_port=False)
        listener.settimeout(0.2)
        self._listener = listener
        self.port = listener.getsockname()[1]
        self._stopping.clear()
        self._thread = threading.Thread(target=self._accept_loop, name="dsql-standin-accept", daemon=True)
        self._thread.start()
        log.info("DSQL stand-in listening on %s:%s for %s (%s), upstream %s:%s/%s", cfg.listen_host, self.port,
                 cfg.cluster_hostname, cfg.region, cfg.upstream_host, cfg.upstream_port, cfg.upstream_database)
        return self.port

    def stop(self) -> None:
        """Stop accepting, close every session and wait for the threads."""
        self._stopping.set()
        if self._listener is not None:
            self._listener.close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        with self._lock:
            sessions = list(self._sessions)
            threads = list(self._threads)
        for session in sessions:
            session.kill()
        for thread in threads:
            thread.join(timeout=5)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def connection_params(self, *, sslmode: str = "disable", ca_file: str | None = None) -> dict[str, object]:
        """libpq parameters (without user/password) to reach this stand-in under its DSQL hostname."""
        params: dict[str, object] = {"host": self.config.cluster_hostname, "hostaddr": self.config.listen_host,
                                     "port": self.port, "dbname": "postgres", "sslmode": sslmode}
        if ca_file is not None:
            params["sslrootcert"] = ca_file
        return params

    # ---- internals -------------------------------------------------------------------------------------------
    def _accept_loop(self) -> None:
        assert self._listener is not None
        while not self._stopping.is_set():
            try:
                client, addr = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                break
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            session = _Session(self, client, f"{addr[0]}:{addr[1]}")
            thread = threading.Thread(target=self._run_session, args=(session,), name="dsql-standin-session",
                                      daemon=True)
            with self._lock:
                self._sessions.add(session)
                self._threads.add(thread)
            thread.start()

    def _run_session(self, session: _Session) -> None:
        try:
            session.run()
        finally:
            with self._lock:
                self._sessions.discard(session)
                self._threads.discard(threading.current_thread())

    def _register(self, key: tuple[int, int]) -> None:
        with self._lock:
            self._keys.add(key)

    def _unregister(self, key: tuple[int, int]) -> None:
        with self._lock:
            self._keys.discard(key)

    def _forward_cancel(self, key_bytes: bytes) -> None:
        """Pass a CancelRequest on to PostgreSQL if it names one of our sessions' backends."""
        if len(key_bytes) < 8:
            return
        key = struct.unpack("!II", key_bytes[:8])
        with self._lock:
            known = key in self._keys
        if not known:
            log.info("ignored a cancel request for an unknown backend")
            return
        try:
            with socket.create_connection((self.config.upstream_host, self.config.upstream_port), timeout=5) as s:
                s.sendall(struct.pack("!III", 16, CANCEL_REQUEST_CODE, 0)[:8] + key_bytes[:8])
        except OSError as exc:
            log.warning("could not forward a cancel request: %s", exc)
