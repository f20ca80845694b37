"""The service's real log configuration (settings.LOGGING, re-applied onto a buffer): one JSON object per
line, request ids echoed, secrets masked in every field, the text format for local runs."""

from __future__ import annotations

import io
import json
import logging
import logging.config
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client


@pytest.fixture
def log_output() -> Iterator[Callable[..., list[Any]]]:
    """Everything the console handler writes, as settings.LOGGING configures it (json unless told),
    with the handler's stream (stderr) swapped for a buffer."""
    buffer = io.StringIO()

    def configure(log_format: str = "json") -> None:
        config = json.loads(json.dumps(settings.LOGGING))
        config["handlers"]["console"]["formatter"] = log_format
        config["handlers"]["console"]["stream"] = buffer
        logging.config.dictConfig(config)

    configure()

    def lines(parse: bool = True) -> list[Any]:
        raw = buffer.getvalue().splitlines()
        return [json.loads(line) for line in raw] if parse else raw

    lines.configure = configure  # type: ignore[attr-defined]
    yield lines
    logging.config.dictConfig(settings.LOGGING)


def test_every_line_is_one_json_object_and_the_access_record_has_the_request_fields(log_output: Any) -> None:
    response = Client().get("/api/health")

    records = log_output()
    (access,) = [r for r in records if r["logger"] == "vela.access"]
    assert response.status_code == 200
    assert access["level"] == "INFO"
    assert access["message"].startswith("GET api/health 200 ")
    assert access["route"] == "api/health"
    assert access["status"] == 200
    assert access["method"] == "GET"
    assert isinstance(access["latency_ms"], float)
    assert access["latency_ms"] >= 0
    assert isinstance(access["cold_start"], bool)
    assert access["request_id"] == response["X-Request-Id"]
    assert access["timestamp"].endswith("+00:00")


def test_records_written_while_serving_carry_that_request_id(log_output: Any, no_dsql: None) -> None:
    first = Client().get("/api/internal/dsql-health")
    second = Client().get("/api/internal/dsql-health")

    records = log_output()
    probe_lines = [r for r in records if r["logger"] == "vela.health"]
    assert first["X-Request-Id"] != second["X-Request-Id"]
    assert [r["request_id"] for r in probe_lines] == [first["X-Request-Id"], second["X-Request-Id"]]
    assert probe_lines[0]["dsql"]["cause"] == "config"  # structured extra fields stay structured
    # Django's own "Internal Server Error" record comes after the middleware is done, and still has it
    errors = [r for r in records if r["logger"] == "django.request"]
    assert [r["request_id"] for r in errors] == [first["X-Request-Id"], second["X-Request-Id"]]


def test_only_the_first_request_of_a_process_is_a_cold_start() -> None:
    from django.http import HttpResponse

    from vela.middleware import AccessLogMiddleware

    middleware = AccessLogMiddleware(lambda request: HttpResponse())
    seen: list[bool] = []
    handler = logging.Handler()
    handler.emit = lambda record: seen.append(record.cold_start)  # type: ignore[method-assign]
    logger = logging.getLogger("vela.access")
    logger.addHandler(handler)
    try:
        from django.test import RequestFactory

        for _ in range(3):
            middleware(RequestFactory().get("/api/health"))
    finally:
        logger.removeHandler(handler)

    assert seen == [True, False, False]


def test_secrets_are_masked_in_every_field(log_output: Any) -> None:
    jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJlLXZhbHVl"
    logger = logging.getLogger("vela.test")

    logger.warning(
        "calling %s",
        "https://example.test/v1?key=AIzaSECRET1",
        extra={
            "headers": {"Authorization": f"Bearer {jwt}", "xi-api-key": "sk_SECRET2"},
            "url": "https://dsql.test/?X-Amz-Signature=abcdef0123&X-Amz-Credential=AKIDSECRET3",
            "attempts": [{"api_key": "SECRET4"}, f"token {jwt}"],
        },
    )
    try:
        raise ValueError("upstream said password=SECRET5")
    except ValueError:
        logger.exception("failed with apiKey: SECRET6")

    raw = "\n".join(log_output(parse=False))
    records = log_output()
    for secret in ("AIzaSECRET1", "SECRET2", "SECRET3", "abcdef0123", "SECRET4", "SECRET5", "SECRET6", jwt):
        assert secret not in raw
    assert records[0]["headers"]["Authorization"] == "[REDACTED]"
    assert records[0]["url"].startswith("https://dsql.test/?X-Amz-Signature=[REDACTED]")
    assert records[0]["attempts"][1] == "token [REDACTED-JWT]"
    assert "ValueError: upstream said password=[REDACTED]" in records[1]["exception"]


def test_text_format_is_one_readable_line_per_record(log_output: Any) -> None:
    log_output.configure("text")

    response = Client().get("/api/health")
    logging.getLogger("vela.test").info("password=hunter2")

    lines = log_output(parse=False)
    assert any(line.startswith("INFO vela.access GET api/health 200 ") for line in lines)
    assert "INFO vela.test password=[REDACTED]" in lines
    assert response["X-Request-Id"]


def test_no_access_record_is_built_when_info_is_off(log_output: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    logger = logging.getLogger("vela.access")
    monkeypatch.setattr(logger, "level", logging.WARNING)
    built: list[Any] = []
    monkeypatch.setattr(logger, "_log", lambda *args, **kwargs: built.append(args))

    response = Client().get("/api/health")

    assert response.status_code == 200
    assert built == []
    assert [r for r in log_output() if r["logger"] == "vela.access"] == []


def test_unknown_log_format_is_refused(tmp_path: Any) -> None:
    import subprocess

    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "vela.settings",
            "VELA_READ_DOT_ENV": "false",
            "VELA_LOG_FORMAT": "xml",
            "PYTHONPATH": str(settings.BASE_DIR),
        },
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        check=False,
    )

    assert result.returncode != 0
    assert "VELA_LOG_FORMAT must be json or text" in result.stderr


@pytest.mark.parametrize(
    "secret",
    [
        "https://dsql.test/?Action=DbConnect&X-Amz-Signature=abc123",
        "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln",
        "xi-api-key: sk_123",
        "API_KEY=abc",
        "password: hunter2",
        "Authorization=Basic dXNlcg",
        "https://x.test/v1?alt=sse&key=AIza123",
    ],
)
def test_the_quick_check_never_lets_a_pattern_through(secret: str) -> None:
    from vela.logging import redact

    assert redact(secret) != secret
