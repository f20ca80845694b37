"""`manage.py dsql_check`: run the DSQL probe once or N times and summarise."""

from __future__ import annotations

import json
import statistics
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from health.services import dsql_is_configured, dsql_probe


class Command(BaseCommand):
    help = "Probe Aurora DSQL (new connection + SELECT 1) and report success rate and latency."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=1, help="number of probes (default 1)")
        parser.add_argument("--interval", type=float, default=0.0, help="seconds between probes")
        parser.add_argument("--timeout", type=float, default=None, help="per-probe bound in seconds (default 5)")
        parser.add_argument(
            "--min-success", type=float, default=99.0, help="fail below this success rate, in percent (default 99)"
        )
        parser.add_argument("--json", action="store_true", help="print one JSON document instead of text")

    def handle(self, *args: Any, **options: Any) -> None:
        count, min_success = options["count"], options["min_success"]
        if count < 1:
            raise CommandError("--count must be at least 1")
        if not 0 <= min_success <= 100:
            raise CommandError("--min-success is a percentage between 0 and 100")
        if not dsql_is_configured():
            raise CommandError("AURORA_DB_ENDPOINT is not configured: set it to the cluster hostname.", returncode=2)

        results = []
        for index in range(count):
            result = dsql_probe(timeout=options["timeout"])
            results.append(result)
            if result.cause == "config":
                raise CommandError(f"DSQL is misconfigured: {result.error}", returncode=2)
            if not options["json"]:
                outcome = "ok" if result.ok else f"FAILED ({result.cause}): {result.error}"
                self.stdout.write(f"[{index + 1}/{count}] {result.latency_ms:.1f} ms {outcome}")
            if options["interval"] and index + 1 < count:
                time.sleep(options["interval"])

        summary = summarise(results)
        if options["json"]:
            self.stdout.write(json.dumps({"summary": summary, "probes": [r.as_dict() for r in results]}))
        else:
            self.stdout.write(
                f"endpoint={summary['endpoint']} user={summary['user']} probes={summary['count']} "
                f"success={summary['success_rate']:.1f}% p50={summary['p50_ms']:.1f} ms p95={summary['p95_ms']:.1f} ms"
            )
        if summary["success_rate"] < min_success:
            raise CommandError(
                f"DSQL success rate {summary['success_rate']:.1f}% is below the required {min_success:g}%"
            )


def summarise(results: list[Any]) -> dict[str, Any]:
    latencies = sorted(r.latency_ms for r in results)
    successes = sum(r.ok for r in results)
    return {
        "endpoint": results[0].endpoint,
        "user": results[0].user,
        "count": len(results),
        "successes": successes,
        "success_rate": 100.0 * successes / len(results),
        "p50_ms": statistics.median(latencies),
        "p95_ms": percentile(latencies, 95),
    }


def percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    rank = max(1, -(-len(sorted_values) * pct // 100))
    return sorted_values[int(rank) - 1]
