"""vela/settings.py read in a fresh interpreter, as a deployed function or a developer would."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.SECRET_KEY[:9], s.DYNAMODB_TABLES['chat_history'], s.AWS_REGION)"
)


def run(**env):
    base = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SECRET_KEY", "AWS_LAMBDA_FUNCTION_NAME"}}
    base |= {"DJANGO_SETTINGS_MODULE": "vela.settings", "VELA_READ_DOT_ENV": "false", **env}
    return subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=base, capture_output=True, text=True)


def test_deployed_function_without_secret_key_refuses_to_start():
    result = run(AWS_LAMBDA_FUNCTION_NAME="vela-api-dev")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set on the deployed function" in result.stderr


def test_local_run_uses_the_dev_key_and_blank_values_mean_defaults():
    # `.env.example` copied as is leaves names blank: they must mean "default", not "".
    result = run(DJANGO_SECRET_KEY="", DDB_TABLE="", DYNAMODB_TABLE_NAME="", AWS_REGION="", AWS_DEFAULT_REGION="")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["vela-loca", "vela-chat-history", "us-east-1"]


def test_deployed_function_with_a_secret_key_starts():
    result = run(AWS_LAMBDA_FUNCTION_NAME="vela-api-dev", DJANGO_SECRET_KEY="a-real-secret-from-remote-env")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "a-real-se"


def test_the_upstream_fixture_points_every_third_party_at_the_fake(upstream):
    """A base URL the fixture forgot would send a test to the real third party."""
    from django.conf import settings

    names = [name for name in dir(settings) if name.endswith("_API_BASE_URL")]
    assert len(names) >= 7
    assert {name: getattr(settings, name) for name in names} == {name: upstream.url for name in names}
