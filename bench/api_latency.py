"""API latency and CPU per request through Zappa's Lambda handler, against one embedded moto server.

The app runs as deployed: access records (INFO) and EMF metrics on, their lines sent to /dev/null.

1. `GET /api/profiles` through `zappa.handler.LambdaHandler` in-process (API Gateway v1 event, Cognito
   token verified), interleaved with a raw boto3 `get_item` of the same item: prints the medians and the
   overhead (CPU target <= 0.35 ms), then the exclusive CPU of each layer (bench/_layers.py).
2. CPU milliseconds per request (`time.thread_time` deltas of the calling thread: the handler runs
   there, moto answers on its own threads) under 8 concurrent clients, for `GET /api/profiles`
   (target <= 1.7 ms) and `POST /api/progress/game-session` (target <= 3.35 ms).

    .venv/bin/python bench/api_latency.py [--rounds 400] [--requests 150]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import _layers  # noqa: E402
from _clients import cycling, under_clients  # noqa: E402
from _floor_app import zappa_settings_text  # noqa: E402
from _stack import start_local_aws  # noqa: E402
from local_aws import point_aws_at, start_keepalive_moto, stop_process  # noqa: E402

HOST = "abc123.execute-api.us-east-1.amazonaws.com"
CLIENTS = 8
TARGETS = {"overhead": 0.35, "GET /api/profiles": 1.7, "POST /api/progress/game-session": 3.35}
REPORT = sys.stdout


def say(text: str) -> None:
    print(text, file=REPORT, flush=True)


@contextlib.contextmanager
def app_output_to_devnull() -> Iterator[None]:
    """Around the request that sets Django up: the app's log lines (the console handler takes sys.stderr
    when Django configures logging) and EMF lines (sys.stdout) go to /dev/null for the whole run, as on
    Lambda they cost a write nobody reads here; `say` reports to the real stdout."""
    quiet = open(os.devnull, "w")
    sys.stdout = quiet
    stderr, sys.stderr = sys.stderr, quiet
    try:
        yield
    finally:
        sys.stderr = stderr


def prepare_environment() -> tuple[Any, Any, str]:
    # As deployed (zappa_settings log_level INFO: access records on; metrics on wherever
    # AWS_LAMBDA_FUNCTION_NAME is set).
    return start_local_aws(DJANGO_ALLOWED_HOSTS=HOST, DJANGO_LOG_LEVEL="INFO", VELA_METRICS_ENABLED="true")


def zappa_settings_module() -> Path:
    """`zappa save-python-settings-file dev`, with Zappa's event DEBUG logging off (it would log the
    Authorization header) as a production stage should run; put on sys.path. Returns the folder of a
    second copy whose DJANGO_SETTINGS is the floor app (bench/_floor_app.py)."""
    target = Path(tempfile.mkdtemp(prefix="vela-bench-zappa-")) / "zappa_settings.py"
    zappa = Path(sys.executable).parent / "zappa"
    env = {**os.environ, "VIRTUAL_ENV": str(Path(sys.executable).parent.parent)}
    subprocess.run(
        [str(zappa), "save-python-settings-file", "dev", "-o", str(target)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    text = target.read_text().replace("DEBUG=True", "DEBUG=False").replace("LOG_LEVEL='DEBUG'", "LOG_LEVEL='WARNING'")
    target.write_text(text)
    sys.path.insert(0, str(target.parent))
    floor = Path(tempfile.mkdtemp(prefix="vela-bench-zappa-floor-"))
    (floor / "zappa_settings.py").write_text(zappa_settings_text(text))
    return floor


def stack_floor(settings_dir: Path, table: str, user_id: str, rounds: int) -> dict[str, float]:
    """bench/_floor_app.py's Lambda floor, measured in a fresh process of its own (Django settings are
    per process) against the same moto server: CPU medians of the floor handler and of get_item."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "_floor_app.py"), str(settings_dir), table, user_id, str(rounds)],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "_floor_app"},
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise RuntimeError(f"the floor run failed:\n{done.stderr[-3000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


class FakeContext:
    aws_request_id = "bench"
    function_name = "vela-api-dev"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:vela-api-dev"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


def v1_event(method: str, path: str, token: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    headers = {"Host": HOST, "Authorization": f"Bearer {token}", "Accept": "application/json"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    return {
        "resource": "/api/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": {"proxy": path.removeprefix("/api/")},
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/api/{proxy+}",
            "httpMethod": method,
            "path": f"/dev{path}",
            "stage": "dev",
            "requestId": "bench",
            "identity": {"sourceIp": "127.0.0.1", "userAgent": "vela-bench"},
        },
        "body": json.dumps(body) if body is not None else None,
        "isBase64Encoded": False,
    }


GAME = {
    "game_type": "vocabulary",
    "score": 80,
    "duration_seconds": 95,
    "questions_answered": 10,
    "correct_answers": 8,
    "experience_gained": 20,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=400, help="interleaved rounds for the latency part")
    parser.add_argument("--requests", type=int, default=150, help="requests per client for the CPU part")
    parser.add_argument("--no-keepalive-reference", action="store_true", help="skip the keep-alive reference run")
    args = parser.parse_args()

    server, cognito, endpoint = prepare_environment()
    floor_settings = zappa_settings_module()
    invoke = start_app()
    tokens = []
    for i in range(CLIENTS):
        tokens.append(cognito.new_user(f"bench{i}@example.com", "Vela-bench-1")["id"])

    # --- 1. latency: handler vs raw get_item, interleaved ----------------------------------
    profile_event = v1_event("GET", "/api/profiles", tokens[0])
    latency_beside_get_item(invoke, profile_event, endpoint, floor_settings, args.rounds)
    token_verification_cost(tokens[0])

    # --- 2. CPU per request under 8 concurrent clients --------------------------------------
    say(
        f"2. app CPU per request (thread_time of the calling thread), {CLIENTS} concurrent clients x "
        f"{args.requests} requests; DynamoDB = the ThreadedMotoServer (werkzeug closes every connection)"
    )
    cpu_per_request(invoke, tokens, args.requests)
    if not args.no_keepalive_reference:
        keepalive_reference(invoke, tokens, args.requests)
        from vela.aws import reset_clients

        point_aws_at(endpoint)  # part 3 runs against part 1's server again (the keep-alive one is stopped)
        reset_clients()
    from profiles.views import ProfileDetailView

    title = "3. where part 1's handler CPU goes: exclusive CPU per layer of GET /api/profiles"
    layer_breakdown(invoke, profile_event, args.rounds, ProfileDetailView, title)
    server.stop()


def start_app() -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Zappa's handler as a function of the event; Django is set up by its first invocation (as on a cold
    Lambda), then the tables are made."""
    from zappa.handler import LambdaHandler

    def invoke(event: dict[str, Any]) -> dict[str, Any]:
        return LambdaHandler.lambda_handler(event, FakeContext())

    with app_output_to_devnull():
        warm = invoke(v1_event("GET", "/api/health", "x"))
    assert warm["statusCode"] == 200, warm
    from django.core.management import call_command

    call_command("dynamodb_tables", "create", stdout=io.StringIO())
    return invoke


def latency_beside_get_item(
    invoke: Callable[[dict[str, Any]], dict[str, Any]],
    profile_event: dict[str, Any],
    endpoint: str,
    floor_settings: Path,
    rounds: int,
) -> None:
    """Part 1: the handler and a raw boto3 get_item of the same row, interleaved, then the stack's floor."""
    import boto3
    from django.conf import settings

    first = invoke(profile_event)
    assert first["statusCode"] == 200, first
    user_id = json.loads(first["body"])["profile"]["user_id"]
    # The baseline gets the app's own client configuration, so the difference is the app's work.
    from vela.aws import UNVALIDATED_CLIENT_CONFIG

    raw = boto3.session.Session().client(
        "dynamodb", endpoint_url=endpoint, region_name="us-east-1", config=UNVALIDATED_CLIENT_CONFIG
    )
    table = settings.DYNAMODB_TABLES["profiles"]
    handler_ms, raw_ms, handler_cpu, raw_cpu = interleaved_rounds(
        invoke, profile_event, raw, table, {"user_id": {"S": user_id}}, rounds
    )
    paired = statistics.median(h - r for h, r in zip(handler_ms, raw_ms, strict=True))
    overhead = statistics.median(handler_ms) - statistics.median(raw_ms)
    say(
        f"1. GET /api/profiles via Zappa LambdaHandler (v1 event, token verified), {rounds} interleaved rounds; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    say(
        f"   handler median {statistics.median(handler_ms):.3f} ms   raw boto3 get_item median "
        f"{statistics.median(raw_ms):.3f} ms"
    )
    say(
        f"   wall-clock overhead {overhead:.3f} ms (median of paired differences {paired:.3f} ms; the moto thread's "
        "GIL contention and machine load make wall-clock figures noisy)"
    )
    handler_cpu_ms, raw_cpu_ms = statistics.median(handler_cpu), statistics.median(raw_cpu)
    cpu_overhead = handler_cpu_ms - raw_cpu_ms
    say(
        f"   CPU of the same calls: handler {handler_cpu_ms:.3f} ms, get_item {raw_cpu_ms:.3f} ms, overhead "
        f"{cpu_overhead:.3f} ms (handler/get_item {handler_cpu_ms / raw_cpu_ms:.2f}x)   target <= "
        f"{TARGETS['overhead']} ms   {'OK' if cpu_overhead <= TARGETS['overhead'] else 'MISSED'}"
    )
    floor = stack_floor(floor_settings, table, user_id, rounds)
    floor_overhead = floor["handler"] - floor["get_item"]
    say(
        f"   the stack's own floor (bench/_floor_app.py: Zappa -> Django -> one DRF APIView making the same get_item, "
        f"no middleware/auth/validation/logging; own process, same moto): handler {floor['handler']:.3f} ms, "
        f"get_item {floor['get_item']:.3f} ms, overhead {floor_overhead:.3f} ms   (target <= {TARGETS['overhead']} ms "
        f"{'is' if floor_overhead <= TARGETS['overhead'] else 'is NOT'} reachable on this stack here; ours is "
        f"{cpu_overhead - floor_overhead:+.3f} ms above the floor)"
    )


def interleaved_rounds(
    invoke: Callable[[dict[str, Any]], dict[str, Any]],
    event: dict[str, Any],
    raw: Any,
    table: str,
    key: dict[str, Any],
    rounds: int,
) -> tuple[list[float], list[float], list[float], list[float]]:
    """After 30 warm-up pairs, `rounds` pairs of (handler, raw get_item): wall ms and CPU ms of each."""
    for _ in range(30):
        invoke(event)
        raw.get_item(TableName=table, Key=key)
    handler_ms, raw_ms, handler_cpu, raw_cpu = [], [], [], []
    for _ in range(rounds):
        c0, t0 = time.thread_time(), time.perf_counter()
        response = invoke(event)
        c1, t1 = time.thread_time(), time.perf_counter()
        raw.get_item(TableName=table, Key=key)
        c2, t2 = time.thread_time(), time.perf_counter()
        assert response["statusCode"] == 200
        handler_ms.append((t1 - t0) * 1000)
        raw_ms.append((t2 - t1) * 1000)
        handler_cpu.append((c1 - c0) * 1000)
        raw_cpu.append((c2 - c1) * 1000)
    return handler_ms, raw_ms, handler_cpu, raw_cpu


def token_verification_cost(token: str) -> None:
    """Verified tokens are cached until `exp`; show what a first sight of a token costs as well."""
    import vela.identity

    misses = []
    for _ in range(200):
        vela.identity._verified.clear()
        c0 = time.thread_time()
        vela.identity.verify_token(token)
        misses.append((time.thread_time() - c0) * 1000)
    say(
        f"   (token verification, first sight of a token per process: {statistics.median(misses):.3f} ms CPU "
        "median; later requests with it hit the verified-token cache)"
    )


def layer_breakdown(invoke: Any, event: dict[str, Any], requests: int, view: type, title: str) -> None:
    """`requests` sequential invocations of `event` through Zappa's handler, instrumented (bench/_layers.py,
    `view`'s handler as its own layer); prints `title` and the exclusive CPU per layer."""
    _layers.instrument(through_zappa=True)
    _layers.patch_view(view)
    for _ in range(20):
        invoke(event)
    _layers.reset()
    for _ in range(requests):
        response = invoke(event)
        assert response["statusCode"] == 200, response  # a failing request would be timed as if it were one
    load = os.getloadavg()[0]
    say(f"{title}, {requests} sequential requests (instrumented, ~1 us per layer added); load average {load:.1f}")
    say(_layers.table(requests))


def keepalive_reference(invoke: Any, tokens: list[str], requests: int) -> None:
    """Part 2 again with DynamoDB behind a keep-alive server (moto's app under gunicorn gthread), to show
    how much of the CPU above is TCP connect/teardown forced by werkzeug's `Connection: close`."""
    from django.core.management import call_command

    from vela.aws import reset_clients

    process, endpoint = start_keepalive_moto()
    try:
        point_aws_at(endpoint)
        reset_clients()
        call_command("dynamodb_tables", "create", stdout=io.StringIO())
        say("   reference, DynamoDB behind a keep-alive server (moto's app under gunicorn gthread):")
        cpu_per_request(invoke, tokens, requests)
    finally:
        stop_process(process)


def cpu_per_request(invoke: Any, tokens: list[str], requests: int) -> None:
    def invoke_ok(event: dict[str, Any]) -> None:
        response = invoke(event)
        assert response["statusCode"] == 200, response

    for label, method, path, body in (
        ("GET /api/profiles", "GET", "/api/profiles", None),
        ("POST /api/progress/game-session", "POST", "/api/progress/game-session", GAME),
    ):
        # One list of events per client; game sessions cycle through accuracies 0..100 % so each
        # user's running average keeps moving (no help from skipping unchanged writes).
        variants = [{**body, "correct_answers": k} for k in range(11)] if body is not None else [None]
        per_client = [[v1_event(method, path, token, variant) for variant in variants] for token in tokens]
        for events in per_client:
            assert invoke(events[0])["statusCode"] == 200
        cpu, wall = under_clients([cycling(invoke_ok, events) for events in per_client], requests)
        mean, median = statistics.fmean(cpu), statistics.median(cpu)
        target = TARGETS[label]
        say(
            f"   {label:34} mean {mean:.3f} ms  median {median:.3f} ms  target <= {target} ms  "
            f"{'OK' if mean <= target else 'MISSED'}   ({len(cpu) / wall:.0f} req/s wall, moto included)"
        )


if __name__ == "__main__":
    main()
