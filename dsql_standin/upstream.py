"""The upstream side: opening a raw protocol connection to PostgreSQL, and preparing its database.

The raw connection speaks the startup/authentication phase itself (trust, cleartext, MD5 and
SCRAM-SHA-256) and hands back the socket positioned right after the first ReadyForQuery, together with
the ParameterStatus and BackendKeyData messages to replay to the client.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import socket
import struct
import time
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from .protocol import (
    Message,
    MessageBuffer,
    cstring,
    parse_error_fields,
    startup_message,
)

__all__ = ["UpstreamConnection", "UpstreamError", "bootstrap_database", "connect_upstream"]


class UpstreamError(Exception):
    """The upstream PostgreSQL refused or failed the connection; ``fields`` holds its ErrorResponse if any."""

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.fields = fields or {}


@dataclass
class UpstreamConnection:
    """An authenticated upstream socket plus what the client must see from the startup phase."""

    sock: socket.socket
    parameter_status: list[Message] = field(default_factory=list)
    backend_key: Message | None = None
    leftover: bytes = b""

    @property
    def backend_pid_secret(self) -> tuple[int, int] | None:
        if self.backend_key is None or len(self.backend_key.payload) < 8:
            return None
        pid, key = struct.unpack_from("!II", self.backend_key.payload, 0)
        return pid, key


def _recv_message(sock: socket.socket, buf: MessageBuffer) -> Message:
    while True:
        msg = buf.next_message()
        if msg is not None:
            return msg
        data = sock.recv(65536)
        if not data:
            raise UpstreamError("upstream closed the connection during startup")
        buf.feed(data)


def _scram(sock: socket.socket, buf: MessageBuffer, user: str, password: str, mechanisms: list[str]) -> None:
    if "SCRAM-SHA-256" not in mechanisms:
        raise UpstreamError(f"unsupported upstream SASL mechanisms {mechanisms}")
    nonce = base64.b64encode(secrets.token_bytes(18)).decode()
    first_bare = f"n=,r={nonce}"
    first = ("n,," + first_bare).encode()
    sock.sendall(Message(b"p", cstring("SCRAM-SHA-256") + struct.pack("!i", len(first)) + first).raw)
    msg = _recv_message(sock, buf)
    if msg.type == b"E":
        raise UpstreamError("upstream authentication failed", parse_error_fields(msg.payload))
    server_first = msg.payload[4:].decode()
    attrs = dict(item.split("=", 1) for item in server_first.split(","))
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(attrs["s"]), int(attrs["i"]))
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    final_no_proof = f"c=biws,r={attrs['r']}"
    auth_message = f"{first_bare},{server_first},{final_no_proof}".encode()
    signature = hmac.new(stored_key, auth_message, hashlib.sha256).digest()
    proof = base64.b64encode(bytes(a ^ b for a, b in zip(client_key, signature, strict=True))).decode()
    sock.sendall(Message(b"p", f"{final_no_proof},p={proof}".encode()).raw)


def connect_upstream(
    host: str,
    port: int,
    user: str,
    database: str,
    password: str | None,
    params: dict[str, str],
    timeout: float,
) -> UpstreamConnection:
    """Open and authenticate a raw upstream connection; raises UpstreamError or OSError."""
    sock = socket.create_connection((host, port), timeout=timeout)
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.sendall(startup_message({"user": user, "database": database, **params}))
        buf = MessageBuffer()
        conn = UpstreamConnection(sock)
        while True:
            msg = _recv_message(sock, buf)
            if msg.type == b"R":
                (code,) = struct.unpack_from("!I", msg.payload, 0)
                if code == 0 or code in (11, 12):  # ok, SASL continue/final handled below
                    continue
                if password is None:
                    raise UpstreamError("upstream requested a password but none is configured")
                if code == 3:
                    sock.sendall(Message(b"p", cstring(password)).raw)
                elif code == 5:
                    salt = msg.payload[4:8]
                    inner = hashlib.md5((password + user).encode()).hexdigest().encode()
                    sock.sendall(Message(b"p", cstring("md5" + hashlib.md5(inner + salt).hexdigest())).raw)
                elif code == 10:
                    mechanisms = [m.decode() for m in msg.payload[4:].split(b"\x00") if m]
                    _scram(sock, buf, user, password, mechanisms)
                else:
                    raise UpstreamError(f"unsupported upstream authentication method {code}")
            elif msg.type == b"S":
                conn.parameter_status.append(msg)
            elif msg.type == b"K":
                conn.backend_key = msg
            elif msg.type == b"E":
                raise UpstreamError("upstream refused the connection", parse_error_fields(msg.payload))
            elif msg.type == b"Z":
                conn.leftover = buf.take_all()
                sock.settimeout(None)
                return conn
            # NoticeResponse and NegotiateProtocolVersion are ignored during startup.
    except BaseException:
        sock.close()
        raise


_SCHEMA_SQL = r"""
CREATE SCHEMA IF NOT EXISTS sys;
CREATE SCHEMA IF NOT EXISTS dsql_standin;
CREATE TABLE IF NOT EXISTS dsql_standin.jobs (
    job_id text PRIMARY KEY,
    status text NOT NULL,
    details text,
    job_type text,
    class_id oid,
    object_id oid,
    object_name text,
    start_time timestamptz NOT NULL DEFAULT now(),
    update_time timestamptz NOT NULL DEFAULT now()
);
DO $fn$ BEGIN
    -- before sys.jobs had DSQL's columns it was a table: replace it by the view
    IF EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = 'sys' AND c.relname = 'jobs' AND c.relkind = 'r') THEN
        DROP TABLE sys.jobs;
    END IF;
END $fn$;
CREATE OR REPLACE VIEW sys.jobs AS
    SELECT job_id, status, details, job_type, class_id, object_id, object_name, start_time, update_time
    FROM dsql_standin.jobs;
CREATE OR REPLACE FUNCTION dsql_standin.run_async_job(p_job_type text, p_object text, p_sql text)
RETURNS text LANGUAGE plpgsql AS $fn$
DECLARE
    v_job_id text;
    v_status text := 'completed';
    v_details text := NULL;
    v_oid oid;
BEGIN
    -- DSQL job ids are 26 characters of base32 (a UUID's 16 bytes)
    SELECT string_agg(substr('abcdefghijklmnopqrstuvwxyz234567', 1 + floor(random() * 32)::int, 1), '')
      INTO v_job_id FROM generate_series(1, 26);
    BEGIN
        EXECUTE p_sql;
    EXCEPTION WHEN OTHERS THEN
        v_status := 'failed';
        v_details := SQLERRM || ' (SQLSTATE ' || SQLSTATE || ')';
    END;
    IF p_object <> '' THEN
        v_oid := to_regclass(p_object)::oid;
    END IF;
    IF v_status = 'completed' AND p_job_type = 'INDEX_BUILD' AND v_oid IS NOT NULL THEN
        -- built, but (as on DSQL) not valid until the job is over: waited for, or finish_jobs() after a while
        BEGIN
            UPDATE pg_catalog.pg_index SET indisvalid = false WHERE indexrelid = v_oid;
            v_status := 'processing';
        EXCEPTION WHEN insufficient_privilege THEN
            NULL;  -- the upstream user may not write the catalog: the index is simply valid at once
        END;
    END IF;
    INSERT INTO dsql_standin.jobs (job_id, status, details, job_type, class_id, object_id, object_name,
                                   start_time, update_time)
    VALUES (v_job_id, v_status, v_details, p_job_type, 'pg_class'::regclass::oid, v_oid, nullif(p_object, ''),
            now(), clock_timestamp());
    RETURN v_job_id;
END
$fn$;
CREATE OR REPLACE FUNCTION dsql_standin.finish_job(p_job_id text) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
    UPDATE pg_catalog.pg_index SET indisvalid = true
     WHERE indexrelid = (SELECT object_id FROM dsql_standin.jobs WHERE job_id = p_job_id AND status = 'processing');
    UPDATE dsql_standin.jobs SET status = 'completed', update_time = clock_timestamp()
     WHERE job_id = p_job_id AND status = 'processing';
END
$fn$;
CREATE OR REPLACE FUNCTION dsql_standin.finish_jobs(p_older_than interval) RETURNS integer LANGUAGE plpgsql AS $fn$
DECLARE
    v_job record;
    v_count integer := 0;
BEGIN
    FOR v_job IN SELECT job_id FROM dsql_standin.jobs
                  WHERE status = 'processing' AND update_time < clock_timestamp() - p_older_than LOOP
        PERFORM dsql_standin.finish_job(v_job.job_id);
        v_count := v_count + 1;
    END LOOP;
    RETURN v_count;
END
$fn$;
CREATE OR REPLACE PROCEDURE sys.wait_for_job(IN job_id text, INOUT wait_for_job boolean DEFAULT NULL)
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
    v_status text;
    v_finished boolean := false;
BEGIN
    IF wait_for_job.job_id IS NULL OR wait_for_job.job_id !~ '^[a-z2-7]{26}$' THEN
        RAISE EXCEPTION USING ERRCODE = '22P02', MESSAGE = 'Unable to convert text to UUID';
    END IF;
    BEGIN
        PERFORM dsql_standin.finish_job(wait_for_job.job_id);  -- waiting is what finishes a job here
    EXCEPTION WHEN serialization_failure THEN
        v_finished := true;  -- the background finisher finished it under our snapshot
    END;
    SELECT j.status INTO v_status FROM dsql_standin.jobs AS j WHERE j.job_id = wait_for_job.job_id;
    IF v_finished AND v_status = 'processing' THEN
        v_status := 'completed';
    END IF;
    -- DSQL answers whether the job succeeded: false for a failed (or unknown) job, no error
    wait_for_job := coalesce(v_status = 'completed', false);
END
$fn$;
"""


def bootstrap_database(
    host: str, port: int, user: str, password: str | None, maintenance_db: str, database: str, timeout: float
) -> None:
    """Create ``database`` if missing and install ``sys.jobs`` (a view), ``sys.wait_for_job`` and the job helper."""
    common: dict[str, Any] = {"host": host, "port": port, "user": user, "connect_timeout": max(1, int(timeout))}
    if password is not None:
        common["password"] = password
    with psycopg.connect(dbname=maintenance_db, autocommit=True, **common) as conn:
        for attempt in range(20):
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone():
                break
            try:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
                break
            except (psycopg.errors.DuplicateDatabase, psycopg.errors.UniqueViolation):
                # Another process created it between our check and our CREATE: PostgreSQL answers the
                # loser of that race with a unique violation on pg_database's name index, not 42P04.
                break
            except psycopg.errors.ObjectInUse:  # another process is copying template1 right now
                if attempt == 19:
                    raise
                time.sleep(0.1)
    with psycopg.connect(dbname=database, autocommit=True, **common) as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext('dsql_standin_bootstrap'))")
        try:
            conn.execute(_SCHEMA_SQL)
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtext('dsql_standin_bootstrap'))")
