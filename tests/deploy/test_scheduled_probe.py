"""The scheduled DSQL probe (zappa_settings.json `events`) run by Zappa's real handler, from an EventBridge
"Scheduled Event" whose rule is named as Zappa names it on deploy: the probe runs and emits its metric."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from zappa.core import Zappa

from deploy import events
from tests.vela.test_metrics import emf_records

ROOT = Path(__file__).resolve().parents[2]


def scheduled_events(stage: str) -> list[dict[str, Any]]:
    data = json.loads((ROOT / "zappa_settings.json").read_text())
    config = {**data[data[stage].get("extends", stage)], **data[stage]}
    return list(config.get("events", []))


def rule_name(event: dict[str, Any], stage: str) -> str:
    return str(Zappa(load_credentials=False).get_scheduled_event_name(event, event["function"], f"vela-api-{stage}"))


@pytest.mark.parametrize("stage", ["dev", "production"])
def test_every_stage_schedules_the_probe_every_minute(stage: str) -> None:
    (probe,) = [e for e in scheduled_events(stage) if e["function"] == "vela.lambda_tasks.dsql_probe_task"]

    assert probe["expression"] == "rate(1 minute)"
    assert rule_name(probe, stage).endswith("-vela.lambda_tasks.dsql_probe_task")  # what the handler parses


def test_the_scheduled_event_runs_the_probe_and_emits_the_metric(
    lambda_handler: Any, use_dsql: Any, capsys: pytest.CaptureFixture[str], settings: Any
) -> None:
    use_dsql()
    settings.AWS_LAMBDA_FUNCTION_NAME = "vela-api-dev"  # the runtime's variable, read before settings load
    settings.VELA_METRICS_ENABLED = True  # what that variable turns on
    (probe,) = scheduled_events("dev")

    result = lambda_handler(events.scheduled(rule_name(probe, "dev")), events.FakeContext())

    assert result["ok"] is True
    (record,) = [r for r in emf_records(capsys.readouterr().out) if "DsqlProbeSuccess" in r]
    assert record["DsqlProbeSuccess"] == [1.0]
    assert record["DsqlProbeLatency"][0] > 0
    assert record["FunctionName"] == "vela-api-dev"


def test_a_failed_scheduled_probe_is_data_not_a_failed_invocation(
    lambda_handler: Any, use_dsql: Any, capsys: pytest.CaptureFixture[str], settings: Any
) -> None:
    settings.VELA_METRICS_ENABLED = True
    use_dsql(PORT=9, OPTIONS={"connect_timeout": 2})  # nothing listens there
    (probe,) = scheduled_events("dev")

    result = lambda_handler(events.scheduled(rule_name(probe, "dev")), events.FakeContext())

    assert result["ok"] is False
    assert result["cause"] == "network"
    (record,) = [r for r in emf_records(capsys.readouterr().out) if "DsqlProbeSuccess" in r]
    assert record["DsqlProbeSuccess"] == [0.0]


def test_a_stage_without_an_endpoint_reports_config_and_emits_nothing(
    lambda_handler: Any, no_dsql: None, capsys: pytest.CaptureFixture[str], settings: Any
) -> None:
    settings.VELA_METRICS_ENABLED = True
    (probe,) = scheduled_events("dev")

    result = lambda_handler(events.scheduled(rule_name(probe, "dev")), events.FakeContext())

    assert (result["ok"], result["cause"]) == (False, "config")
    assert "AURORA_DB_ENDPOINT is not configured" in result["error"]
    assert [r for r in emf_records(capsys.readouterr().out) if "DsqlProbeSuccess" in r] == []  # missing data
