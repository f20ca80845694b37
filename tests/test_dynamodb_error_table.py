"""The DynamoDB error table (vela/dynamodb/errors.py) as a test: every AWS failure kind, driven through
one route of each DynamoDB app, gives the same status and `code` on every route, and no AWS message
text ever reaches a body.

Every request goes through the repositories' real boto3 client over real HTTP:
- a missing table: a real moto server (`dynamodb_http`) with that app's table deleted;
- throttling, ValidationException, AccessDenied: moto cannot produce these, so a local HTTP server
  stands in for DynamoDB and answers every call with that AWS error document (JSON 1.0 protocol,
  `__type` + a `message` naming an account and role), which botocore parses as it would AWS's;
- a timeout: the same server holding its reply past a short read timeout;
- unreachable: an endpoint on a port where nothing listens;
- no credentials: an environment with none at all.
botocore's retries are set to one attempt so that the throttled kinds fail at once.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from botocore.config import Config

import vela.aws
from vela.dynamodb import ERRORS

SECRET = "arn:aws:iam::123456789012:role/vela-secret-role"

# One route per app (method, path, body) and the table it reads or writes first.
ROUTES = {
    "profiles": ("get", "/api/profiles", None, "profiles"),
    "progress": (
        "post",
        "/api/progress/game-session",
        {
            "game_type": "vocabulary",
            "score": 80,
            "duration_seconds": 60,
            "questions_answered": 10,
            "correct_answers": 8,
            "experience_gained": 25,
        },
        "game_sessions",
    ),
    "games": ("get", "/api/games/vocabulary", None, "vocabulary"),
    "sentences": ("get", "/api/my-dictionaries", None, "saved_sentences"),
    "chat_history": ("get", "/api/chat-history/threads", None, "chat_history"),
}

# kind -> (AWS error type the stand-in answers with, HTTP status it answers with)
AWS_ANSWERS = {
    "throttled": ("ThrottlingException", 400),
    "invalid_request": ("ValidationException", 400),
    "client_error": ("AccessDeniedException", 400),
}
EXPECTED = {
    kind: (ERRORS[kind].status, ERRORS[kind].code)
    for kind in (
        "table_missing",
        "throttled",
        "invalid_request",
        "client_error",
        "timeout",
        "unreachable",
        "no_credentials",
    )
}


class _StandIn(BaseHTTPRequestHandler):
    answer: tuple[str, int] | None = None
    hold_seconds = 0.0

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.hold_seconds:
            time.sleep(self.hold_seconds)
        error, status = self.answer or ("InternalServerError", 500)
        body = json.dumps(
            {"__type": f"com.amazonaws.dynamodb.v20120810#{error}", "message": f"User {SECRET} is not allowed here"}
        ).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/x-amz-json-1.0")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:  # the client gave up (timeout kind)
            pass

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def stand_in() -> Iterator[tuple[ThreadingHTTPServer, str]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _StandIn)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def one_attempt(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """botocore gives up after one attempt and a short read timeout (the throttled kinds fail at once)."""
    fast = Config(retries={"max_attempts": 1, "mode": "standard"}, read_timeout=0.5, connect_timeout=0.5)
    monkeypatch.setattr(vela.aws, "CLIENT_CONFIG", vela.aws.CLIENT_CONFIG.merge(fast))
    monkeypatch.setattr(vela.aws, "UNVALIDATED_CLIENT_CONFIG", vela.aws.UNVALIDATED_CLIENT_CONFIG.merge(fast))
    vela.aws.reset_clients()
    yield
    vela.aws.reset_clients()


def _send(client: Any, app: str, auth_header: Any) -> Any:
    method, path, body, _ = ROUTES[app]
    headers = auth_header("user-1", email="user-1@example.com")
    if body is None:
        return getattr(client, method)(path, headers=headers)
    return getattr(client, method)(path, data=json.dumps(body), content_type="application/json", headers=headers)


def _answer(response: Any) -> tuple[int, str]:
    body = response.content.decode()
    assert SECRET not in body, body
    assert "not allowed here" not in body, body
    return response.status_code, response.json()["code"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("app", ROUTES)
def test_missing_table(client, dynamodb_http, auth_header, settings, app):
    table = settings.DYNAMODB_TABLES[ROUTES[app][3]]
    dynamodb_http.delete_table(TableName=table)

    response = _send(client, app, auth_header)

    assert _answer(response) == EXPECTED["table_missing"]
    assert f"'{table}'" in response.json()["error"]


@pytest.mark.parametrize("app", ROUTES)
@pytest.mark.parametrize("kind", AWS_ANSWERS)
def test_aws_errors(client, stand_in, one_attempt, auth_header, settings, monkeypatch, kind, app):
    _, url = stand_in
    monkeypatch.setattr(_StandIn, "answer", AWS_ANSWERS[kind])
    settings.DDB_ENDPOINT = url
    vela.aws.reset_clients()

    response = _send(client, app, auth_header)

    assert _answer(response) == EXPECTED[kind]
    if kind != "throttled":  # only the AWS error code may appear, never the message
        assert AWS_ANSWERS[kind][0] in response.json()["error"]


@pytest.mark.parametrize("app", ROUTES)
def test_timeout(client, stand_in, one_attempt, auth_header, settings, monkeypatch, app):
    _, url = stand_in
    monkeypatch.setattr(_StandIn, "hold_seconds", 1.5)
    settings.DDB_ENDPOINT = url
    vela.aws.reset_clients()

    assert _answer(_send(client, app, auth_header)) == EXPECTED["timeout"]


@pytest.mark.parametrize("app", ROUTES)
def test_unreachable(client, one_attempt, auth_header, settings, app):
    settings.DDB_ENDPOINT = f"http://127.0.0.1:{_free_port()}"
    vela.aws.reset_clients()

    assert _answer(_send(client, app, auth_header)) == EXPECTED["unreachable"]


@pytest.mark.parametrize("app", ROUTES)
def test_no_credentials(client, stand_in, one_attempt, auth_header, settings, monkeypatch, tmp_path, app):
    _, url = stand_in
    settings.DDB_ENDPOINT = url  # never reached: signing fails first
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    vela.aws.reset_clients()

    assert _answer(_send(client, app, auth_header)) == EXPECTED["no_credentials"]


def test_the_table_gives_one_answer_per_kind():
    """The rows the routes above are held to (README "DynamoDB failures")."""
    assert EXPECTED == {
        "table_missing": (500, "table_not_found"),
        "throttled": (502, "dynamodb_throttled"),
        "invalid_request": (500, "dynamodb_validation"),
        "client_error": (502, "dynamodb_error"),
        "timeout": (504, "dynamodb_timeout"),
        "unreachable": (502, "dynamodb_unreachable"),
        "no_credentials": (500, "aws_credentials_missing"),
    }
