"""The listener: ``StandIn`` accepts PostgreSQL clients and runs each connection as a ``relay.Session``
on its own thread; it also prepares the upstream database and forwards cancel requests."""

from __future__ import annotations

import logging
import socket
import ssl
import struct
import threading
from types import TracebackType
from typing import Self

from .config import StandInConfig
from .jobs import JobFinisher
from .protocol import CANCEL_REQUEST_CODE
from .relay import Session
from .upstream import bootstrap_database

__all__ = ["StandIn"]

log = logging.getLogger("dsql_standin")


class StandIn:
    """A local Aurora DSQL stand-in: ``with StandIn(config) as standin: ... standin.port ...``."""

    def __init__(self, config: StandInConfig) -> None:
        self.config = config
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._jobs: JobFinisher | None = None
        self._stopping = threading.Event()
        self._sessions: set[Session] = set()
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
        bootstrap_database(
            cfg.upstream_host,
            cfg.upstream_port,
            cfg.upstream_user,
            cfg.upstream_password,
            cfg.upstream_maintenance_database,
            cfg.upstream_database,
            cfg.connect_timeout,
        )
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
        self._jobs = JobFinisher(cfg, self._stopping)
        self._jobs.start()
        log.info(
            "DSQL stand-in listening on %s:%s for %s (%s), upstream %s:%s/%s",
            cfg.listen_host,
            self.port,
            cfg.cluster_hostname,
            cfg.region,
            cfg.upstream_host,
            cfg.upstream_port,
            cfg.upstream_database,
        )
        return self.port

    def stop(self) -> None:
        """Stop accepting, close every session and wait for the threads."""
        self._stopping.set()
        if self._listener is not None:
            self._listener.close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._jobs is not None:
            self._jobs.join(timeout=5)
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

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def connection_params(self, *, sslmode: str = "disable", ca_file: str | None = None) -> dict[str, object]:
        """libpq parameters (without user/password) to reach this stand-in under its DSQL hostname."""
        params: dict[str, object] = {
            "host": self.config.cluster_hostname,
            "hostaddr": self.config.listen_host,
            "port": self.port,
            "dbname": "postgres",
            "sslmode": sslmode,
        }
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
            session = Session(self, client, f"{addr[0]}:{addr[1]}")
            thread = threading.Thread(
                target=self._run_session, args=(session,), name="dsql-standin-session", daemon=True
            )
            with self._lock:
                self._sessions.add(session)
                self._threads.add(thread)
            thread.start()

    def _run_session(self, session: Session) -> None:
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
