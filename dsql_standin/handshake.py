"""The startup phase of a client connection: TLS negotiation, the startup packet, the IAM token check and
the upstream connection. On success the relay takes over with the (possibly TLS-wrapped) client socket and
an authenticated upstream connection; on failure the client has its FATAL error and the socket is done.
"""

from __future__ import annotations

import logging
import re
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from .config import StandInConfig
from .errors import ERRORS, DsqlError
from .protocol import (
    CANCEL_REQUEST_CODE,
    GSSENC_REQUEST_CODE,
    SSL_REQUEST_CODE,
    Message,
    MessageBuffer,
    auth_request,
    error_response,
    negotiate_protocol_version,
    parse_startup_params,
)
from .token import TokenError, validate_token
from .upstream import UpstreamConnection, UpstreamError, connect_upstream

__all__ = ["Accepted", "Closed", "Handshake", "fatal"]

log = logging.getLogger("dsql_standin")

_ACTION_RE = re.compile(r"[?&]Action=([A-Za-z]{1,32})(?:&|$)")
# Startup parameters passed through to PostgreSQL; everything else from the client is dropped.
_PASS_PARAMS = {
    "application_name",
    "client_encoding",
    "datestyle",
    "timezone",
    "extra_float_digits",
    "intervalstyle",
    "search_path",
}


class Closed(Exception):
    """The session is over (either side went away or the stand-in closed it)."""


@dataclass
class Accepted:
    """A client that passed the handshake, and its upstream connection."""

    client: socket.socket
    upstream: UpstreamConnection
    user: str
    pending_bytes: bytes  # client bytes already read past the password message


def fatal(sock: socket.socket, error: DsqlError | TokenError, detail: str | None = None) -> None:
    """Send a FATAL ErrorResponse (best effort: the client may be gone)."""
    extra = detail if isinstance(error, TokenError) else (detail or error.detail)
    msg = error_response(error.sqlstate, error.message, severity="FATAL", detail=extra)
    try:
        sock.sendall(msg.raw)
    except OSError:
        pass


def _upstream_options(config: StandInConfig) -> str:
    options = {"default_transaction_isolation": "repeatable read", **dict(config.extra_startup_options)}
    return " ".join(f"-c {k}={v.replace(chr(92), chr(92) * 2).replace(' ', chr(92) + ' ')}" for k, v in options.items())


class Handshake:
    """Runs the startup phase for one client socket (see the module docstring)."""

    def __init__(
        self,
        client: socket.socket,
        peer: str,
        config: StandInConfig,
        ssl_context: ssl.SSLContext | None,
        forward_cancel: Callable[[bytes], None],
    ) -> None:
        self.client = client
        self.peer = peer
        self.config = config
        self.ssl_context = ssl_context
        self.forward_cancel = forward_cancel
        self.buf = MessageBuffer()

    def _recv(self) -> bytes:
        data = self.client.recv(65536)
        if not data:
            raise Closed("client closed the connection")
        return data

    def _read_startup_packet(self) -> bytes:
        while (body := self.buf.next_untyped()) is None:
            self.buf.feed(self._recv())
        return body

    def _read_message(self) -> Message:
        while (msg := self.buf.next_message()) is None:
            self.buf.feed(self._recv())
        return msg

    def _wrap_tls(self) -> None:
        if self.ssl_context is None:
            raise Closed("TLS requested but not configured")
        self.client = self.ssl_context.wrap_socket(self.client, server_side=True)

    def _negotiate(self) -> tuple[int, dict[str, str]] | None:
        """TLS/GSS negotiation up to the StartupMessage; None for a CancelRequest (forwarded)."""
        tls_done = False
        if self.config.tls_enabled and self.client.recv(1, socket.MSG_PEEK) == b"\x16":  # sslnegotiation=direct
            self._wrap_tls()
            tls_done = True
        while True:
            body = self._read_startup_packet()
            protocol, params = parse_startup_params(body)
            if protocol == SSL_REQUEST_CODE and not tls_done and self.config.tls_enabled:
                self.client.sendall(b"S")
                self._wrap_tls()
                tls_done = True
            elif protocol in (SSL_REQUEST_CODE, GSSENC_REQUEST_CODE):
                self.client.sendall(b"N")
            elif protocol == CANCEL_REQUEST_CODE:
                self.forward_cancel(body[4:12])
                return None
            else:
                return protocol, params

    def _authenticate(self, user: str) -> bool:
        self.client.sendall(auth_request(3).raw)
        msg = self._read_message()
        if msg.type != b"p":
            fatal(self.client, ERRORS["protocol"], "expected a password message")
            return False
        token = msg.payload.rstrip(b"\x00").decode("utf-8", "replace")
        cfg = self.config
        try:
            claims = validate_token(
                token,
                user=user,
                hostname=cfg.cluster_hostname,
                region=cfg.region,
                credentials=cfg.credentials,
                clock_skew=timedelta(seconds=cfg.clock_skew_seconds),
                allowed_roles=cfg.allowed_roles,
            )
        except TokenError as exc:
            action = _ACTION_RE.search(token)
            log.warning(
                "rejected connection from %s: user=%s action=%s check=%s reason=%s",
                self.peer,
                user,
                action.group(1) if action else "-",
                exc.check,
                exc.message,
            )
            fatal(self.client, exc)
            return False
        log.info(
            "accepted connection from %s: user=%s action=%s access_key_id=%s",
            self.peer,
            user,
            claims.action,
            claims.access_key_id,
        )
        return True

    def run(self) -> Accepted | None:
        cfg = self.config
        self.client.settimeout(cfg.connect_timeout)
        negotiated = self._negotiate()
        if negotiated is None:
            return None
        protocol, params = negotiated
        major, minor = protocol >> 16, protocol & 0xFFFF
        if major != 3:
            fatal(self.client, DsqlError("0A000", f"unsupported frontend protocol {major}.{minor}", "FATAL"))
            return None
        unsupported = [k for k in params if k.startswith("_pq_.")]
        if minor != 0 or unsupported:
            self.client.sendall(negotiate_protocol_version(0, unsupported).raw)
        user = params.get("user", "")
        if not self._authenticate(user):
            return None
        upstream_params = {k: v for k, v in params.items() if k.lower() in _PASS_PARAMS}
        upstream_params["options"] = _upstream_options(cfg)
        try:
            conn = connect_upstream(
                cfg.upstream_host,
                cfg.upstream_port,
                cfg.upstream_user,
                cfg.upstream_database,
                cfg.upstream_password,
                upstream_params,
                cfg.connect_timeout,
            )
        except (OSError, UpstreamError) as exc:
            fields = getattr(exc, "fields", {})
            log.error("upstream connection failed for user=%s: %s %s", user, exc, fields.get("M", ""))
            fatal(self.client, ERRORS["upstream_unavailable"], fields.get("M") or str(exc))
            return None
        return Accepted(self.client, conn, user, self.buf.take_all())
