"""Faults under traffic: the live stack (gunicorn, moto, DSQL stand-in over a PRIVATE PostgreSQL, upstream
fakes) with a tests.faults.FaultProxy between the app and moto and between the app and the stand-in.

Every request in flight when a part dies, stalls or slows past its bound gets a JSON answer (502/504;
500 `{"status": "error"}` for the DSQL probe, its contract, reference §5.6) within the bound; the first
request after recovery succeeds; a game session is all three writes or none (checked in DynamoDB);
no answer carries a traceback or a secret. Bounds are shortened for the run (AWS 1 s connect / 1.5 s
read / 2 attempts, LLM and TTS 2 s, DSQL connect 2 s, probe 3 s). `FAULTS` collects the matrix.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from bench.load import User, _scan, make_users
from tests.faults import private_postgres
from tests.live_stack import LiveStack, answer_like_the_real_apis, live_stack
from tests.upstream import Reply

pytestmark = pytest.mark.slow

AWS_BOUND = 10.0  # 2 attempts x 1.5 s read (or 1 s connect) + standard-mode backoff + the request, on a busy box
LLM_BOUND = TTS_BOUND = 8.0  # 2 s upstream bound + the route's AWS calls + margin on a busy 2-core box
DSQL_BOUND = 5.0  # 3 s probe bound + margin
FAULT_ENV = {
    "AWS_CONNECT_TIMEOUT": "1",
    "AWS_READ_TIMEOUT": "1.5",
    "AWS_MAX_ATTEMPTS": "2",
    "LLM_UPSTREAM_TIMEOUT": "2",
    "TTS_UPSTREAM_TIMEOUT": "2",
    "AURORA_DB_CONNECT_TIMEOUT": "2",
    "DSQL_HEALTH_TIMEOUT": "3",
}
FAULTS: list[str] = []  # the fault matrix, printed at the end of the module


@dataclass
class Answer:
    route: str
    status: int
    seconds: float
    body: bytes
    content_type: str
    user: str = ""


@pytest.fixture(scope="module")
def pg() -> Iterator[Any]:
    with private_postgres() as server:
        yield server


@pytest.fixture(scope="module")
def live(pg: Any) -> Iterator[LiveStack]:
    with live_stack(pg_port=pg.port, faults=True, extra_env=FAULT_ENV) as stack:
        yield stack
    print("\nfault matrix (fault | route family | statuses | slowest s / bound | recovered | nothing lost)")
    for line in FAULTS:
        print(line)


@pytest.fixture(autouse=True)
def _healthy(live: LiveStack) -> Iterator[None]:
    answer_like_the_real_apis(live.upstream)
    yield
    live.moto_proxy.restore()
    live.dsql_proxy.restore()
    answer_like_the_real_apis(live.upstream)


def secrets_of(live: LiveStack) -> list[str]:
    return [
        # Not the access key id: it is an identifier, and every presigned S3 URL (TTS audio) carries it
        # in X-Amz-Credential by design.
        live.env["AWS_SECRET_ACCESS_KEY"], live.env["DJANGO_SECRET_KEY"],
        live.env["GOOGLE_API_KEY"], live.env["OPENROUTER_API_KEY"], live.tokens["id"], live.tokens["access"],
        "Traceback", "tts-key-", "X-Amz-Security-Token",
    ]  # fmt: skip


def call(live: LiveStack, route: str, user: User | None = None) -> Answer:
    token = user.token if user else live.tokens["id"]
    headers = {"Authorization": f"Bearer {token}"}
    routes: dict[str, tuple[str, str, Any]] = {
        "profiles": ("GET", "/api/profiles", None),
        "game": ("POST", "/api/progress/game-session", None),
        "save": ("POST", "/api/my-dictionaries", {"sentence": f"障害 {time.monotonic_ns()}"}),
        "threads": ("GET", "/api/chat-history/threads", None),
        "signin": ("POST", "/api/auth/signin", {"email": "demo@example.com", "password": "Vela-demo-1"}),
        "tts": ("POST", "/api/tts/generate", {"vocabularyId": f"v-{time.monotonic_ns()}", "text": "水"}),
        "llm-chat": ("POST", "/api/llm-chat", {"provider": "google", "prompt": "こんにちは"}),
        "analyze": ("POST", "/api/my-dictionaries/analyze", {"sentence": "猫", "provider": "google", "apiKey": "k"}),
        "dsql": ("GET", "/api/internal/dsql-health", None),
    }
    method, path, body = routes[route]
    if route == "game" and user is not None:
        body = {
            "game_type": "vocabulary", "score": 5, "duration_seconds": 60, "questions_answered": 10,
            "correct_answers": 7, "experience_gained": user.experience or 13,
        }  # fmt: skip
    started = time.monotonic()
    try:
        response = requests.request(method, live.url(path), json=body, headers=headers, timeout=40)
    except requests.RequestException as exc:
        return Answer(route, 0, time.monotonic() - started, str(exc).encode(), "", user.sub if user else "")
    return Answer(route, response.status_code, time.monotonic() - started, response.content,
                  response.headers.get("Content-Type", ""), user.sub if user else "")  # fmt: skip


def under_fault(
    live: LiveStack,
    routes: list[str],
    fault: Callable[[], None],
    *,
    users: list[User] | None = None,
    rounds: int = 2,
    first: bool = False,
) -> list[Answer]:
    """Start `rounds` requests per route (one per user for "game"), inject the fault 0.3 s in (or
    before the first request: `first`), collect the answers."""
    jobs: list[tuple[str, User | None]] = [(r, None) for r in routes if r != "game" for _ in range(rounds)]
    jobs += [("game", u) for u in users or []] if "game" in routes else []
    if first:
        fault()
    with ThreadPoolExecutor(max_workers=len(jobs) + 1) as pool:
        futures = [pool.submit(call, live, route, user) for route, user in jobs]
        if not first:
            time.sleep(0.3)
            fault()
        return [f.result() for f in futures]


def check(live: LiveStack, answers: list[Answer], allowed: set[int], bound: float) -> None:
    for answer in answers:
        assert answer.status in allowed, (answer.route, answer.status, answer.body[:300])
        assert answer.seconds <= bound, (answer.route, answer.seconds, bound)
        if answer.status >= 400:
            assert answer.content_type == "application/json", (answer.route, answer.content_type)
            body = json.loads(answer.body)
            assert body.get("error") or body.get("status") == "error"
        for secret in secrets_of(live):
            assert secret.encode() not in answer.body, (answer.route, secret[:12])


def recovered(live: LiveStack, routes: list[str]) -> None:
    for route in routes:
        answer = call(live, route)
        assert answer.status == 200, (route, answer.status, answer.body[:300])


def game_writes_all_or_none(live: LiveStack, users: list[User], answers: list[Answer]) -> int:
    """Each user played one game: session, day and profile experience all there, or none of them."""
    ddb = live.aws("dynamodb")
    sessions = {i["user_id"]["S"] for i in _scan(ddb, "vela-game-sessions")}
    days = {i["user_id"]["S"]: int(i["games_played"]["N"]) for i in _scan(ddb, "vela-daily-progress")}
    profiles = _scan(ddb, "vela-profiles")
    xp = {i["user_id"]["S"]: int(float(i.get("total_experience", {}).get("N", "0"))) for i in profiles}
    acknowledged = {a.user for a in answers if a.route == "game" and a.status == 200}
    applied = 0
    for user in users:
        present = (user.sub in sessions, days.get(user.sub, 0) == 1, xp.get(user.sub) == user.experience)
        assert present in {(True, True, True), (False, False, False)}, (user.email, present)
        assert present[0] or user.sub not in acknowledged, (user.email, "acknowledged but not stored")
        applied += present[0]
    return applied


def fresh_users(live: LiveStack, prefix: str, count: int = 6) -> list[User]:
    users = make_users(live, count, prefix=prefix)
    for number, user in enumerate(users):
        user.experience = 11 + number
    return users


def record(fault: str, family: str, answers: list[Answer], bound: float, lost: str = "yes") -> None:
    statuses = sorted({a.status for a in answers})
    slowest = max(a.seconds for a in answers)
    FAULTS.append(f"{fault} | {family} | {statuses} | {slowest:.1f} / {bound:g} | yes | {lost}")


DYNAMO_ROUTES = ["profiles", "save", "threads", "game"]


def test_moto_cut_under_traffic(live: LiveStack) -> None:
    users = fresh_users(live, "cut")
    live.moto_proxy.delay = 0.5  # keep requests in flight when the cut comes

    answers = under_fault(live, [*DYNAMO_ROUTES, "signin", "tts"], live.moto_proxy.cut, users=users)
    check(live, answers, {200, 502, 504}, AWS_BOUND)
    assert {a.status for a in answers} & {502, 504}
    live.moto_proxy.restore()

    recovered(live, ["profiles", "save", "threads", "signin"])
    applied = game_writes_all_or_none(live, users, answers)
    record("moto cut (connections reset, refused)", "DynamoDB, Cognito, S3+TTS", answers, AWS_BOUND,
           f"yes ({applied}/{len(users)} games all-3, rest none)")  # fmt: skip


def test_moto_server_restart_under_traffic(live: LiveStack) -> None:
    users = fresh_users(live, "restart")

    answers = under_fault(live, [*DYNAMO_ROUTES, "signin"], lambda: live.restart_moto(down_for=1.0), users=users)
    check(live, answers, {200, 502, 504}, AWS_BOUND)

    recovered(live, ["profiles", "save", "threads", "signin"])
    applied = game_writes_all_or_none(live, users, answers)
    record("moto server stopped 1 s, restarted", "DynamoDB, Cognito", answers, AWS_BOUND,
           f"yes ({applied}/{len(users)} games all-3, rest none)")  # fmt: skip


@pytest.mark.parametrize("mode", ["slow", "blackhole"])
def test_moto_slower_than_every_bound(live: LiveStack, mode: str) -> None:
    users = fresh_users(live, mode, count=3)

    def fault() -> None:
        if mode == "slow":
            live.moto_proxy.delay = 4.0  # every answer 4 s late: past the 1.5 s read timeout
        else:
            live.moto_proxy.blackhole = True  # connections are accepted and never answered
            live.moto_proxy.cut(refuse=False)

    answers = under_fault(live, [*DYNAMO_ROUTES, "signin"], fault, users=users, first=True)
    check(live, answers, {200, 502, 504}, AWS_BOUND)
    assert 504 in {a.status for a in answers}
    live.moto_proxy.restore()
    time.sleep(0.5)

    recovered(live, ["profiles", "save", "signin"])
    applied = game_writes_all_or_none(live, users, answers)
    record(f"moto {'4 s per answer' if mode == 'slow' else 'black hole'}", "DynamoDB, Cognito", answers, AWS_BOUND,
           f"yes ({applied}/{len(users)} games all-3, rest none)")  # fmt: skip


def test_dsql_standin_restart_and_slowness(live: LiveStack) -> None:
    restarted = under_fault(live, ["dsql"], lambda: live.restart_standin(down_for=1.0), rounds=4)
    check(live, restarted, {200, 500}, DSQL_BOUND)
    recovered(live, ["dsql"])
    record("DSQL stand-in stopped 1 s, restarted", "dsql-health", restarted, DSQL_BOUND, "n/a (read only)")

    def slow() -> None:
        live.dsql_proxy.delay = 4.0  # past the 2 s connect timeout

    slowed = under_fault(live, ["dsql"], slow, rounds=3, first=True)
    check(live, slowed, {200, 500}, DSQL_BOUND)
    assert 500 in {a.status for a in slowed}
    live.dsql_proxy.restore()
    recovered(live, ["dsql"])
    record("DSQL stand-in 4 s per answer", "dsql-health", slowed, DSQL_BOUND, "n/a (read only)")


def test_private_postgres_stop_and_start(live: LiveStack, pg: Any) -> None:
    answers = under_fault(live, ["dsql"], lambda: pg.stop("immediate"), rounds=3)
    during = call(live, "dsql")
    check(live, [*answers, during], {200, 500}, DSQL_BOUND)
    assert during.status == 500
    assert json.loads(during.body)["status"] == "error"
    pg.start()

    recovered(live, ["dsql"])
    record("private PostgreSQL killed (-m immediate), restarted", "dsql-health", [*answers, during], DSQL_BOUND,
           "n/a (read only)")  # fmt: skip


def test_upstreams_slower_than_their_bound(live: LiveStack) -> None:
    slow = Reply(delay=3.0, body=b"{}", headers={"Content-Type": "application/json"})
    saved = requests.post(live.url("/api/tts/settings"), json={"apiKey": "tts-key-live-1", "voiceId": "voice1"},
                          headers=live.bearer(), timeout=10)  # fmt: skip
    assert saved.status_code == 200, saved.text

    def fault() -> None:
        for prefix in ("/v1beta/models/", "/api/v1/chat/completions", "/v1/text-to-speech/"):
            live.upstream.on("POST", prefix, slow)

    answers = under_fault(live, ["llm-chat", "analyze", "tts"], fault)
    live.upstream.reset()
    fault()  # every request of this test meets the slow upstream, including those sent before
    answers += [call(live, r) for r in ("llm-chat", "analyze", "tts")]
    check(live, answers, {200, 504}, LLM_BOUND)
    assert {a.status for a in answers[-3:]} == {504}
    answer_like_the_real_apis(live.upstream)

    recovered(live, ["llm-chat", "analyze", "tts"])
    record("Google/OpenRouter/ElevenLabs answer 3 s late (bound 2 s)", "llm-chat, analyze, tts", answers, LLM_BOUND,
           "n/a (nothing stored on failure)")  # fmt: skip


def test_upstreams_cut_mid_stream(live: LiveStack) -> None:
    requests.post(live.url("/api/tts/settings"), json={"apiKey": "tts-key-live-1", "voiceId": "voice1"},
                  headers=live.bearer(), timeout=10).raise_for_status()  # fmt: skip
    sse = [b'data: {"candidates":[{"content":{"parts":[{"text":"Half"}]}}]}\r\n\r\n', b"data: {", b"never"]
    stream = Reply(body=sse, abort_after=2, headers={"Content-Type": "text/event-stream"})
    live.upstream.on("POST", "/v1beta/models/", stream)
    live.upstream.on("POST", "/v1/text-to-speech/", Reply(body=[b"ID3", b"\xff\xfb"] * 4, abort_after=3))

    chat = call(live, "llm-chat")
    tts = call(live, "tts")
    analyze = call(live, "analyze")

    check(live, [chat, tts], {502}, LLM_BOUND)
    assert analyze.status == 200  # the stream had started: it ends with an error frame instead
    frames = [json.loads(f[len("data: ") :]) for f in analyze.body.decode().strip().split("\n\n")]
    assert [f["type"] for f in frames] == ["metadata", "chunk", "error"]
    assert "closed before the stream ended" in frames[-1]["error"]
    for secret in secrets_of(live):
        assert secret.encode() not in analyze.body
    answer_like_the_real_apis(live.upstream)
    stored = live.aws("s3").list_objects_v2(Bucket="vela-live-tts-audio").get("KeyCount", 0)

    recovered(live, ["llm-chat", "analyze", "tts"])
    assert live.aws("s3").list_objects_v2(Bucket="vela-live-tts-audio")["KeyCount"] == stored + 1
    record("upstream connection cut mid-body", "llm-chat, tts", [chat, tts], LLM_BOUND, "yes (no partial audio stored)")
    record("upstream connection cut mid-stream", "analyze (SSE)", [analyze], LLM_BOUND,
           "yes (200 + error frame: the status was sent)")  # fmt: skip
