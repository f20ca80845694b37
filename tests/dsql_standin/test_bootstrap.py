"""The stand-in's database bootstrap when several processes start at once (pytest-xdist workers do)."""

from __future__ import annotations

import threading
import uuid

import psycopg

from dsql_standin.upstream import bootstrap_database
from tests.conftest import PG_HOST, PG_PORT, PG_SUPERUSER


def test_concurrent_bootstraps_of_a_new_database_all_succeed():
    """PostgreSQL answers the loser of two concurrent CREATE DATABASE of one name with a unique
    violation on pg_database's index (not DuplicateDatabase); every starter must take that as done."""
    database = f"vela_bootstrap_race_{uuid.uuid4().hex[:8]}"
    starters = 6
    barrier = threading.Barrier(starters)
    failures: list[BaseException] = []

    def start() -> None:
        barrier.wait()
        try:
            bootstrap_database(PG_HOST, PG_PORT, PG_SUPERUSER, None, "postgres", database, timeout=10)
        except BaseException as exc:  # collected and asserted below
            failures.append(exc)

    threads = [threading.Thread(target=start) for _ in range(starters)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert failures == []
        with psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_SUPERUSER, dbname=database) as conn:
            assert conn.execute("SELECT count(*) FROM sys.jobs").fetchone() is not None
    finally:
        with psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_SUPERUSER, dbname="postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
