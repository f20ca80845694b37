"""Fixtures for the deployment tests: Zappa's real handler in-process, a moto server over HTTP, the package."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from deploy.events import API_HOST

ROOT = Path(__file__).resolve().parents[2]
ZAPPA = Path(sys.executable).parent / "zappa"


@pytest.fixture(scope="session")
def zappa_settings_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """`zappa save-python-settings-file dev`: the zappa_settings.py the package would carry."""
    directory = tmp_path_factory.mktemp("zappa-settings")
    subprocess.run(
        [str(ZAPPA), "save-python-settings-file", "dev", "-o", str(directory / "zappa_settings.py")],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    sys.path.insert(0, str(directory))
    yield directory
    sys.path.remove(str(directory))
    sys.modules.pop("zappa_settings", None)


@pytest.fixture
def lambda_handler(zappa_settings_dir: Path, settings: Any) -> Iterator[Any]:
    """Zappa's module-level `lambda_handler`. It copies the stage's environment into os.environ for
    good; the test's environment is restored afterwards. Django's settings are already loaded, so
    the API Gateway host is allowed through the `settings` fixture."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, API_HOST]
    saved = dict(os.environ)
    from zappa.handler import lambda_handler

    yield lambda_handler
    os.environ.clear()
    os.environ.update(saved)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """One ThreadedMotoServer per session; Lambda without Docker (set before anything is deployed)."""
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    requests.post(f"{url}/moto-api/config", json={"lambda": {"use_docker": False}}, timeout=10)
    yield url
    server.stop()


@pytest.fixture
def aws_endpoint(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Every boto3 client of this process (and of subprocesses) goes to the moto server, reset per test."""
    from vela import aws

    requests.post(f"{moto_server}/moto-api/reset", timeout=10)
    requests.post(f"{moto_server}/moto-api/config", json={"lambda": {"use_docker": False}}, timeout=10)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    aws.reset_clients()
    yield moto_server
    aws.reset_clients()


@pytest.fixture(scope="session")
def package(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """`make package` for dev, once per session: real `zappa package` from .venv-package, post-processed."""
    from deploy.packaging import build

    return build("dev", out_dir=tmp_path_factory.mktemp("package"))
