"""CloudWatch alarms and one dashboard per stage, created by provision_stage and removed by teardown_stage.

Alarms are named `vela-api-<stage>-<what>` and tagged like everything else the stage owns; teardown
deletes only alarms with that prefix *and* the stage's tags. The dashboard is `vela-api-<stage>`.
They watch the app's own EMF metrics (namespace `Vela`, vela/metrics.py), Lambda, API Gateway and the
metrics Aurora DSQL publishes (`AWS/AuroraDSQL`, dimension `ClusterId`; docs/deploy.md cites the list).
No alarm has an action: subscribe an SNS topic to them (docs/deploy.md, "Monitoring").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from vela import metrics

from .ec2 import Say
from .errors import aws_call
from .naming import Stage

APP_NAMESPACE = "Vela"


@dataclass(frozen=True, slots=True)
class Watched:
    """What the alarms point at: the function, its REST API, the DSQL cluster, the Lambda timeout."""

    function_name: str
    api_name: str
    cluster_id: str
    timeout_seconds: int
    daily_dpu_budget: float = 100_000.0


def _alarm(
    stage: Stage,
    what: str,
    description: str,
    *,
    namespace: str,
    metric: str,
    dimensions: dict[str, str],
    threshold: float,
    comparison: str = "GreaterThanThreshold",
    statistic: str = "Sum",
    period: int = 300,
    evaluation_periods: int = 1,
    missing: str = "notBreaching",
) -> dict[str, Any]:
    alarm: dict[str, Any] = {
        "AlarmName": f"{stage.function_name}-{what}",
        "AlarmDescription": description,
        "Namespace": namespace,
        "MetricName": metric,
        "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions.items()],
        "Period": period,
        "EvaluationPeriods": evaluation_periods,
        "Threshold": threshold,
        "ComparisonOperator": comparison,
        "TreatMissingData": missing,
        "Tags": stage.tag_list(),
    }
    if statistic.startswith("p"):
        alarm["ExtendedStatistic"] = statistic
    else:
        alarm["Statistic"] = statistic
    return alarm


def alarms(stage: Stage, watched: Watched) -> list[dict[str, Any]]:
    """Every alarm of the stage, as PutMetricAlarm arguments."""
    function = {"FunctionName": watched.function_name}
    cluster = {"ClusterId": watched.cluster_id}
    lam, app, dsql = "AWS/Lambda", APP_NAMESPACE, "AWS/AuroraDSQL"
    return [
        _alarm(stage, "dsql-probe-failures",
               "Scheduled DSQL probe: under 90 % success in 15 min (2+ of 15 failed), or no probe ran (SC-002).",
               namespace=app, metric=metrics.DSQL_PROBE_SUCCESS, dimensions=function, statistic="Average",
               threshold=0.9, comparison="LessThanThreshold", period=900, missing="breaching"),
        _alarm(stage, "lambda-errors", "More than 5 failed invocations in 5 min.",
               namespace=lam, metric="Errors", dimensions=function, threshold=5),
        _alarm(stage, "lambda-throttles", "Any throttled invocation in 5 min (concurrency limit).",
               namespace=lam, metric="Throttles", dimensions=function, threshold=0),
        _alarm(stage, "lambda-duration-p99",
               f"p99 duration above 80 % of the {watched.timeout_seconds} s timeout for 15 min.",
               namespace=lam, metric="Duration", dimensions=function, statistic="p99",
               threshold=watched.timeout_seconds * 800, evaluation_periods=3),
        _alarm(stage, "apigateway-5xx", "More than 5 API Gateway 5xx answers in 5 min.",
               namespace="AWS/ApiGateway", metric="5XXError", dimensions={"ApiName": watched.api_name}, threshold=5),
        _alarm(stage, "dynamodb-throttles",
               "DynamoDB calls still throttled after the SDK's retries, all tables (app metric).",
               namespace=app, metric=metrics.DYNAMODB_THROTTLES, dimensions=function, threshold=0),
        _alarm(stage, "dsql-occ-conflicts", "More than 50 DSQL OCC aborts per 5 min for 15 min.",
               namespace=dsql, metric="OccConflicts", dimensions=cluster, threshold=50, evaluation_periods=3),
        _alarm(stage, "dsql-query-timeouts", "Any DSQL query hit the maximum transaction time.",
               namespace=dsql, metric="QueryTimeouts", dimensions=cluster, threshold=0),
        _alarm(stage, "dsql-daily-dpu", f"DSQL used more than {watched.daily_dpu_budget:,.0f} DPUs in a day.",
               namespace=dsql, metric="TotalDPU", dimensions=cluster, threshold=watched.daily_dpu_budget,
               period=86400),
    ]  # fmt: skip


def _widget(title: str, metrics_: list[list[Any]], x: int, y: int, **properties: Any) -> dict[str, Any]:
    return {
        "type": "metric",
        "x": x,
        "y": y,
        "width": 12,
        "height": 6,
        "properties": {"title": title, "metrics": metrics_, "period": 300, "view": "timeSeries", **properties},
    }


def dashboard(stage: Stage, watched: Watched) -> dict[str, Any]:
    """The stage's dashboard body: probe, requests, Lambda, API Gateway, DynamoDB, upstreams, DSQL."""
    fn, region = watched.function_name, stage.region
    cluster = ["ClusterId", watched.cluster_id]
    by_family = (
        f'SEARCH(\'{{{APP_NAMESPACE},FunctionName,RouteFamily}} FunctionName="{fn}" '
        f"MetricName=\"{metrics.REQUEST_LATENCY}\"', 'p99', 300)"
    )
    by_table = f"SEARCH('{{{APP_NAMESPACE},FunctionName,Table}} FunctionName=\"{fn}\"', 'Sum', 300)"
    by_provider = f"SEARCH('{{{APP_NAMESPACE},FunctionName,Provider}} FunctionName=\"{fn}\"', 'Sum', 300)"
    widgets = [
        _widget("DSQL probe: success rate and latency", [
            [APP_NAMESPACE, metrics.DSQL_PROBE_SUCCESS, "FunctionName", fn, {"stat": "Average"}],
            [APP_NAMESPACE, metrics.DSQL_PROBE_LATENCY, "FunctionName", fn, {"stat": "p95", "yAxis": "right"}],
        ], 0, 0, region=region),
        _widget("Request latency p99 by route family", [[{"expression": by_family, "id": "families"}]], 12, 0,
                region=region),
        _widget("Lambda: errors, throttles, duration p99", [
            ["AWS/Lambda", "Errors", "FunctionName", fn, {"stat": "Sum"}],
            ["AWS/Lambda", "Throttles", "FunctionName", fn, {"stat": "Sum"}],
            ["AWS/Lambda", "Duration", "FunctionName", fn, {"stat": "p99", "yAxis": "right"}],
        ], 0, 6, region=region),
        _widget("API Gateway: 5xx and latency p95", [
            ["AWS/ApiGateway", "5XXError", "ApiName", watched.api_name, {"stat": "Sum"}],
            ["AWS/ApiGateway", "Latency", "ApiName", watched.api_name, {"stat": "p95", "yAxis": "right"}],
        ], 12, 6, region=region),
        _widget("DynamoDB throttles and errors by table (after SDK retries)",
                [[{"expression": by_table, "id": "tables"}]], 0, 12, region=region),
        _widget("Upstream errors by provider", [[{"expression": by_provider, "id": "providers"}]], 12, 12,
                region=region),
        _widget("Aurora DSQL: OCC conflicts, timeouts, app-side retries", [
            ["AWS/AuroraDSQL", "OccConflicts", *cluster, {"stat": "Sum"}],
            ["AWS/AuroraDSQL", "QueryTimeouts", *cluster, {"stat": "Sum"}],
            [APP_NAMESPACE, metrics.DSQL_OCC_RETRIES, "FunctionName", fn, {"stat": "Sum"}],
            ["AWS/AuroraDSQL", "CommitLatency", *cluster, {"stat": "Average", "yAxis": "right"}],
        ], 0, 18, region=region),
        _widget("Aurora DSQL: DPUs and storage", [
            ["AWS/AuroraDSQL", "TotalDPU", *cluster, {"stat": "Sum"}],
            ["AWS/AuroraDSQL", "ClusterStorageSize", *cluster, {"stat": "Maximum", "yAxis": "right"}],
        ], 12, 18, region=region, period=3600),
    ]  # fmt: skip
    return {"widgets": widgets}


def dashboard_name(stage: Stage) -> str:
    return stage.function_name


def ensure_monitoring(cloudwatch: Any, stage: Stage, watched: Watched, say: Say) -> list[str]:
    """Put every alarm and the dashboard (both idempotent: a rerun overwrites them); returns alarm names."""
    names = []
    for alarm in alarms(stage, watched):
        with aws_call("cloudwatch:PutMetricAlarm", "cloudwatch", stage.region):
            cloudwatch.put_metric_alarm(**alarm)
        names.append(alarm["AlarmName"])
    with aws_call("cloudwatch:PutDashboard", "cloudwatch", stage.region):
        cloudwatch.put_dashboard(
            DashboardName=dashboard_name(stage), DashboardBody=json.dumps(dashboard(stage, watched))
        )
    short = ", ".join(name.removeprefix(f"{stage.function_name}-") for name in names)
    say(f"alarms {stage.function_name}-{{{short}}}; dashboard {dashboard_name(stage)}")
    return names


def find_alarms(cloudwatch: Any, stage: Stage) -> list[str]:
    """The stage's alarms: the name prefix and the stage's tags (someone else's alarm is left alone)."""
    found = []
    with aws_call("cloudwatch:DescribeAlarms", "cloudwatch", stage.region):
        pages = cloudwatch.get_paginator("describe_alarms").paginate(AlarmNamePrefix=f"{stage.function_name}-")
        for alarm in (a for page in pages for a in page["MetricAlarms"]):
            tags = cloudwatch.list_tags_for_resource(ResourceARN=alarm["AlarmArn"])["Tags"]
            if stage.owns({t["Key"]: t["Value"] for t in tags}):
                found.append(alarm["AlarmName"])
    return found


def delete_monitoring(cloudwatch: Any, stage: Stage, say: Say) -> None:
    names = find_alarms(cloudwatch, stage)
    for start in range(0, len(names), 100):  # DeleteAlarms takes at most 100 names
        with aws_call("cloudwatch:DeleteAlarms", "cloudwatch", stage.region):
            cloudwatch.delete_alarms(AlarmNames=names[start : start + 100])
    if names:
        say(f"deleted {len(names)} alarms")
    with aws_call("cloudwatch:DeleteDashboards", "cloudwatch", stage.region):
        listed = cloudwatch.list_dashboards(DashboardNamePrefix=dashboard_name(stage))["DashboardEntries"]
        if any(d["DashboardName"] == dashboard_name(stage) for d in listed):
            cloudwatch.delete_dashboards(DashboardNames=[dashboard_name(stage)])
            say(f"deleted dashboard {dashboard_name(stage)}")
