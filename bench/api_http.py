"""`GET /api/profiles` over HTTP under gunicorn: server CPU per request beside the raw boto3 floor, and
where the app's CPU goes.

One run, one moto server (moto's app under gunicorn gthread, HTTP keep-alive, in its own process) for
DynamoDB and the Cognito pool whose real ID tokens the app verifies. The app runs as deployed without
Lambda: `gunicorn vela.wsgi:application` (gthread, 2 workers x 4 threads, tests/live_stack.start_app),
access records on (INFO) and EMF metrics on, their lines sent to /dev/null.

1. Interleaved rounds of (a) 8 keep-alive clients sending `GET /api/profiles` with their own token,
   server CPU = utime+stime of the gunicorn master and workers (/proc/<pid>/stat) before/after,
   divided by the requests (target <= 1.5 ms); (b) the floor: the same 8 clients' raw boto3
   `get_item` of the same items from this process over HTTP to the same moto server (the app's
   client configuration), CPU = thread_time of the calling threads.
   With `--compare DIR`, a second gunicorn serves another checkout (e.g. the main branch) beside this one,
   in the same rounds: before/after in one run.
2. The breakdown: the same WSGI application in this process (same settings, same moto), each layer's
   exclusive CPU (bench/_layers.py); what the server spends beyond the in-process WSGI call is gunicorn's
   (HTTP parsing, socket I/O, worker threads).

    .venv/bin/python bench/api_http.py [--rounds 6] [--requests 40] [--breakdown 400]
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))  # first: bench/ (this script's folder) has an srs.py too

import _layers  # noqa: E402
from _clients import Work, under_clients  # noqa: E402
from _stack import BENCH_ENV  # noqa: E402
from api_latency import app_output_to_devnull, say  # noqa: E402
from local_aws import point_aws_at, setup_cognito, start_keepalive_moto, stop_process  # noqa: E402

from tests.live_stack import prepare_aws, stack_env, start_app, stop_app  # noqa: E402

CLIENTS = 8
TARGET_MS = 1.5
TICK = os.sysconf("SC_CLK_TCK")


def sub_of(token: str) -> str:
    payload = token.split(".")[1]
    return str(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sub"])


def process_tree_cpu(root: int) -> float:
    """CPU seconds (user + system, all threads) of `root` and its children (the gunicorn workers)."""
    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry) == root or int(fields[1]) == root:  # fields[1]: ppid
            total += (int(fields[11]) + int(fields[12])) / TICK  # utime, stime
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=6, help="interleaved app/floor rounds")
    parser.add_argument("--requests", type=int, default=40, help="requests per client per round")
    parser.add_argument("--breakdown", type=int, default=400, help="in-process requests for the breakdown")
    parser.add_argument("--profile", type=int, default=0, help="also cProfile this many in-process requests")
    parser.add_argument(
        "--compare", type=Path, help="another checkout (e.g. /work/main) served beside this one, rounds interleaved"
    )
    args = parser.parse_args()

    os.environ.update(BENCH_ENV)
    moto, endpoint = start_keepalive_moto()
    try:
        point_aws_at(endpoint)
        cognito = setup_cognito(endpoint)
        env = stack_env(
            moto_url=endpoint, cognito=cognito, standin_port=9, upstream_url="http://127.0.0.1:9", debug=False
        )
        env |= {"DJANGO_LOG_LEVEL": "INFO", "VELA_METRICS_ENABLED": "true"}
        prepare_aws(env)
        tokens = [cognito.new_user(f"http{i}@example.com", "Vela-bench-1")["id"] for i in range(CLIENTS)]
        apps = [start_app(env, workers=2, threads=4, output=subprocess.DEVNULL)]
        if args.compare:
            apps.append(start_app(env, workers=2, threads=4, output=subprocess.DEVNULL, root=args.compare))
        try:
            run(args, env, apps, tokens)
        finally:
            for app, _ in apps:
                stop_app(app)
    finally:
        stop_process(moto)


def run(
    args: argparse.Namespace, env: dict[str, str], apps: list[tuple[subprocess.Popen[bytes], str]], tokens: list[str]
) -> None:
    # This process gets the app's settings too: the floor uses its client configuration, the breakdown its code.
    os.environ.update(env)
    with app_output_to_devnull():
        import vela.wsgi  # noqa: F401 - sets Django up, its logging onto /dev/null
    from django.conf import settings

    table = settings.DYNAMODB_TABLES["profiles"]
    # The stack's floor beside the app (bench/_floor_app.py): gunicorn -> Django -> one DRF APIView making
    # the raw get_item, nothing else; the same requests (token header included) plus the item's key.
    floor_env = env | {"DJANGO_SETTINGS_MODULE": "_floor_app", "FLOOR_TABLE": table, "PYTHONPATH": str(ROOT)}
    floor_app = start_app(
        floor_env, workers=2, threads=4, output=subprocess.DEVNULL, root=ROOT / "bench", app="_floor_app:application"
    )
    try:
        measure(args, env, [*apps, floor_app], tokens, table)
    finally:
        stop_app(floor_app[0])


def measure(
    args: argparse.Namespace,
    env: dict[str, str],
    apps: list[tuple[subprocess.Popen[bytes], str]],
    tokens: list[str],
    table: str,
) -> None:
    """Part 1 for `apps` (this checkout, `--compare`'s if given, the stack floor last) and the boto3 floor."""
    app_work, floor_work, reconnect = client_work(env, apps, tokens, table)
    floor_base = apps[-1][1]
    names = ["this checkout"] + ([str(args.compare)] if args.compare else []) + ["stack floor"]
    say(
        f"1. GET /api/profiles over HTTP, gunicorn gthread 2x4 ({' and '.join(names)}), {CLIENTS} keep-alive "
        f"clients, {args.rounds} interleaved rounds x {args.requests} requests per client; load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    server_ms: dict[str, list[float]] = {base: [] for _, base in apps}
    floor_ms: list[float] = []
    n = CLIENTS * args.requests
    for _ in range(args.rounds):
        for app, base in apps:
            reconnect(base)
            before = process_tree_cpu(app.pid)
            under_clients(app_work[base], args.requests)  # server CPU is read from /proc around it
            server_ms[base].append((process_tree_cpu(app.pid) - before) / n * 1000)
        floor_ms.append(sum(under_clients(floor_work, args.requests)[0]) / n)
    floor = statistics.median(floor_ms)
    say(
        f"   raw boto3 get_item floor {floor:.3f} ms/request (client CPU; rounds "
        f"{', '.join(f'{v:.2f}' for v in floor_ms)})"
    )
    for name, (_, base) in zip(names, apps, strict=True):
        server = statistics.median(server_ms[base])
        say(
            f"   {name}: server CPU {server:.3f} ms/request (rounds {', '.join(f'{v:.2f}' for v in server_ms[base])})"
            f"   app/floor {server / floor:.2f}x   app - floor {server - floor:.3f} ms   target <= {TARGET_MS} ms   "
            f"{'OK' if server <= TARGET_MS else 'MISSED'}"
        )
    this = statistics.median(server_ms[apps[0][1]])
    if args.compare:
        other = statistics.median(server_ms[apps[1][1]])
        say(f"   this checkout / {args.compare}: {this / other:.2f}x   ({this - other:+.3f} ms per request)")
    stack = statistics.median(server_ms[floor_base])
    say(
        f"   the stack floor alone (gunicorn + Django + DRF + the boto3 get_item, nothing of ours) costs "
        f"{stack:.3f} ms: "
        f"the {TARGET_MS} ms target {'is' if stack <= TARGET_MS else 'is NOT'} reachable on this stack here; this "
        f"checkout is {this - stack:+.3f} ms ({this / stack:.2f}x) above it"
    )
    say(f"   load average now {os.getloadavg()[0]:.1f}")
    breakdown(args.breakdown, tokens[0], this, profile=args.profile)


def client_work(
    env: dict[str, str],
    apps: list[tuple[subprocess.Popen[bytes], str]],
    tokens: list[str],
    table: str,
) -> tuple[Mapping[str, Sequence[Work]], Sequence[Work], Callable[[str], None]]:
    """Each app's clients (one keep-alive session per token; the stack floor's headers name the user) and the
    boto3 floor's, warmed; with `reconnect(base)`, which opens an app's connections anew."""
    import boto3
    import requests

    from vela.aws import UNVALIDATED_CLIENT_CONFIG

    floor_base = apps[-1][1]
    auth = [{"Authorization": f"Bearer {token}"} for token in tokens]
    floor_headers = [{**header, "X-Floor-User": sub_of(token)} for header, token in zip(auth, tokens, strict=True)]
    headers = {base: floor_headers if base == floor_base else auth for _, base in apps}
    sessions = {base: [requests.Session() for _ in tokens] for _, base in apps}

    def app_call(session: requests.Session, base: str, header: dict[str, str]) -> None:
        response = session.get(f"{base}/api/profiles", headers=header, timeout=30)
        assert response.status_code == 200, response.text

    def reconnect(base: str) -> None:
        """gunicorn closes connections idle for 2 s (its --keep-alive) while the others run: open new
        ones, outside the measured window."""
        for session, header in zip(sessions[base], headers[base], strict=True):
            session.close()
            app_call(session, base, header)

    raw = boto3.session.Session().client(
        "dynamodb", endpoint_url=env["AWS_ENDPOINT_URL"], region_name="us-east-1", config=UNVALIDATED_CLIENT_CONFIG
    )
    keys = [{"user_id": {"S": sub_of(token)}} for token in tokens]
    app_work = {
        base: [
            lambda i, s=s, b=base, h=h: app_call(s, b, h) for s, h in zip(sessions[base], headers[base], strict=True)
        ]
        for _, base in apps
    }
    floor_work = [lambda i, k=k: raw.get_item(TableName=table, Key=k) for k in keys]
    for _ in range(3):  # warm: profiles created, tokens verified and cached in both workers, pools open
        for _, base in apps:
            under_clients(app_work[base], 5)
        under_clients(floor_work, 5)
    assert "Item" in raw.get_item(TableName=table, Key=keys[0])
    return app_work, floor_work, reconnect


def breakdown(requests: int, token: str, server_ms: float, *, profile: int) -> None:
    from werkzeug.test import EnvironBuilder

    from profiles.views import ProfileDetailView
    from vela.wsgi import application

    environ = EnvironBuilder(
        path="/api/profiles", base_url="http://127.0.0.1", headers=[("Authorization", f"Bearer {token}")]
    ).get_environ()

    def call() -> None:
        statuses: list[str] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            statuses.append(status)
            return None

        body = application({**environ, "wsgi.input": io.BytesIO()}, start_response)
        b"".join(body)
        assert statuses[0].startswith("200"), statuses

    for _ in range(50):
        call()
    c0 = time.thread_time()
    for _ in range(requests):
        call()
    plain_ms = (time.thread_time() - c0) / requests * 1000
    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()  # wall clock: moto answers from another process (its wait is recv_into)

        def calls() -> None:
            for _ in range(profile):
                call()

        profiler.runcall(calls)
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(80)
        say(f"   cProfile of {profile} requests, by cumulative time:\n{text.getvalue()}")
    _layers.instrument(through_zappa=False)
    _layers.patch_view(ProfileDetailView)
    for _ in range(20):
        call()
    _layers.reset()
    for _ in range(requests):
        call()
    say(
        f"2. where it goes: the same WSGI app in this process, {requests} sequential requests; {plain_ms:.3f} ms "
        f"CPU per request uninstrumented; exclusive CPU per layer (instrumented, ~1 us per layer added):"
    )
    say(
        _layers.table(
            requests,
            rows=(
                (
                    "gunicorn: HTTP parsing, sockets, worker threads (server - in-process)",
                    (server_ms - plain_ms) * 1000,
                ),
            ),
        )
    )
    say(f"   load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
