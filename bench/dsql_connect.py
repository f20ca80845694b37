"""Connect + SELECT 1 through the `dsql` backend vs Django's stock PostgreSQL backend, side by side.

Both hit the same local PostgreSQL in one run, interleaved so machine noise hits both alike.
Prints medians, the ratio (target <= 1.10x) and the median token-signing time.

    .venv/bin/python bench/dsql_connect.py [--rounds 200]
"""

from __future__ import annotations

import argparse
import statistics
import time

import psycopg
from _dsql_common import complete, connect_select_close
from django.db.backends.postgresql.base import DatabaseWrapper as StockWrapper

from dsql_backend.auth import generate_auth_token
from dsql_backend.base import DatabaseWrapper as DsqlWrapper

HOST = "vela0bench0cluster0abcdef.dsql.us-east-1.on.aws"
DATABASE = "vela_bench"


def settings_for(engine: str) -> dict:
    base = {"ENGINE": engine, "NAME": DATABASE, "PORT": 5432, "USER": "admin", "CONN_MAX_AGE": 0}
    if engine == "dsql_backend":
        base |= {"HOST": HOST, "REGION": "us-east-1", "OPTIONS": {"hostaddr": "127.0.0.1", "sslmode": "disable"}}
    else:
        base |= {"HOST": "127.0.0.1", "OPTIONS": {"sslmode": "disable", "connect_timeout": 5}}
    return complete(base)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    with psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone():
            conn.execute(f'CREATE DATABASE "{DATABASE}"')
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = 'admin'").fetchone():
            conn.execute("CREATE ROLE admin LOGIN SUPERUSER")

    ours, stock = settings_for("dsql_backend"), settings_for("django.db.backends.postgresql")
    unshared = settings_for("dsql_backend") | {"REUSE_TOKEN_WITHIN_SECOND": False}
    for _ in range(10):  # warm-up: imports, boto3 client, server caches
        connect_select_close(DsqlWrapper, ours)
        connect_select_close(StockWrapper, stock)
    ours_t, stock_t, unshared_t = [], [], []
    for round_no in range(args.rounds):
        unshared_t.append(connect_select_close(DsqlWrapper, unshared))
        # ABBA order: neither side always runs first (warm caches favour the second runner).
        if round_no % 2:
            stock_t.append(connect_select_close(StockWrapper, stock))
            ours_t.append(connect_select_close(DsqlWrapper, ours))
        else:
            ours_t.append(connect_select_close(DsqlWrapper, ours))
            stock_t.append(connect_select_close(StockWrapper, stock))

    signing = []
    for _ in range(1000):
        started = time.perf_counter()
        generate_auth_token(host=HOST, region="us-east-1", user="admin")
        signing.append(time.perf_counter() - started)

    ours_ms, stock_ms = statistics.median(ours_t) * 1000, statistics.median(stock_t) * 1000
    unshared_ms = statistics.median(unshared_t) * 1000
    ratio = ours_ms / stock_ms
    print(f"connect+SELECT 1, median of {args.rounds} interleaved (ABBA) rounds (local PostgreSQL):")
    print(f"  dsql backend (default):              {ours_ms:8.3f} ms")
    print(f"  dsql backend, signing every connect: {unshared_ms:8.3f} ms  ({unshared_ms / stock_ms:.3f}x stock)")
    print(f"  stock postgresql backend:            {stock_ms:8.3f} ms")
    print(
        f"  ratio dsql/stock:                    {ratio:8.3f}x  (target <= 1.10x) {'OK' if ratio <= 1.10 else 'MISSED'}"
    )
    print(f"token signing, median of 1000:         {statistics.median(signing) * 1e6:8.1f} us")


if __name__ == "__main__":
    main()
