"""EMF records on stdout, parsed back: the shape CloudWatch Logs extracts metrics from, and each hook
driven by the real thing where it can run here (the DSQL probe against PostgreSQL, OCC conflicts through
the DSQL stand-in, an HTTP fake upstream). DynamoDB throttling cannot be produced by moto: botocore's
Stubber answers with the throttling error on the real DynamoTable code."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import psycopg
import pytest
from botocore.stub import Stubber
from django.db import connections
from django.test import Client

from dsql_backend import transaction as dsql_tx
from health.services import dsql_probe
from tests.conftest import PG_HOST, PG_PORT, PG_SUPERUSER
from tests.dsql_support import STANDIN_UPSTREAM_DB
from tests.upstream import Reply
from vela import http, metrics
from vela.dynamodb import DynamoTable
from vela.errors import UpstreamError


@pytest.fixture(autouse=True)
def metrics_on(settings: Any) -> None:
    settings.VELA_METRICS_ENABLED = True  # the default on Lambda only


def emf_records(out: str) -> list[dict[str, Any]]:
    """Every EMF line of `out`, checked against the parts of the EMF specification CloudWatch needs."""
    records = []
    for line in out.splitlines():
        if not line.startswith('{"_aws"'):
            continue
        record = json.loads(line)
        meta = record["_aws"]
        assert isinstance(meta["Timestamp"], int)
        (directive,) = meta["CloudWatchMetrics"]
        assert directive["Namespace"] == "Vela"
        for dimension_set in directive["Dimensions"]:
            assert all(isinstance(record[name], str) for name in dimension_set)
        for metric in directive["Metrics"]:
            assert all(isinstance(v, float) for v in record[metric["Name"]])
        records.append(record)
    return records


def metric(records: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    found = []
    for record in records:
        directive = record["_aws"]["CloudWatchMetrics"][0]
        units = {m["Name"]: m["Unit"] for m in directive["Metrics"]}
        if name in units:
            found.append(
                {
                    "unit": units[name],
                    "values": record[name],
                    "dimensions": directive["Dimensions"][0],
                    **{d: record[d] for d in directive["Dimensions"][0]},
                }
            )
    return found


def test_each_request_emits_its_latency_by_route_family(capsys: pytest.CaptureFixture[str]) -> None:
    Client().get("/api/health")
    Client().get("/api/games/nope-this-is-not-a-route")

    latency = metric(emf_records(capsys.readouterr().out), metrics.REQUEST_LATENCY)
    assert [(m["RouteFamily"], m["unit"]) for m in latency] == [("health", "Milliseconds"), ("other", "Milliseconds")]
    assert latency[0]["dimensions"] == ["FunctionName", "RouteFamily"]
    assert latency[0]["FunctionName"] == "local"
    assert latency[0]["values"][0] > 0


def test_metrics_can_be_switched_off(capsys: pytest.CaptureFixture[str], settings: Any) -> None:
    settings.VELA_METRICS_ENABLED = False

    Client().get("/api/health")

    assert emf_records(capsys.readouterr().out) == []


def test_probe_success_and_latency(capsys: pytest.CaptureFixture[str], use_dsql: Any) -> None:
    use_dsql()

    result = dsql_probe()

    (record,) = [r for r in emf_records(capsys.readouterr().out) if metrics.DSQL_PROBE_SUCCESS in r]
    assert result.ok
    assert record[metrics.DSQL_PROBE_SUCCESS] == [1.0]
    assert record[metrics.DSQL_PROBE_LATENCY][0] == pytest.approx(result.latency_ms)
    assert record["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["FunctionName"]]


def test_probe_failure_counts_zero(capsys: pytest.CaptureFixture[str], no_dsql: None) -> None:
    dsql_probe()

    (found,) = metric(emf_records(capsys.readouterr().out), metrics.DSQL_PROBE_SUCCESS)
    assert found["values"] == [0.0]


@pytest.fixture
def contended_row(use_standin: Any) -> Iterator[str]:
    use_standin()
    name = f"occ_metric_{uuid.uuid4().hex[:10]}"
    with connections["dsql"].cursor() as cursor:
        cursor.execute(f"CREATE TABLE {name} (id bigint PRIMARY KEY, n bigint NOT NULL)")
        cursor.execute(f"INSERT INTO {name} VALUES (1, 0)")  # noqa: S608 - generated name
    yield name
    with psycopg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_SUPERUSER, dbname=STANDIN_UPSTREAM_DB, autocommit=True
    ) as raw:
        raw.execute(f"DROP TABLE IF EXISTS {name}")


def test_occ_retries_and_give_ups_are_counted(capsys: pytest.CaptureFixture[str], contended_row: str) -> None:
    def body() -> None:  # every attempt loses: another client commits to the row after our snapshot
        with connections["dsql"].cursor() as cursor:
            cursor.execute(f"SELECT n FROM {contended_row} WHERE id = 1")  # noqa: S608
            seen = cursor.fetchone()[0]
            with psycopg.connect(
                host=PG_HOST, port=PG_PORT, user=PG_SUPERUSER, dbname=STANDIN_UPSTREAM_DB, autocommit=True
            ) as other:
                other.execute(f"UPDATE {contended_row} SET n = n + 100 WHERE id = 1")  # noqa: S608
            cursor.execute(f"UPDATE {contended_row} SET n = %s WHERE id = 1", [seen + 1])  # noqa: S608

    with pytest.raises(dsql_tx.OCCRetriesExhausted):
        dsql_tx.run(body, "dsql", retries=2, base_delay=0.001, max_delay=0.002)

    records = emf_records(capsys.readouterr().out)
    assert len(metric(records, metrics.DSQL_OCC_RETRIES)) == 2
    assert len(metric(records, metrics.DSQL_OCC_EXHAUSTED)) == 1


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("ProvisionedThroughputExceededException", metrics.DYNAMODB_THROTTLES),
        ("InternalServerError", metrics.DYNAMODB_ERRORS),
    ],
)
def test_dynamodb_failures_are_counted_by_table(capsys: pytest.CaptureFixture[str], code: str, expected: str) -> None:
    client = boto3.client("dynamodb", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    table = DynamoTable("profiles", client=client)
    with Stubber(client) as stub:
        stub.add_client_error("get_item", service_error_code=code, http_status_code=400)
        with pytest.raises(UpstreamError):
            table.call("get_item", Key={"user_id": {"S": "u1"}})

    (record,) = emf_records(capsys.readouterr().out)
    (found,) = metric([record], expected)
    assert found["Table"] == "vela-profiles"
    assert found["values"] == [1.0]
    # also under FunctionName alone: one alarm covers every table
    assert record["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["FunctionName", "Table"], ["FunctionName"]]


def test_a_condition_check_is_not_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    from vela.dynamodb import ConditionFailed

    client = boto3.client("dynamodb", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stub:
        stub.add_client_error("put_item", service_error_code="ConditionalCheckFailedException", http_status_code=400)
        with pytest.raises(ConditionFailed):
            DynamoTable("profiles", client=client).call("put_item", Item={"user_id": {"S": "u1"}})

    assert emf_records(capsys.readouterr().out) == []


def test_upstream_errors_are_counted_by_provider(
    capsys: pytest.CaptureFixture[str], upstream: Any, settings: Any
) -> None:
    settings.ELEVENLABS_API_BASE_URL = f"{upstream.url}/eleven"
    settings.GOOGLE_API_BASE_URL = f"{upstream.url}/google"
    upstream.on("POST", "/google", Reply(status=503, body=b"{}"))
    upstream.on("POST", "/eleven", Reply(status=200, body=b"{}"))

    http.request("POST", f"{settings.GOOGLE_API_BASE_URL}/v1beta/models/x:generateContent", data=b"{}", timeout=5)
    http.request("POST", f"{settings.ELEVENLABS_API_BASE_URL}/v1/text-to-speech/v", data=b"{}", timeout=5)
    settings.OPENROUTER_API_BASE_URL = "http://127.0.0.1:9"  # nothing listens on the discard port
    with pytest.raises(Exception, match="Connection"):
        http.request("POST", "http://127.0.0.1:9/api/v1/chat/completions", data=b"{}", timeout=2)

    found = metric(emf_records(capsys.readouterr().out), metrics.UPSTREAM_ERRORS)
    assert [m["Provider"] for m in found] == ["gemini", "openrouter"]


@pytest.mark.parametrize(("function_name", "expected"), [("vela-api-dev", "True"), ("", "False")])
def test_metrics_are_on_by_default_only_on_lambda(function_name: str, expected: str) -> None:
    import subprocess
    import sys

    from django.conf import settings as django_settings

    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "vela.settings",
        "VELA_READ_DOT_ENV": "false",
        "AWS_LAMBDA_FUNCTION_NAME": function_name,
        "DJANGO_SECRET_KEY": "x" * 50,
    }
    code = "import django; django.setup(); from django.conf import settings; print(settings.VELA_METRICS_ENABLED)"
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=django_settings.BASE_DIR, check=False
    )

    assert result.stdout.strip() == expected, result.stderr
