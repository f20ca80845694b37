"""Every probe recorded on a real Aurora DSQL cluster, replayed against the stand-in.

The recordings (``recorded/``, copied verbatim from the DSQL emulator project, see ``recorded/NOTICE``) are
the ground truth; ``recorded/replay-setup.json`` says how they were taken and is followed here: one
autocommit connection runs the set-up (simple protocol), then every single-connection probe in suite order,
each step one statement over the extended protocol (``simple_protocol`` probes: one multi-statement simple
query), a ``ROLLBACK`` after each probe; a probe with ``sessions`` opens one fresh connection per session
and runs them concurrently, ~150 ms between steps. The replay runs once per module (probes depend on the
rows earlier probes left), against a fresh upstream database; each case is then one test id comparing
outcome, SQLSTATE and DSQL's message (errors) or command tag, column names and rows (unless
``ignore_rows``).

Values are rendered the way the recorder (a Go program) printed them: NULL, true/false, a uuid as its 16
bytes ``[0 0 ... 170]``, arrays and records as ``[a b]``.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from dsql_standin import StandIn

from .conftest import HOSTNAME, UPSTREAM_DB, UPSTREAM_HOST, UPSTREAM_PORT, UPSTREAM_USER, base_config, make_token

RECORDED = Path(__file__).parent / "recorded"
SETUP = json.loads((RECORDED / "replay-setup.json").read_text())
STEP_PAUSE = 0.15

# Cases the stand-in cannot answer as DSQL does, each with the PostgreSQL 15 limit that makes it so.
IMPOSSIBLE: dict[str, str] = {
    "occ_write_write": "PG15 row locks make the second writer wait at its UPDATE and fail there (40001), "
    "not at COMMIT; see dsql_standin/README.md 'OCC'",
    "occ_fk_cascade_vs_child_write": "PG15 row locks: the child UPDATE waits for the cascading DELETE and fails "
    "at the statement, not at COMMIT",
    "occ_fk_set_null_vs_child_write": "PG15 row locks: the child UPDATE waits for the SET NULL cascade and fails "
    "at the statement, not at COMMIT",
    "occ_fk_set_default_vs_child_write": "PG15 row locks: the child UPDATE waits for the SET DEFAULT cascade and "
    "fails at the statement, not at COMMIT",
    "occ_multirow_predicate": "PG15 row locks make the second writer wait at its UPDATE and fail there (40001), "
    "not at COMMIT",
    "occ_fk_delete_insert": "PG15 row locks: the FK check waits for the parent DELETE and fails at the INSERT, "
    "not at COMMIT",
    "occ_for_update_vs_write": "PG15 lets a writer proceed after a FOR UPDATE locker commits (a lock is not a "
    "write), so nobody loses",
    "occ_for_key_share_vs_delete": "PG15 lets the DELETE proceed after the FOR KEY SHARE locker commits, so "
    "nobody loses",
    "q_lateral_left_outer_ref": "a DSQL planner defect (42804), not a rule: PG15 plans the LEFT JOIN LATERAL "
    "correctly and no rule refuses it",
    "q_lateral_left_no_outer_where": "a DSQL planner defect (42804), not a rule: PG15 plans the LEFT JOIN "
    "LATERAL correctly",
    "q_lateral_left_outer_ref_cast": "a DSQL planner defect (42804), not a rule: PG15 plans the LEFT JOIN "
    "LATERAL correctly",
}


@dataclass
class Case:
    name: str
    group: str
    steps: list[str]
    observations: list[dict[str, Any]]
    sessions: list[list[dict[str, Any]]] = field(default_factory=list)
    simple_protocol: bool = False
    ignore_rows: bool = False
    conflict_race: bool = False


def load_cases() -> dict[str, Case]:
    cases: dict[str, Case] = {}
    for path in sorted(RECORDED.glob("*.json")):
        if path.name == "replay-setup.json":
            continue
        for raw in json.loads(path.read_text())["cases"]:
            cases[raw["name"]] = Case(
                name=raw["name"],
                group=raw.get("group", path.stem),
                steps=raw.get("steps", []),
                observations=raw.get("observations", []),
                sessions=raw.get("sessions", []),
                simple_protocol=raw.get("simple_protocol", False),
                ignore_rows=raw.get("ignore_rows", False),
                conflict_race=raw.get("conflict_race", False),
            )
    return cases


CASES = load_cases()
ORDER: list[str] = SETUP["suite_order"]


def render(value: Any) -> str:
    """A value as the recorder printed it."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, uuid.UUID):
        return "[" + " ".join(str(b) for b in value.bytes) + "]"
    if isinstance(value, list | tuple):
        return "[" + " ".join(render(v) for v in value) + "]"
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def observe(cur: psycopg.Cursor[Any]) -> dict[str, Any]:
    obs: dict[str, Any] = {"outcome": "ok", "command_tag": cur.statusmessage}
    if cur.description is not None:
        obs["columns"] = [d.name for d in cur.description]
        rows = [[render(v) for v in row] for row in cur.fetchall()]
        if rows:
            obs["rows"] = rows
    return obs


def error_observation(exc: psycopg.Error) -> dict[str, Any]:
    return {"outcome": "error", "sqlstate": exc.sqlstate, "message": exc.diag.message_primary}


def run_step(conn: psycopg.Connection[Any], statement: str) -> dict[str, Any]:
    """One statement over the extended protocol, text results (a prepared statement: Parse, then Bind/Execute)."""
    try:
        with conn.cursor() as cur:
            cur.execute(statement.encode(), prepare=True)  # type: ignore[arg-type]
            return observe(cur)
    except psycopg.Error as exc:
        return error_observation(exc)


def run_simple(conn: psycopg.Connection[Any], query: str) -> dict[str, Any]:
    """One multi-statement simple query; one result per statement."""
    try:
        with conn.cursor() as cur:
            cur.execute(query.encode())  # type: ignore[arg-type]
            results = []
            while True:
                one = observe(cur)
                one.pop("outcome")
                results.append(one)
                if not cur.nextset():
                    break
            return {"outcome": "ok", "results": results}
    except psycopg.Error as exc:
        return error_observation(exc)


class Replay:
    def __init__(self, standin: StandIn, dsql_client: Any) -> None:
        self.standin = standin
        self.client = dsql_client
        self.results: dict[str, Any] = {}

    def connect(self) -> psycopg.Connection[Any]:
        return psycopg.connect(
            host=HOSTNAME,
            hostaddr="127.0.0.1",
            port=self.standin.port,
            dbname="postgres",
            user="admin",
            password=make_token(self.client, "admin"),
            sslmode="disable",
            connect_timeout=5,
            autocommit=True,
            application_name="dsql-recorded-replay",
        )

    def run(self) -> None:
        with self.connect() as main:
            for statement in SETUP["setup"]:
                main.execute(statement.encode())  # type: ignore[arg-type]
            for name in ORDER:
                case = CASES[name]
                if case.sessions:
                    self.results[name] = self.run_sessions(name)
                    continue
                if case.simple_protocol:
                    self.results[name] = [run_simple(main, case.steps[0])]
                else:
                    self.results[name] = [run_step(main, step) for step in case.steps]
                main.execute("ROLLBACK")

    def run_sessions(self, name: str) -> list[list[dict[str, Any]]]:
        scripts: list[list[str]] = SETUP["session_steps"][name]
        conns = [self.connect() for _ in scripts]
        out: list[list[dict[str, Any]]] = [[] for _ in scripts]
        barrier = threading.Barrier(len(scripts))

        def session(i: int) -> None:
            barrier.wait()
            for n, step in enumerate(scripts[i]):
                if n:
                    time.sleep(STEP_PAUSE)
                out[i].append(run_step(conns[i], step))

        threads = [threading.Thread(target=session, args=(i,)) for i in range(len(scripts))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        for conn in conns:
            conn.close()
        return out


@pytest.fixture(scope="module")
def replay(dsql_client: Any) -> Iterator[Replay]:
    database = f"{UPSTREAM_DB}_replay_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    with psycopg.connect(
        host=UPSTREAM_HOST, port=UPSTREAM_PORT, user=UPSTREAM_USER, dbname="postgres", autocommit=True
    ) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))
    with StandIn(base_config(upstream_database=database)) as standin:
        replayed = Replay(standin, dsql_client)
        replayed.run()
        yield replayed


def compare_one(expected: dict[str, Any], got: dict[str, Any], ignore_rows: bool) -> list[str]:
    if expected["outcome"] != got["outcome"]:
        return [f"outcome {got} != recorded {expected}"]
    problems = []
    if expected["outcome"] == "error":
        if got["sqlstate"] != expected["sqlstate"]:
            problems.append(f"SQLSTATE {got['sqlstate']} ({got['message']}) != recorded {expected['sqlstate']}")
        elif "message" in expected and got["message"] != expected["message"]:
            problems.append(f"message {got['message']!r} != recorded {expected['message']!r}")
        return problems
    pairs = list(zip(expected.get("results", [expected]), got.get("results", [got]), strict=False))
    if len(expected.get("results", [])) != len(got.get("results", [])):
        problems.append(f"{len(got.get('results', []))} results != recorded {len(expected.get('results', []))}")
    for exp, res in pairs:
        for key in ("command_tag", "columns"):
            if exp.get(key) != res.get(key):
                problems.append(f"{key} {res.get(key)!r} != recorded {exp.get(key)!r}")
        if not ignore_rows and exp.get("rows", []) != res.get("rows", []):
            problems.append(f"rows {res.get('rows')!r} != recorded {exp.get('rows')!r}")
    return problems


def compare_sessions(case: Case, got: list[list[dict[str, Any]]]) -> list[str]:
    problems: list[str] = []
    if not case.conflict_race:
        for i, (exp_s, got_s) in enumerate(zip(case.sessions, got, strict=True)):
            for n, (exp, res) in enumerate(zip(exp_s, got_s, strict=True)):
                problems += [f"session {i} step {n}: {p}" for p in compare_one(exp, res, case.ignore_rows)]
        return problems
    # Which of two concurrent committers loses is a race on DSQL too: the recorded shape is "every statement
    # as recorded, exactly one session fails at COMMIT with 40001 and DSQL's text, the others commit".
    loser_obs = next(s[-1] for s in case.sessions if s[-1]["outcome"] == "error")
    winner_obs = next(s[-1] for s in case.sessions if s[-1]["outcome"] == "ok")
    losers = 0
    for i, (exp_s, got_s) in enumerate(zip(case.sessions, got, strict=True)):
        for n, (exp, res) in enumerate(zip(exp_s[:-1], got_s[:-1], strict=True)):
            problems += [f"session {i} step {n}: {p}" for p in compare_one(exp, res, True)]
        last = got_s[-1]
        if last["outcome"] == "error":
            losers += 1
            problems += [f"session {i} COMMIT: {p}" for p in compare_one(loser_obs, last, True)]
        else:
            problems += [f"session {i} COMMIT: {p}" for p in compare_one(winner_obs, last, True)]
    if losers != 1:
        problems.append(f"{losers} sessions failed at COMMIT, DSQL fails exactly one")
    return problems


def compare(case: Case, got: Any) -> list[str]:
    if case.sessions:
        return compare_sessions(case, got)
    problems = []
    for n, (exp, res) in enumerate(zip(case.observations, got, strict=True)):
        problems += [f"step {n} ({case.steps[n][:60]}): {p}" for p in compare_one(exp, res, case.ignore_rows)]
    return problems


def _param(name: str) -> Any:
    if name in IMPOSSIBLE:
        return pytest.param(name, id=name, marks=pytest.mark.xfail(reason=IMPOSSIBLE[name], strict=True))
    return pytest.param(name, id=name)


def test_every_recorded_case_is_replayed() -> None:
    assert sorted(ORDER) == sorted(CASES), "suite order and recorded cases differ"
    assert set(IMPOSSIBLE) <= set(CASES)


@pytest.mark.parametrize("name", [_param(n) for n in ORDER])
def test_recorded_probe(replay: Replay, name: str) -> None:
    problems = compare(CASES[name], replay.results[name])
    assert not problems, "\n".join(problems)
