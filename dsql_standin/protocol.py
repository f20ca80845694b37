"""PostgreSQL v3 wire-protocol framing: message reading and the few messages the stand-in builds itself."""

from __future__ import annotations

import struct
from dataclasses import dataclass

__all__ = [
    "CANCEL_REQUEST_CODE",
    "GSSENC_REQUEST_CODE",
    "PROTOCOL_3_0",
    "SSL_REQUEST_CODE",
    "Message",
    "MessageBuffer",
    "auth_request",
    "build_error",
    "cstring",
    "error_response",
    "negotiate_protocol_version",
    "parse_error_fields",
    "parse_startup_params",
    "ready_for_query",
    "startup_message",
]

SSL_REQUEST_CODE = 80877103
GSSENC_REQUEST_CODE = 80877104
CANCEL_REQUEST_CODE = 80877102
PROTOCOL_3_0 = 196608


@dataclass(frozen=True)
class Message:
    """One typed protocol message; ``raw`` is the full frame (type byte + length + payload)."""

    type: bytes
    payload: bytes

    @property
    def raw(self) -> bytes:
        return self.type + struct.pack("!I", len(self.payload) + 4) + self.payload

    @classmethod
    def build(cls, type_: bytes, payload: bytes = b"") -> Message:
        return cls(type_, payload)


class MessageBuffer:
    """Accumulates bytes from a socket and yields complete typed messages."""

    def __init__(self) -> None:
        self._buf = bytearray()

    def feed(self, data: bytes) -> None:
        self._buf += data

    def next_message(self) -> Message | None:
        if len(self._buf) < 5:
            return None
        (length,) = struct.unpack_from("!I", self._buf, 1)
        if length < 4:
            raise ValueError("invalid message length")
        end = 1 + length
        if len(self._buf) < end:
            return None
        msg = Message(bytes(self._buf[0:1]), bytes(self._buf[5:end]))
        del self._buf[:end]
        return msg

    def next_untyped(self) -> bytes | None:
        """Next startup-phase packet (length-prefixed, no type byte); returns the body after the length."""
        if len(self._buf) < 4:
            return None
        (length,) = struct.unpack_from("!I", self._buf, 0)
        if length < 8 or length > 10_000:
            raise ValueError("invalid startup packet length")
        if len(self._buf) < length:
            return None
        body = bytes(self._buf[4:length])
        del self._buf[:length]
        return body

    def take_all(self) -> bytes:
        data = bytes(self._buf)
        self._buf.clear()
        return data

    def __len__(self) -> int:
        return len(self._buf)


def cstring(value: str) -> bytes:
    return value.encode("utf-8") + b"\x00"


def build_error(fields: dict[str, str]) -> Message:
    payload = b"".join(code.encode("ascii") + cstring(value) for code, value in fields.items()) + b"\x00"
    return Message(b"E", payload)


def error_response(
    sqlstate: str, message: str, *, severity: str = "ERROR", detail: str | None = None, hint: str | None = None
) -> Message:
    """An ErrorResponse the way PostgreSQL/DSQL send it (S, V, C, M[, D, H])."""
    fields = {"S": severity, "V": severity, "C": sqlstate, "M": message}
    if detail:
        fields["D"] = detail
    if hint:
        fields["H"] = hint
    return build_error(fields)


def parse_error_fields(payload: bytes) -> dict[str, str]:
    fields: dict[str, str] = {}
    for part in payload.split(b"\x00"):
        if part:
            fields[chr(part[0])] = part[1:].decode("utf-8", "replace")
    return fields


def ready_for_query(status: bytes) -> Message:
    return Message(b"Z", status)


def auth_request(code: int, extra: bytes = b"") -> Message:
    return Message(b"R", struct.pack("!I", code) + extra)


def parse_startup_params(body: bytes) -> tuple[int, dict[str, str]]:
    """Split a StartupMessage body (after the length) into (protocol, parameters)."""
    (protocol,) = struct.unpack_from("!I", body, 0)
    parts = body[4:].split(b"\x00")
    params: dict[str, str] = {}
    for i in range(0, len(parts) - 1, 2):
        if not parts[i]:
            break
        params[parts[i].decode("utf-8", "replace")] = parts[i + 1].decode("utf-8", "replace")
    return protocol, params


def startup_message(params: dict[str, str]) -> bytes:
    body = struct.pack("!I", PROTOCOL_3_0) + b"".join(cstring(k) + cstring(v) for k, v in params.items()) + b"\x00"
    return struct.pack("!I", len(body) + 4) + body


def negotiate_protocol_version(minor: int, unsupported: list[str]) -> Message:
    payload = struct.pack("!II", minor, len(unsupported)) + b"".join(cstring(name) for name in unsupported)
    return Message(b"v", payload)
