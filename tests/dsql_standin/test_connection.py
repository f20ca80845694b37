"""Connecting through the stand-in: IAM tokens on the wire, TLS, startup-phase requests, max age, logging."""

from __future__ import annotations

import logging
import os
import socket
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import boto3
import psycopg
import pytest

from dsql_standin import StandIn, TlsFiles

from .conftest import (
    ACCESS_KEY_ID,
    HOSTNAME,
    REGION,
    SECRET_KEY,
    Connect,
    base_config,
    make_token,
)


@pytest.mark.parametrize("user", ["admin", "vela_app"])
def test_valid_token_select_1(connect: Connect, user: str) -> None:
    conn = connect(user)
    assert conn.execute("SELECT 1").fetchone() == (1,)
    assert conn.execute("SELECT %s::int + 1", (41,)).fetchone() == (42,)


def test_every_database_name_maps_to_the_upstream_database(connect: Connect, standin: StandIn) -> None:
    a = connect(dbname="postgres").execute("SELECT current_database()").fetchone()
    b = connect(dbname="anything_else").execute("SELECT current_database()").fetchone()
    assert a == b == (standin.config.upstream_database,)


def test_tls_verify_full_with_generated_ca(connect: Connect, tls_files: TlsFiles) -> None:
    conn = connect("admin", sslmode="verify-full", sslrootcert=str(tls_files.ca_cert))
    assert conn.info.pgconn.ssl_in_use
    assert conn.execute("SELECT 1").fetchone() == (1,)


def test_tls_verify_full_rejects_a_foreign_ca(connect: Connect, tmp_path: Path) -> None:
    from dsql_standin import generate_tls_files

    other = generate_tls_files(tmp_path / "other")
    with pytest.raises(psycopg.OperationalError, match="certificate verify failed"):
        connect("admin", sslmode="verify-full", sslrootcert=str(other.ca_cert))


def test_sslmode_require_fails_when_tls_is_off(dsql_client: Any) -> None:
    with StandIn(base_config()) as plain, pytest.raises(psycopg.OperationalError, match="does not support SSL"):
        psycopg.connect(
            host=HOSTNAME,
            hostaddr="127.0.0.1",
            port=plain.port,
            user="admin",
            dbname="postgres",
            password=make_token(dsql_client, "admin"),
            sslmode="require",
            connect_timeout=5,
        )


def _reject(connect: Connect, match: str, user: str = "admin", **kwargs: Any) -> str:
    with pytest.raises(psycopg.OperationalError, match=match) as info:
        connect(user, **kwargs)
    return str(info.value)


def test_expired_token_rejected(connect: Connect, dsql_client: Any) -> None:
    token = make_token(dsql_client, "admin", expires=1)
    time.sleep(1.1)
    _reject(connect, "Signature expired", password=token)


def test_tampered_signature_rejected(connect: Connect, dsql_client: Any) -> None:
    token = make_token(dsql_client, "admin")
    _reject(connect, "signature does not match", password=token[:-4] + "abcd")


def test_wrong_host_rejected(connect: Connect, dsql_client: Any) -> None:
    token = make_token(dsql_client, "admin", hostname="another00000000.dsql.us-east-1.on.aws")
    _reject(connect, "token was generated for host", password=token)


def test_wrong_region_rejected(connect: Connect, dsql_client: Any) -> None:
    _reject(connect, "signed for region 'eu-west-1'", password=make_token(dsql_client, "admin", region="eu-west-1"))


def test_unknown_access_key_rejected(connect: Connect) -> None:
    other = boto3.client(
        "dsql", region_name=REGION, aws_access_key_id="AKIAOTHER00000000000", aws_secret_access_key="x"
    )
    _reject(connect, "AKIAOTHER00000000000.*not allowed", password=make_token(other, "admin"))


def test_admin_with_user_token_rejected(connect: Connect, dsql_client: Any) -> None:
    _reject(connect, "requires a DbConnectAdmin token", password=make_token(dsql_client, "vela_app"))


def test_user_with_admin_token_rejected(connect: Connect, dsql_client: Any) -> None:
    _reject(connect, "requires a DbConnect token", "vela_app", password=make_token(dsql_client, "admin"))


def test_unknown_role_rejected(connect: Connect) -> None:
    _reject(connect, 'role "ghost" does not exist', "ghost")


def test_logs_never_contain_the_token(connect: Connect, dsql_client: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="dsql_standin")
    good = make_token(dsql_client, "admin")
    bad = make_token(dsql_client, "vela_app")
    connect("admin", password=good).execute("SELECT 1")
    with pytest.raises(psycopg.OperationalError):
        connect("admin", password=bad)
    deadline = time.monotonic() + 2
    while "rejected connection" not in caplog.text and time.monotonic() < deadline:
        time.sleep(0.02)
    assert "accepted connection" in caplog.text
    assert "user=admin" in caplog.text
    assert "rejected connection" in caplog.text
    assert "action=DbConnect check=action" in caplog.text
    for token in (good, bad):
        assert token.rsplit("X-Amz-Signature=", 1)[1] not in caplog.text
        assert token not in caplog.text


def _startup_request(port: int, code: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(struct.pack("!II", 8, code))
        return s.recv(1)


def test_gssenc_request_is_declined(standin: StandIn) -> None:
    assert standin.port is not None
    assert _startup_request(standin.port, 80877104) == b"N"


def test_ssl_request_answered_s_when_tls_is_configured(standin: StandIn) -> None:
    assert standin.port is not None
    assert _startup_request(standin.port, 80877103) == b"S"


def test_cancel_request_reaches_postgresql(connect: Connect) -> None:
    conn = connect("admin")
    timer = threading.Timer(0.3, conn.cancel_safe)
    timer.start()
    try:
        with pytest.raises(psycopg.errors.QueryCanceled):
            conn.execute("SELECT pg_sleep(5)")
    finally:
        timer.cancel()
    assert conn.execute("SELECT 1").fetchone() == (1,)


def test_connection_closed_after_max_age(dsql_client: Any) -> None:
    with StandIn(base_config(max_connection_age=0.6)) as short:
        conn = psycopg.connect(
            host=HOSTNAME,
            hostaddr="127.0.0.1",
            port=short.port,
            user="admin",
            dbname="postgres",
            password=make_token(dsql_client, "admin"),
            sslmode="disable",
            autocommit=True,
        )
        assert conn.execute("SELECT 1").fetchone() == (1,)
        time.sleep(0.9)
        with pytest.raises(psycopg.OperationalError, match=r"maximum duration of 0\.6 seconds"):
            conn.execute("SELECT 1")
        assert conn.closed or conn.broken
        conn.close()


def test_cli_help() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "dsql_standin", "--help"],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=30,
    ).stdout
    for flag in ("--listen", "--upstream", "--hostname", "--region", "--max-age", "--tls", "--row-limit"):
        assert flag in out


def test_cli_serves_connections(dsql_client: Any) -> None:
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dsql_standin",
            "--listen",
            "127.0.0.1:0",
            "--hostname",
            HOSTNAME,
            "--upstream-database",
            "vela_dsql_standin_test",
        ],
        cwd=root,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "AWS_ACCESS_KEY_ID": ACCESS_KEY_ID, "AWS_SECRET_ACCESS_KEY": SECRET_KEY},
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert "listening on 127.0.0.1:" in line, line
        port = int(line.split("listening on 127.0.0.1:")[1].split()[0])
        with psycopg.connect(
            host=HOSTNAME,
            hostaddr="127.0.0.1",
            port=port,
            user="admin",
            dbname="postgres",
            password=make_token(dsql_client, "admin"),
            sslmode="disable",
        ) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_direct_tls_negotiation(connect: Connect, tls_files: TlsFiles) -> None:
    if psycopg.pq.version() < 170000:
        pytest.skip("sslnegotiation=direct needs libpq >= 17")
    conn = connect("admin", sslmode="verify-full", sslrootcert=str(tls_files.ca_cert), sslnegotiation="direct")
    assert conn.info.pgconn.ssl_in_use
    assert conn.execute("SELECT 1").fetchone() == (1,)


def _raw_login(port: int, user: str, token: str) -> tuple[socket.socket, list[tuple[bytes, bytes]]]:
    """Speak the startup protocol by hand; return the socket and the messages up to ReadyForQuery/Error."""
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    body = (
        struct.pack("!I", 196608)
        + b"user\x00"
        + user.encode()
        + b"\x00database\x00postgres\x00"
        + b"application_name\x00raw-probe\x00\x00"
    )
    s.sendall(struct.pack("!I", len(body) + 4) + body)
    buf, messages = b"", []
    while True:
        while len(buf) < 5 or len(buf) < 1 + struct.unpack("!I", buf[1:5])[0]:
            chunk = s.recv(65536)
            if not chunk:
                return s, messages
            buf += chunk
        length = struct.unpack("!I", buf[1:5])[0]
        mtype, payload, buf = buf[:1], buf[5 : 1 + length], buf[1 + length :]
        messages.append((mtype, payload))
        if mtype == b"R" and payload[:4] == struct.pack("!I", 3):
            pw = token.encode() + b"\x00"
            s.sendall(b"p" + struct.pack("!I", len(pw) + 4) + pw)
        if mtype in (b"Z", b"E"):
            return s, messages


def test_rejection_is_a_proper_fatal_error_response(standin: StandIn, dsql_client: Any) -> None:
    assert standin.port is not None
    sock, messages = _raw_login(standin.port, "admin", make_token(dsql_client, "admin", region="us-west-2"))
    sock.close()
    assert [m[0] for m in messages] == [b"R", b"E"]
    fields = {f[:1]: f[1:].decode() for f in messages[-1][1].split(b"\x00") if f}
    assert fields[b"S"] == fields[b"V"] == "FATAL"
    assert fields[b"C"] == "28P01"
    assert fields[b"M"].startswith("unable to accept connection, access denied: token was signed for region")


def test_abrupt_client_disconnect_releases_the_upstream_backend(
    standin: StandIn, dsql_client: Any, raw: psycopg.Connection[Any]
) -> None:
    assert standin.port is not None
    sock, messages = _raw_login(standin.port, "admin", make_token(dsql_client, "admin"))
    assert messages[-1] == (b"Z", b"I")
    assert b"K" in [m[0] for m in messages]
    assert b"S" in [m[0] for m in messages]

    def backends() -> int:
        row = raw.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'raw-probe'").fetchone()
        return int(row[0]) if row else -1

    assert backends() == 1
    sock.close()  # no Terminate message
    deadline = time.monotonic() + 5
    while backends() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert backends() == 0


def test_concurrent_clients(connect: Connect, raw: psycopg.Connection[Any], table: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    conns = [connect("admin" if i % 2 else "vela_app") for i in range(8)]

    def work(i: int) -> int:
        conn = conns[i]
        for j in range(20):
            conn.execute(f"INSERT INTO {table} (id, v) VALUES (%s, %s)", (i * 100 + j, "c"))
        row = conn.execute(f"SELECT count(*) FROM {table} WHERE id / 100 = %s", (i,)).fetchone()
        return int(row[0]) if row else -1

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(work, range(8))) == [20] * 8
    assert raw.execute(f"SELECT count(*) FROM {table}").fetchone() == (160,)
