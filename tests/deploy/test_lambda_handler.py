"""Zappa's real Lambda handler (zappa.handler.lambda_handler) in-process, with the stage's generated
zappa_settings.py on sys.path: API Gateway REST v1 and HTTP v2 events, manage and command events."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.core.management import CommandError

from deploy import events

ECHO = "tests.deploy.echo_urls"


def body(response: dict[str, Any]) -> Any:
    raw = response["body"]
    if response.get("isBase64Encoded"):
        raw = base64.b64decode(raw).decode()
    return json.loads(raw)


def test_rest_v1_health_returns_ok_json(lambda_handler: Any) -> None:
    response = lambda_handler(events.rest_v1("GET", "/api/health"), events.FakeContext())

    assert response["statusCode"] == 200
    assert body(response) == {"status": "ok"}
    assert response["multiValueHeaders"]["Content-Type"] == ["application/json"]


def test_rest_v1_unknown_path_returns_json_404(lambda_handler: Any) -> None:
    response = lambda_handler(events.rest_v1("GET", "/api/nope", query={"a": "1"}), events.FakeContext())

    assert response["statusCode"] == 404
    assert body(response) == {"error": "Not found.", "code": "not_found"}


def test_http_v2_health_and_unknown_path(lambda_handler: Any) -> None:
    ok = lambda_handler(events.http_v2("GET", "/api/health", query={"x": "1"}), events.FakeContext())
    missing = lambda_handler(events.http_v2("DELETE", "/api/health/extra"), events.FakeContext())

    assert (ok["statusCode"], body(ok)) == (200, {"status": "ok"})
    assert missing["statusCode"] == 404
    assert body(missing)["code"] == "not_found"


def test_rest_v1_translation_keeps_stage_prefix_out_of_routing(lambda_handler: Any, settings: Any) -> None:
    settings.ROOT_URLCONF = ECHO
    event = events.rest_v1("POST", "/api/echo", query={"q": "猫", "n": "2"}, body='{"a": 1}', stage="dev")
    event["headers"]["Content-Type"] = "application/json"
    event["multiValueHeaders"]["Content-Type"] = ["application/json"]

    seen = body(lambda_handler(event, events.FakeContext()))

    assert seen["method"] == "POST"
    assert seen["path_info"] == "/api/echo"
    assert seen["script_name"] == "/dev"  # execute-api host: Zappa mounts the app under the stage
    assert seen["query"] == {"q": ["猫"], "n": ["2"]}
    assert base64.b64decode(seen["body_b64"]) == b'{"a": 1}'
    assert seen["content_type"] == "application/json"


def test_rest_v1_base64_body_is_decoded(lambda_handler: Any, settings: Any) -> None:
    settings.ROOT_URLCONF = ECHO
    payload = bytes(range(256))
    event = events.rest_v1("PUT", "/api/blob", body=payload, base64_body=True)

    seen = body(lambda_handler(event, events.FakeContext()))

    assert base64.b64decode(seen["body_b64"]) == payload


@pytest.mark.parametrize(("stage", "expected_script"), [("$default", ""), ("dev", "/dev")])
def test_http_v2_stage_prefix(lambda_handler: Any, settings: Any, stage: str, expected_script: str) -> None:
    settings.ROOT_URLCONF = ECHO
    event = events.http_v2("POST", "/api/echo", query={"limit": "5"}, body="hello", stage=stage, base64_body=True)

    seen = body(lambda_handler(event, events.FakeContext()))

    assert seen["script_name"] == expected_script
    assert seen["path"] == f"{expected_script}/api/echo"
    assert seen["path_info"] == "/api/echo"
    assert seen["query"] == {"limit": ["5"]}
    assert base64.b64decode(seen["body_b64"]) == b"hello"


def test_dsql_health_without_endpoint_answers_500_json(lambda_handler: Any, no_dsql: None) -> None:
    response = lambda_handler(events.rest_v1("GET", "/api/internal/dsql-health"), events.FakeContext())

    assert response["statusCode"] == 500
    assert body(response) == {"status": "error", "error": "AURORA_DB_ENDPOINT is not configured"}


def test_dsql_health_against_local_postgres(lambda_handler: Any, use_dsql: Any) -> None:
    use_dsql()

    response = lambda_handler(events.http_v2("GET", "/api/internal/dsql-health"), events.FakeContext())

    assert response["statusCode"] == 200
    assert body(response)["status"] == "ok"


def test_manage_event_runs_the_management_command(lambda_handler: Any, capsys: pytest.CaptureFixture) -> None:
    result = lambda_handler({"manage": "check"}, events.FakeContext())

    assert result == {}
    assert "System check identified no issues" in capsys.readouterr().out


def test_manage_event_failure_reaches_lambda(lambda_handler: Any, no_dsql: None) -> None:
    # What `zappa manage dev dsql_check` does without an endpoint: the invocation fails loudly.
    with pytest.raises(CommandError, match="AURORA_DB_ENDPOINT is not configured"):
        lambda_handler({"manage": "dsql_check"}, events.FakeContext())


def test_command_event_runs_a_lambda_task(lambda_handler: Any, use_dsql: Any) -> None:
    use_dsql()

    result = lambda_handler({"command": "vela.lambda_tasks.dsql_probe_task"}, events.FakeContext())

    assert result["ok"] is True
    assert result["user"] == "admin"


def test_the_lambda_request_id_is_echoed_and_logged(lambda_handler: Any) -> None:
    # A handler on vela.access itself: Zappa's first call re-applies settings.LOGGING (root handlers replaced).
    import logging

    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logging.getLogger("vela.access").addHandler(handler)
    try:
        response = lambda_handler(events.rest_v1("GET", "/api/health"), events.FakeContext())
    finally:
        logging.getLogger("vela.access").removeHandler(handler)

    assert response["multiValueHeaders"]["X-Request-Id"] == ["req-context"]  # the context's aws_request_id
    (access,) = records
    assert access.request_id == "req-context"  # type: ignore[attr-defined]
    assert access.route == "api/health"  # type: ignore[attr-defined]
