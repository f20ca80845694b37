"""Background completion of ASYNC jobs: an index built by ``CREATE INDEX ASYNC`` stays ``processing`` (and
INVALID, as on DSQL while the job runs) until a client waits for it or ``async_job_seconds`` have passed."""

from __future__ import annotations

import logging
import threading

import psycopg

from .config import StandInConfig

__all__ = ["JobFinisher"]

log = logging.getLogger("dsql_standin")


class JobFinisher:
    """A daemon thread finishing jobs older than ``config.async_job_seconds`` (one upstream connection)."""

    def __init__(self, config: StandInConfig, stopping: threading.Event) -> None:
        self.config = config
        self.stopping = stopping
        self.thread = threading.Thread(target=self._run, name="dsql-standin-jobs", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def join(self, timeout: float) -> None:
        self.thread.join(timeout)

    def _connect(self) -> psycopg.Connection[tuple[object, ...]]:
        cfg = self.config
        return psycopg.connect(
            host=cfg.upstream_host,
            port=cfg.upstream_port,
            user=cfg.upstream_user,
            password=cfg.upstream_password,
            dbname=cfg.upstream_database,
            autocommit=True,
            connect_timeout=max(1, int(cfg.connect_timeout)),
            application_name="dsql-standin-jobs",
        )

    def _run(self) -> None:
        age = max(0.0, self.config.async_job_seconds)
        conn: psycopg.Connection[tuple[object, ...]] | None = None
        while not self.stopping.wait(min(0.5, age) or 0.5):
            try:
                if conn is None or conn.closed:
                    conn = self._connect()
                conn.execute("SELECT dsql_standin.finish_jobs(make_interval(secs => %s))", (age,))
            except psycopg.Error as exc:
                log.debug("could not finish async jobs: %s", exc)
                if conn is not None:
                    conn.close()
                conn = None
        if conn is not None:
            conn.close()
