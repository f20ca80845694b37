"""CloudWatch metrics as Embedded Metric Format (EMF) lines on stdout: CloudWatch Logs turns them into
metrics, so emitting one costs a JSON line and no network call (docs/deploy.md, "Metrics").

Records are built by Powertools' EMF provider (`EphemeralMetrics`: schema-checked units, names and
dimensions, no state shared between threads), once per metric/dimension set; each emission fills in the
timestamp and values. Each line is one `write` call, so lines from concurrent requests never
interleave. Every metric carries the `FunctionName` dimension (the Lambda function, or `local`), so
each stage's alarms see only their own data. Namespace: `settings.VELA_METRICS_NAMESPACE`.

Metric names are constants here; provisioning's alarms and dashboard (deploy/monitoring.py) use them.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from typing import Any

from django.conf import settings

DSQL_PROBE_SUCCESS = "DsqlProbeSuccess"  # 1 or 0 per probe: Average = success rate, SampleCount = probes
DSQL_PROBE_LATENCY = "DsqlProbeLatency"  # ms
DSQL_OCC_RETRIES = "DsqlOccRetries"  # one per retried optimistic-concurrency conflict
DSQL_OCC_EXHAUSTED = "DsqlOccExhausted"  # transactions that gave up
DYNAMODB_THROTTLES = "DynamoDBThrottles"  # by Table
DYNAMODB_ERRORS = "DynamoDBErrors"  # by Table: every other AWS failure (not ConditionalCheckFailed)
UPSTREAM_ERRORS = "UpstreamErrors"  # by Provider: 5xx/429 answers, timeouts, connection failures
REQUEST_LATENCY = "RequestLatency"  # ms, by RouteFamily

_write_lock = threading.Lock()
_templates: dict[tuple[Any, ...], dict[str, Any]] = {}
MAX_TEMPLATES = 512


def function_name() -> str:
    return settings.AWS_LAMBDA_FUNCTION_NAME or "local"


def emit(metrics: dict[str, tuple[float, str]], *, rollup: bool = False, **dimensions: str) -> None:
    """One EMF record: `metrics` maps name -> (value, unit); dimensions are added to FunctionName.
    `rollup`: also publish under FunctionName alone (one alarm over all tables/providers)."""
    if not settings.VELA_METRICS_ENABLED:
        return
    key = (
        settings.VELA_METRICS_NAMESPACE,
        function_name(),
        tuple((name, unit) for name, (_, unit) in metrics.items()),
        rollup,
        tuple(dimensions.items()),
    )
    template = _templates.get(key)
    if template is None:
        template = _template(metrics, rollup, dimensions)
        if len(_templates) < MAX_TEMPLATES:  # dimension values are a small fixed set; bound it anyway
            _templates[key] = template
    record = dict(template)
    record["_aws"] = {**template["_aws"], "Timestamp": int(time.time() * 1000)}
    for name, (value, _) in metrics.items():
        record[name] = [float(value)]
    write(record)


def _template(metrics: dict[str, tuple[float, str]], rollup: bool, dimensions: dict[str, str]) -> dict[str, Any]:
    """The record for this metric/dimension set, built and schema-checked by Powertools' EMF provider
    once; each emission then only sets the timestamp and values (Powertools would re-validate every unit
    and name per record: ~150 us per request here)."""
    from aws_lambda_powertools.metrics import EphemeralMetrics

    record = EphemeralMetrics(namespace=settings.VELA_METRICS_NAMESPACE)
    record.add_dimension("FunctionName", function_name())
    for dimension, dimension_value in dimensions.items():
        record.add_dimension(dimension, dimension_value)
    if rollup and dimensions:
        record.add_dimensions(FunctionName=function_name())
    for name, (value, unit) in metrics.items():
        record.add_metric(name=name, unit=unit, value=value)
    return dict(record.serialize_metric_set())


def write(blob: dict[str, Any]) -> None:
    line = json.dumps(blob, separators=(",", ":")) + "\n"
    with _write_lock:
        sys.stdout.write(line)
        sys.stdout.flush()


def count(name: str, *, rollup: bool = False, **dimensions: str) -> None:
    emit({name: (1, "Count")}, rollup=rollup, **dimensions)


# --- hooks called by the boundaries (cheap: they run only when something went wrong) ----------------


def dsql_probe(*, ok: bool, latency_ms: float) -> None:
    emit({DSQL_PROBE_SUCCESS: (1 if ok else 0, "Count"), DSQL_PROBE_LATENCY: (latency_ms, "Milliseconds")})


def dynamodb_failure(*, table: str, throttled: bool) -> None:
    """A DynamoDB call failed (not a condition check; vela.dynamodb.errors decides what throttling is)."""
    count(DYNAMODB_THROTTLES if throttled else DYNAMODB_ERRORS, rollup=True, Table=table)


def upstream_failure(*, provider: str) -> None:
    count(UPSTREAM_ERRORS, rollup=True, Provider=provider)


def request_latency(*, route_family: str, latency_ms: float) -> None:
    emit({REQUEST_LATENCY: (latency_ms, "Milliseconds")}, RouteFamily=route_family)


def occ_retry_receiver(sender: Any, *, using: str, exhausted: bool, **kwargs: Any) -> None:
    """Receiver of dsql_backend.signals.occ_conflict (the backend knows nothing of vela)."""
    count(DSQL_OCC_EXHAUSTED if exhausted else DSQL_OCC_RETRIES)
