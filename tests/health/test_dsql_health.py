import json
import logging
import time

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

URL = "/api/internal/dsql-health"


def test_health_ok_runs_select_one(use_dsql, caplog):
    use_dsql()
    caplog.set_level(logging.INFO, logger="vela.health")

    response = Client().get(URL)

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "details": "Successfully executed SELECT 1 against Aurora DSQL."}
    assert "Health-check success" in caplog.text
    assert "vela0test0cluster0id0abcd.dsql.us-east-1.on.aws" in caplog.text
    assert "user='admin'" in caplog.text
    assert "X-Amz-Signature" not in caplog.text


def test_health_without_endpoint_is_500_with_clear_message(no_dsql):
    response = Client().get(URL)

    assert response.status_code == 500
    assert response.json() == {"status": "error", "error": "AURORA_DB_ENDPOINT is not configured"}


def test_health_refused_connection_names_network_cause(use_dsql, closed_port, caplog):
    use_dsql(PORT=closed_port)

    response = Client().get(URL)

    assert response.status_code == 500
    body = response.json()
    assert body["status"] == "error"
    assert "Connection refused" in body["error"]
    assert "cause='network'" in caplog.text


def test_health_unreachable_endpoint_fails_within_the_bound(use_dsql, silent_server, settings):
    use_dsql(PORT=silent_server)
    settings.DSQL_HEALTH_TIMEOUT = 0.5

    started = time.monotonic()
    response = Client().get(URL)
    elapsed = time.monotonic() - started

    assert response.status_code == 500
    assert response.json()["error"].startswith("Timed out after 0.5 s connecting to Aurora DSQL")
    assert elapsed < 1.5


def test_health_connect_timeout_is_reported_as_timeout(use_dsql, silent_server, caplog):
    use_dsql(PORT=silent_server, OPTIONS={"connect_timeout": 2})

    response = Client().get(URL)

    assert response.status_code == 500
    assert "timeout" in response.json()["error"].lower()
    assert "cause='timeout'" in caplog.text


def test_health_rejects_other_methods_and_trailing_slash():
    client = Client()

    assert client.post(URL).status_code in {404, 405}
    assert client.get(URL + "/").status_code == 404
    assert client.get(URL + "/").json()["code"] == "not_found"


def test_liveness_has_no_dependencies(no_dsql):
    response = Client().get("/api/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_dsql_check_runs_n_probes_and_summarises(use_dsql, capsys):
    use_dsql()

    call_command("dsql_check", "--count", "3")

    out = capsys.readouterr().out
    assert out.count(" ok\n") == 3
    assert "probes=3 success=100.0%" in out
    assert "p50=" in out
    assert "p95=" in out


def test_dsql_check_json_output(use_dsql, capsys):
    use_dsql()

    call_command("dsql_check", "--count", "2", "--json")

    document = json.loads(capsys.readouterr().out)
    assert document["summary"]["count"] == 2
    assert document["summary"]["success_rate"] == 100.0
    assert [probe["ok"] for probe in document["probes"]] == [True, True]
    assert document["summary"]["p95_ms"] >= document["summary"]["p50_ms"] > 0


def test_dsql_check_fails_below_min_success(use_dsql, closed_port, capsys):
    use_dsql(PORT=closed_port)

    with pytest.raises(CommandError, match=r"success rate 0.0% is below the required 99%") as excinfo:
        call_command("dsql_check", "--count", "2")

    assert excinfo.value.returncode == 1
    assert capsys.readouterr().out.count("FAILED (network)") == 2


def test_dsql_check_min_success_threshold_is_configurable(use_dsql, closed_port):
    use_dsql(PORT=closed_port)

    call_command("dsql_check", "--count", "1", "--min-success", "0")


def test_dsql_check_misconfiguration_exits_2(no_dsql):
    with pytest.raises(CommandError, match="AURORA_DB_ENDPOINT is not configured") as excinfo:
        call_command("dsql_check")

    assert excinfo.value.returncode == 2


def test_dsql_check_bad_region_is_misconfiguration(use_dsql):
    use_dsql(HOST="abcdefghijklmnopqrstuvwxyz.dsql.us-north-9.on.aws")

    with pytest.raises(CommandError, match="Unknown AWS region") as excinfo:
        call_command("dsql_check")

    assert excinfo.value.returncode == 2
