"""The built Lambda zip: contents, bytecode, sizes, and a request served from it by a bare python3.12 -S."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

from deploy import events
from deploy.packaging import BOTOCORE_SERVICES, ZIP_LIMIT, find_python312
from tests.vela.test_layering import FEATURE_APPS

pytestmark = pytest.mark.slow

RUNNER = Path(__file__).resolve().parents[2] / "deploy" / "task_runner.py"


@pytest.fixture(scope="module")
def task_root(package: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("task")
    with zipfile.ZipFile(package.path) as archive:
        archive.extractall(root)
    return root


def top_level(package: Any) -> set[str]:
    with zipfile.ZipFile(package.path) as archive:
        return {name.split("/")[0] for name in archive.namelist()}


def test_zip_holds_the_app_and_no_test_tools(package: Any) -> None:
    names = top_level(package)

    assert {"handler.py", "zappa_settings.py", "vela", "health", "dsql_backend", "django", "boto3"} <= names
    assert not names & {"tests", "pytest", "_pytest", "moto", "ruff", "pytest_django", "bench", "docs", ".env", "pip"}


def test_every_pyc_is_unchecked_hash_for_this_python(package: Any) -> None:
    magic = importlib.util.MAGIC_NUMBER  # the test venv is Python 3.12, as is the runtime
    with zipfile.ZipFile(package.path) as archive:
        pycs = [n for n in archive.namelist() if n.endswith(".pyc")]
        pys = [n for n in archive.namelist() if n.endswith(".py")]
        headers = {archive.read(n)[:8] for n in pycs}

    assert len(pycs) >= 0.9 * len(pys)
    # bytes 4-8 are the flags: 0b01 = hash-based, check_source bit clear = unchecked
    assert {h[:4] for h in headers} == {magic}
    assert {int.from_bytes(h[4:8], "little") for h in headers} == {0b01}


def test_botocore_keeps_only_the_models_the_api_calls(package: Any) -> None:
    with zipfile.ZipFile(package.path) as archive:
        services = {n.split("/")[2] for n in archive.namelist() if n.startswith("botocore/data/") and n.count("/") > 3}

    assert services == set(BOTOCORE_SERVICES)


def test_sizes_are_within_lambda_limits_and_target(package: Any) -> None:
    assert package.within_limits
    assert package.zipped <= 25 * 2**20 < ZIP_LIMIT
    assert package.zipped < package.raw_path.stat().st_size or package.unzipped < 250 * 2**20


def run_in_package(task_root: Path, tmp_path: Path, requests: list[dict[str, Any]]) -> tuple[dict[str, Any], str]:
    """Serve `requests` (Lambda events) through the unzipped package in a bare `python3.12 -S`; the
    runner's result (responses, modules imported, ...) and its stderr."""
    events_file = tmp_path / "events.json"
    events_file.write_text(json.dumps(requests))
    done = subprocess.run(
        [find_python312(), "-S", str(RUNNER), str(task_root), str(events_file)],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr


def test_package_serves_requests_in_a_bare_python312(task_root: Path, tmp_path: Path) -> None:
    requests = [
        events.rest_v1("GET", "/api/health"),
        events.http_v2("GET", "/api/nope", query={"a": "b"}),
        events.rest_v1("GET", "/api/internal/dsql-health"),
        {"manage": "check"},
        {"command": "vela.lambda_tasks.dsql_probe_task"},
    ]
    result, stderr = run_in_package(task_root, tmp_path, requests)
    health, missing, dsql, manage, command = result["responses"]
    assert result["no_site"] is True
    assert (health["statusCode"], json.loads(health["body"])) == (200, {"status": "ok"})
    assert (missing["statusCode"], json.loads(missing["body"])["code"]) == (404, "not_found")
    assert json.loads(dsql["body"]) == {"status": "error", "error": "AURORA_DB_ENDPOINT is not configured"}
    assert manage == {}
    assert command["cause"] == "config"
    assert "/var/task/" not in stderr  # no traceback at all


# Imported only by the requests that need them; never by a cold start serving /api/health.
NOT_AT_START = (
    "jwt",  # token verification (PyJWT's crypto)
    "cryptography",
    "psycopg",  # a DSQL connection (DRF imported it through django.contrib.postgres, not shipped)
    "drf_spectacular.openapi",  # schema generation
    "drf_spectacular.plumbing",
    "django.test",
    "django.contrib.postgres",
    "whitenoise",  # the docs page's static files
)
# Django imports every installed app and its models at set-up; anything else of another app (URLconf,
# views, services) is imported by the first request that reaches it.
APP_SETUP_MODULES = ("", ".apps", ".models")


def loaded_too_early(module: str) -> bool:
    package, _, _ = module.partition(".")
    if package in FEATURE_APPS - {"health"}:
        return not any(module == package + suffix for suffix in APP_SETUP_MODULES)
    return any(module == name or module.startswith(name + ".") for name in NOT_AT_START)


def test_first_request_imports_only_what_it_needs(task_root: Path, tmp_path: Path) -> None:
    result, _ = run_in_package(task_root, tmp_path, [events.rest_v1("GET", "/api/health")])
    modules = result["modules"]
    assert result["responses"][0]["statusCode"] == 200
    assert {"health.views", "rest_framework.views", "vela.identity", "profiles.apps"} <= set(modules)
    assert [m for m in modules if loaded_too_early(m)] == []


def test_package_boto3_builds_every_client_it_keeps(task_root: Path, tmp_path: Path) -> None:
    code = (
        f"import sys; sys.path.insert(0, {str(task_root)!r}); import boto3; "
        f"[boto3.client(s, region_name='us-east-1') for s in {list(BOTOCORE_SERVICES)!r}]; "
        "c = boto3.client('dsql', region_name='us-east-1'); "
        "print(c.generate_db_connect_auth_token('abc.dsql.us-east-1.on.aws', 'us-east-1').startswith('abc.'))"
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "x"}

    done = subprocess.run([find_python312(), "-S", "-c", code], capture_output=True, text=True, timeout=60, env=env)

    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "True"
