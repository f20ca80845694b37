"""Connect + SELECT 1 + close through the DSQL stand-in: our `dsql_backend` vs AWS's `aurora-dsql-django`
vs Django's stock PostgreSQL backend, side by side in one run.

All three go through the same stand-in (which validates every IAM token, as DSQL does) in front of the
local PostgreSQL. Ours and aurora-dsql-django sign a token per connection; the stock backend cannot sign,
so it gets one static token (signed once, before timing) as PASSWORD - the cheapest possible client.
Rounds are interleaved in rotating order so machine noise hits all three alike.

    .venv/bin/python bench/dsql_adapters.py [--rounds 100]

Targets: ours <= 1.10x stock; ours >= 5x faster than aurora-dsql-django.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics

from _dsql_common import complete, connect_select_close
from django.db.backends.postgresql.base import DatabaseWrapper as StockWrapper

from dsql_backend.auth import generate_auth_token
from dsql_backend.base import DatabaseWrapper as OursWrapper
from dsql_standin import StandIn, StandInConfig

HOST = "vela0bench0cluster0abcdef.dsql.us-east-1.on.aws"
logging.getLogger("dsql_standin").setLevel(logging.WARNING)


def pool_close(wrapper_cls: type, settings_dict: dict) -> str:
    """Open a connection from the native pool and give it back; report what happens."""
    pooled = {**settings_dict, "OPTIONS": {**settings_dict["OPTIONS"], "pool": {"min_size": 1, "max_size": 2}}}
    wrapper = wrapper_cls(pooled, f"pool-{wrapper_cls.__module__}")
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT 1")
        wrapper.close()
        return f"ok (pool stats: {wrapper.pool.get_stats().get('pool_available', 0)} available after close)"
    except Exception as exc:  # the point is to show it
        return f"FAILS: {type(exc).__name__}: {exc}"
    finally:
        try:
            wrapper.close_pool()
        except Exception:  # noqa: S110 - best-effort cleanup after a deliberate failure
            pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=100)
    args = parser.parse_args()
    # Importing it patches AutoField/BigAutoField process-wide (its UUID default); harmless for SELECT 1.
    from aurora_dsql_django.base import DatabaseWrapper as AwsWrapper

    config = StandInConfig(
        credentials={os.environ["AWS_ACCESS_KEY_ID"]: os.environ["AWS_SECRET_ACCESS_KEY"]},
        cluster_hostname=HOST,
        upstream_database="vela_dsql_bench_standin",
    )
    with StandIn(config) as standin:
        common = {"NAME": "postgres", "PORT": standin.port, "USER": "admin", "CONN_MAX_AGE": 0, "HOST": HOST}
        options = {"hostaddr": standin.host, "sslmode": "disable", "connect_timeout": 5}
        static_token = generate_auth_token(host=HOST, region="us-east-1", user="admin", expires_in=900)
        contenders = {
            "dsql_backend (ours)": (OursWrapper, complete({**common, "ENGINE": "dsql_backend", "OPTIONS": options})),
            "aurora-dsql-django 0.7.0": (
                AwsWrapper,
                complete({**common, "ENGINE": "aurora_dsql_django", "OPTIONS": {**options, "region": "us-east-1"}}),
            ),
            "stock postgresql (static token)": (
                StockWrapper,
                complete(
                    {**common, "ENGINE": "django.db.backends.postgresql", "PASSWORD": static_token, "OPTIONS": options}
                ),
            ),
        }
        names = list(contenders)
        for _ in range(5):  # warm-up: imports, boto3 clients, server caches
            for name in names:
                connect_select_close(*contenders[name])
        timings: dict[str, list[float]] = {name: [] for name in names}
        for round_no in range(args.rounds):
            order = names[round_no % 3 :] + names[: round_no % 3]  # rotate who goes first
            for name in order:
                timings[name].append(connect_select_close(*contenders[name]))

        pool_results = {
            "dsql_backend (ours)": pool_close(OursWrapper, contenders["dsql_backend (ours)"][1]),
            "aurora-dsql-django 0.7.0": pool_close(AwsWrapper, contenders["aurora-dsql-django 0.7.0"][1]),
        }

    medians = {name: statistics.median(values) * 1000 for name, values in timings.items()}
    ours, aws, stock = (medians[name] for name in names)
    print(f"connect + SELECT 1 + close through the DSQL stand-in, median of {args.rounds} rotated rounds:")
    for name in names:
        p90 = statistics.quantiles(timings[name], n=10)[-1] * 1000
        print(f"  {name:34s} {medians[name]:8.3f} ms   (p90 {p90:8.3f} ms)")
    ratio_stock = ours / stock
    speedup = aws / ours
    verdict = "OK" if ratio_stock <= 1.10 else "MISSED"
    print(f"  ours / stock:               {ratio_stock:6.3f}x  (target <= 1.10x) {verdict}")
    print(f"  aurora-dsql-django / ours:  {speedup:6.2f}x  (target >= 5x)     {'OK' if speedup >= 5 else 'MISSED'}")
    print("Django native pool (OPTIONS['pool']), connect + SELECT 1 + close():")
    for name, result in pool_results.items():
        print(f"  {name:34s} {result}")


if __name__ == "__main__":
    main()
