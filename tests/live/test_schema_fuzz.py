"""Schema fuzzing in CI: schemathesis (pinned in requirements-dev.txt) against the live app.

The app runs under gunicorn on 127.0.0.1 with real local parts (tests/live_stack.py: moto server,
Cognito pool with a real token, the DSQL stand-in, upstream fakes). Every phase runs - examples,
coverage, fuzzing (positive and negative data) and stateful sequences along the links schemathesis
infers - three times: with a valid Cognito ID token, without a token, and with a forged one.
Bounded by a fixed seed and a small example count (about a minute in all); zero failures allowed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.live_stack import LiveStack, forged

SEED = 20261201
MAX_EXAMPLES = 10
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "unsupported_method",
    # Not use_after_free: GET /api/srs/progress/<id> answers 200 `{}` after a DELETE, as HEAD does
    # (§13.5, kept so the web client's parser works): the check reads that as "still available".
    "ensure_resource_availability",
]

pytestmark = pytest.mark.slow


def run_schemathesis(live: LiveStack, report: Path, token: str | None) -> dict[str, Any]:
    command = [
        str(Path(sys.executable).with_name("st")), "run", live.url("/api/schema?format=json"),
        "--url", live.base_url, "--checks", ",".join(CHECKS), "--mode", "all",
        "--phases", "examples,coverage,fuzzing,stateful", "--seed", str(SEED), "--max-examples", str(MAX_EXAMPLES),
        "--workers", "2", "--request-timeout", "20", "--max-response-time", "10",
        "--suppress-health-check", "all", "--report", "json", "--report-json-path", str(report),
    ]  # fmt: skip
    if token is not None:
        command += ["--header", f"Authorization: Bearer {token}"]
    # In the test's own folder: schemathesis keeps a crash cache in `.schemathesis/` of its working
    # directory, which would make runs depend on earlier ones and write into the checkout.
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=report.parent)
    summary = json.loads(report.read_text())
    summary["output"] = result.stdout[-20000:]
    return summary


@pytest.mark.parametrize("auth", ["valid-token", "no-token", "forged-token"])
def test_schemathesis_finds_nothing(live: LiveStack, tmp_path: Path, auth: str) -> None:
    token = {"valid-token": live.tokens["id"], "no-token": None, "forged-token": forged(live.tokens["id"])}[auth]

    summary = run_schemathesis(live, tmp_path / "report.json", token)

    cases = summary["test_cases"]
    print(f"schemathesis {auth}: {cases['generated']} test cases, {cases['with_failures']} with failures")
    assert summary["operations"]["tested"] == summary["operations"]["total"] > 20
    assert cases["generated"] > 300
    assert summary["failures"] == [], summary["output"]
    assert summary["errors"] == [], summary["output"]
    assert summary["exit_code"] == 0, summary["output"]
