"""Bounded load: many users' mixed reads and writes through gunicorn on 127.0.0.1 over a moto server.

    .venv/bin/python bench/load.py [--clients 50] [--seconds 20] [--users 40]

The whole service runs as in tests/live_stack.py (gunicorn gthread, moto server, Cognito pool with
real tokens, DSQL stand-in, upstream fakes). `--clients` threads, each with its own keep-alive
connection, loop for `--seconds` over a mix (per 20 requests): 6 GET /api/profiles, 5 POST
/api/progress/game-session, 3 POST /api/my-dictionaries, 2 GET /api/my-dictionaries, 2 GET
/api/games/vocabulary, 1 GET /api/progress/analytics, 1 GET /api/health. Afterwards the DynamoDB
tables are read directly: every acknowledged write must be there exactly once (sessions, saved
sentences) and every counter must equal the sum of the acknowledged games (profile experience, the
days' `games_played`/`experience_gained`). Prints p50/p99 per route and overall; exits 1 on any 5xx,
transport error or lost update. `tests/live/test_load_smoke.py` runs a short version in the suite.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MIX = (
    ["profile"] * 6 + ["game"] * 5 + ["save"] * 3 + ["list"] * 2 + ["vocab"] * 2 + ["analytics", "health"]
)  # fmt: skip


@dataclass
class User:
    sub: str
    email: str
    token: str
    games: int = 0
    experience: int = 0
    saved: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class LoadResult:
    requests: int
    seconds: float
    statuses: Counter[int]
    server_errors: list[str]
    transport_errors: list[str]
    latencies: dict[str, list[float]]
    lost: list[str]

    def percentile(self, route: str | None, q: float) -> float:
        values = sorted(v for r, vs in self.latencies.items() if route in (None, r) for v in vs)
        return values[min(len(values) - 1, int(q * len(values)))] * 1000 if values else 0.0

    def report(self) -> str:
        lines = [
            f"{self.requests} requests in {self.seconds:.1f} s ({self.requests / self.seconds:.0f}/s); "
            f"statuses {dict(sorted(self.statuses.items()))}; 5xx {len(self.server_errors)}; "
            f"transport errors {len(self.transport_errors)}; lost updates {len(self.lost)}",
            f"{'route':<10} {'n':>6} {'p50 ms':>8} {'p99 ms':>8}",
        ]
        for route in sorted(self.latencies):
            lines.append(
                f"{route:<10} {len(self.latencies[route]):>6} {self.percentile(route, 0.5):>8.1f}"
                f" {self.percentile(route, 0.99):>8.1f}"
            )
        p50, p99 = self.percentile(None, 0.5), self.percentile(None, 0.99)
        lines.append(f"{'all':<10} {self.requests:>6} {p50:>8.1f} {p99:>8.1f}")
        return "\n".join(lines)


def _claims(token: str) -> dict[str, Any]:
    import base64
    import json

    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def make_users(live: Any, count: int, prefix: str = "load") -> list[User]:
    import requests

    users = []
    for index in range(count):
        email = f"{prefix}-{index}@example.com"
        token = live.new_user(email)["id"]
        users.append(User(sub=_claims(token)["sub"], email=email, token=token))
        # The profile exists before the load (the first GET creates it), so every game's experience lands.
        answer = requests.get(live.url("/api/profiles"), headers={"Authorization": f"Bearer {token}"}, timeout=30)
        answer.raise_for_status()
    return users


def random_game(rng: random.Random) -> dict[str, Any]:
    """A game session with random score, duration, answers and experience (in that order from `rng`)."""
    return {
        "game_type": "vocabulary",
        "score": rng.randint(0, 100),
        "duration_seconds": rng.randint(10, 300),
        "questions_answered": 10,
        "correct_answers": rng.randint(0, 10),
        "experience_gained": rng.randint(1, 50),
    }


def route_calls(game: dict[str, Any], sentence: str) -> dict[str, tuple[str, str, dict[str, Any] | None]]:
    """Method, path and body of each kind of request in MIX."""
    return {
        "profile": ("GET", "/api/profiles", None),
        "game": ("POST", "/api/progress/game-session", game),
        "save": ("POST", "/api/my-dictionaries", {"sentence": sentence}),
        "list": ("GET", "/api/my-dictionaries?limit=20", None),
        "vocab": ("GET", "/api/games/vocabulary?limit=5", None),
        "analytics": ("GET", "/api/progress/analytics", None),
        "health": ("GET", "/api/health", None),
    }


def run_load(live: Any, *, clients: int, seconds: float, users: int, seed: int = 12) -> LoadResult:
    import requests

    people = make_users(live, users)
    statuses: Counter[int] = Counter()
    server_errors: list[str] = []
    transport_errors: list[str] = []
    latencies: dict[str, list[float]] = defaultdict(list)
    record = threading.Lock()
    stop_at = time.monotonic() + seconds
    counter = iter(range(10**9))

    def client(number: int) -> None:
        rng = random.Random(seed * 1000 + number)
        http = requests.Session()
        while time.monotonic() < stop_at:
            user = rng.choice(people)
            kind = rng.choice(MIX)
            headers = {"Authorization": f"Bearer {user.token}"}
            game = random_game(rng)
            sentence = f"負荷テスト {number}-{next(counter)}"
            method, path, body = route_calls(game, sentence)[kind]
            started = time.perf_counter()
            try:
                answer = http.request(method, live.url(path), json=body, headers=headers, timeout=30)
            except requests.RequestException as exc:
                with record:
                    transport_errors.append(f"{kind}: {exc.__class__.__name__}")
                continue
            took = time.perf_counter() - started
            with record:
                statuses[answer.status_code] += 1
                latencies[kind].append(took)
                if answer.status_code >= 500:
                    server_errors.append(f"{kind} {answer.status_code} {answer.text[:200]}")
            if answer.status_code == 200 and kind == "game":
                with user.lock:
                    user.games += 1
                    user.experience += game["experience_gained"]
            elif answer.status_code in (200, 201) and kind == "save":
                with user.lock:
                    user.saved.add(sentence)

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return LoadResult(
        requests=sum(statuses.values()),
        seconds=elapsed,
        statuses=statuses,
        server_errors=server_errors,
        transport_errors=transport_errors,
        latencies=dict(latencies),
        lost=check_totals(live, people),
    )


def _scan(ddb: Any, table: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for page in ddb.get_paginator("scan").paginate(TableName=table):
        items.extend(page["Items"])
    return items


def check_totals(live: Any, people: list[User]) -> list[str]:
    """Every acknowledged write is stored exactly once; every counter is the sum of them."""
    ddb = live.aws("dynamodb")
    sessions = Counter(item["user_id"]["S"] for item in _scan(ddb, "vela-game-sessions"))
    days: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for item in _scan(ddb, "vela-daily-progress"):
        days[item["user_id"]["S"]][0] += int(item.get("games_played", {}).get("N", "0"))
        days[item["user_id"]["S"]][1] += int(float(item.get("experience_gained", {}).get("N", "0")))
    experience = {
        item["user_id"]["S"]: int(float(item.get("total_experience", {}).get("N", "0")))
        for item in _scan(ddb, "vela-profiles")
    }
    saved: dict[str, list[str]] = defaultdict(list)
    for item in _scan(ddb, "vela-saved-sentences"):
        saved[item["user_id"]["S"]].append(item["sentence"]["S"])
    lost = []
    for user in people:
        expected = (user.games, user.games, user.experience, user.experience, sorted(user.saved))
        found = (
            sessions[user.sub], days[user.sub][0], days[user.sub][1], experience.get(user.sub, 0),
            sorted(saved[user.email]),
        )  # fmt: skip
        if expected != found:
            lost.append(
                f"{user.email}: sessions/games_played/day experience/profile experience/saved "
                f"expected {expected[:4]} + {len(expected[4])} saved, found {found[:4]} + {len(found[4])} saved"
            )
    return lost


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    args = parser.parse_args()
    for name, value in {
        "AWS_ACCESS_KEY_ID": "AKIDVELABENCH000001",
        "AWS_SECRET_ACCESS_KEY": "vela-bench-secret",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        os.environ.setdefault(name, value)
    from tests.live_stack import live_stack

    with live_stack(workers=args.workers, threads=16) as live:
        print(f"==> {args.clients} clients x {args.seconds:g} s, {args.users} users, gunicorn {live.base_url}")
        result = run_load(live, clients=args.clients, seconds=args.seconds, users=args.users)
    print(result.report())
    for problem in (result.server_errors + result.transport_errors + result.lost)[:20]:
        print("  !", problem)
    return 1 if result.server_errors or result.transport_errors or result.lost else 0


if __name__ == "__main__":
    raise SystemExit(main())
