"""Django's own request errors are the one JSON error shape on every route, DEBUG on or off.

`TooManyFieldsSent`, `DisallowedHost`, `RequestDataTooBig`, `UnreadablePostError`, any other
`SuspiciousOperation`: 400/413 `{"error", "code"}` from vela.middleware, never Django's HTML page
(with DEBUG the technical page showing settings) and never a 500.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import SuspiciousFileOperation
from django.test import Client

from vela.middleware import request_error

ROUTES = ["/api/health", "/api/no-such-route", "/api/profiles", "/api/games/vocabulary", "/api/schema"]
TOO_MANY = "&".join(f"p{i}=1" for i in range(1001))


@pytest.fixture(params=[False, True], ids=["debug-off", "debug-on"])
def web(request: Any, settings: Any) -> Client:
    settings.DEBUG = request.param
    return Client(raise_request_exception=False)


def assert_json_error(response: Any, status: int, code: str) -> None:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": response.json()["error"], "code": code}
    assert b"Traceback" not in response.content
    assert b"SECRET_KEY" not in response.content


@pytest.mark.parametrize("path", ROUTES)
def test_more_than_1000_query_parameters_are_400(web: Client, path: str) -> None:
    assert_json_error(web.get(f"{path}?{TOO_MANY}"), 400, "too_many_fields")


@pytest.mark.parametrize("path", ROUTES)
def test_a_host_that_is_not_allowed_is_json_400(web: Client, path: str) -> None:
    response = web.get(path, HTTP_HOST="evil.example.com")

    assert_json_error(response, 400, "disallowed_host")
    assert b"evil.example.com" not in response.content


@pytest.mark.parametrize("path", ["/api/llm-chat", "/api/auth/signin", "/api/no-such-route"])
def test_a_body_over_the_limit_is_413(web: Client, path: str, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = web.post(path, data=b'{"x": "' + b"a" * 4096 + b'"}', content_type="application/json")

    if path.endswith("no-such-route"):  # nothing reads the body of an unknown path
        assert_json_error(response, 404, "not_found")
    else:
        assert_json_error(response, 413, "payload_too_large")


class BrokenInput(io.RawIOBase):
    """A client that went away mid-body: reading the WSGI input fails."""

    def read(self, size: int = -1) -> bytes:
        raise OSError("connection reset by peer")

    def readline(self, size: int | None = -1) -> bytes:
        raise OSError("connection reset by peer")


def test_an_unreadable_body_is_400(web: Client) -> None:
    response = web.post("/api/llm-chat", data=b"{}", content_type="application/json", **{"wsgi.input": BrokenInput()})

    assert_json_error(response, 400, "unreadable_body")


def test_every_suspicious_operation_has_a_json_answer() -> None:
    answer = request_error(SuspiciousFileOperation("../etc/passwd"))

    assert answer is not None
    assert answer.status_code == 400
    assert b"passwd" not in answer.content
    assert request_error(ValueError("not a request error")) is None
