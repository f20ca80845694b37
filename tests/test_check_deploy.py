"""`manage.py check --deploy` with production settings reports nothing (issue 12).

What applies is set in vela/settings.py (HSTS, the API Gateway proxy SSL header, X-Frame-Options DENY);
the rest is silenced there with a one-line reason each. Run in a fresh interpreter, as deployed.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.test import Client

ROOT = Path(__file__).resolve().parent.parent


def test_check_deploy_with_production_settings_is_clean():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env |= {
        "DJANGO_SETTINGS_MODULE": "vela.settings",
        "VELA_READ_DOT_ENV": "false",
        "AWS_LAMBDA_FUNCTION_NAME": "vela-api-prod",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_DEBUG": "false",
        "DJANGO_ALLOWED_HOSTS": "abc123.execute-api.us-east-1.amazonaws.com",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_https_answers_carry_hsts_and_every_answer_deny_framing():
    client = Client()

    behind_api_gateway = client.get("/api/health", HTTP_X_FORWARDED_PROTO="https")
    plain_http = client.get("/api/health")

    assert behind_api_gateway.status_code == 200
    assert behind_api_gateway["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in plain_http
    assert behind_api_gateway["X-Frame-Options"] == plain_http["X-Frame-Options"] == "DENY"
