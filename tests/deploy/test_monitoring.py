"""Alarms and the dashboard that provision_stage creates and teardown_stage removes, on the moto server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.deploy.test_provision import client, leftovers, provision, run, settings_file  # noqa: F401

pytestmark = pytest.mark.slow

EXPECTED_ALARMS = {
    "vela-api-dev-dsql-probe-failures": ("Vela", "DsqlProbeSuccess", "FunctionName"),
    "vela-api-dev-lambda-errors": ("AWS/Lambda", "Errors", "FunctionName"),
    "vela-api-dev-lambda-throttles": ("AWS/Lambda", "Throttles", "FunctionName"),
    "vela-api-dev-lambda-duration-p99": ("AWS/Lambda", "Duration", "FunctionName"),
    "vela-api-dev-apigateway-5xx": ("AWS/ApiGateway", "5XXError", "ApiName"),
    "vela-api-dev-dynamodb-throttles": ("Vela", "DynamoDBThrottles", "FunctionName"),
    "vela-api-dev-dsql-occ-conflicts": ("AWS/AuroraDSQL", "OccConflicts", "ClusterId"),
    "vela-api-dev-dsql-query-timeouts": ("AWS/AuroraDSQL", "QueryTimeouts", "ClusterId"),
    "vela-api-dev-dsql-daily-dpu": ("AWS/AuroraDSQL", "TotalDPU", "ClusterId"),
}


def test_provision_creates_the_alarms_and_the_dashboard(aws_endpoint: str, settings_file: Path) -> None:  # noqa: F811
    output = provision(settings_file)

    cluster_id = json.loads(settings_file.read_text())["dev"]["aws_environment_variables"]["AURORA_DB_CLUSTER_ARN"]
    cluster_id = cluster_id.split("/")[-1]
    cloudwatch = client("cloudwatch", aws_endpoint)
    alarms = {a["AlarmName"]: a for a in cloudwatch.describe_alarms(AlarmNamePrefix="vela-api-dev-")["MetricAlarms"]}
    assert {name: (a["Namespace"], a["MetricName"], a["Dimensions"][0]["Name"]) for name, a in alarms.items()} == (
        EXPECTED_ALARMS
    )
    values = {a["Dimensions"][0]["Value"] for a in alarms.values()}
    assert values == {"vela-api-dev", cluster_id}
    duration = alarms["vela-api-dev-lambda-duration-p99"]
    assert (duration["ExtendedStatistic"], duration["Threshold"]) == ("p99", 48_000)  # 80 % of timeout_seconds 60
    probe = alarms["vela-api-dev-dsql-probe-failures"]
    assert (probe["ComparisonOperator"], probe["Threshold"], probe["TreatMissingData"]) == (
        "LessThanThreshold",
        0.9,
        "breaching",
    )
    body = json.loads(cloudwatch.get_dashboard(DashboardName="vela-api-dev")["DashboardBody"])
    titles = [w["properties"]["title"] for w in body["widgets"]]
    assert "DSQL probe: success rate and latency" in titles
    assert "Request latency p99 by route family" in titles
    assert json.dumps(body).count(cluster_id) == 5  # the DSQL widgets' AWS/AuroraDSQL metrics
    assert "dashboard vela-api-dev" in output
    assert set(json.loads(run("show_stage", settings_file, "--json"))["alarms"]) == set(EXPECTED_ALARMS)


def test_rerun_keeps_one_set_of_alarms(aws_endpoint: str, settings_file: Path) -> None:  # noqa: F811
    provision(settings_file)

    provision(settings_file)

    names = [a["AlarmName"] for a in client("cloudwatch", aws_endpoint).describe_alarms()["MetricAlarms"]]
    assert sorted(names) == sorted(EXPECTED_ALARMS)


def test_teardown_removes_alarms_and_dashboard_but_not_someone_elses(
    aws_endpoint: str,
    settings_file: Path,  # noqa: F811
) -> None:
    cloudwatch = client("cloudwatch", aws_endpoint)
    provision(settings_file)
    cloudwatch.put_metric_alarm(  # same prefix, not tagged as ours
        AlarmName="vela-api-dev-theirs",
        Namespace="AWS/Lambda",
        MetricName="Errors",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanThreshold",
    )

    run("teardown_stage", settings_file, "--yes", "--eni-wait", "0")

    assert [a["AlarmName"] for a in cloudwatch.describe_alarms()["MetricAlarms"]] == ["vela-api-dev-theirs"]
    cloudwatch.delete_alarms(AlarmNames=["vela-api-dev-theirs"])
    assert leftovers(aws_endpoint) == {}
