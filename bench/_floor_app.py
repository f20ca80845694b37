"""The floor of the stack the service must run on: Zappa's handler (or gunicorn) -> Django -> one DRF
`APIView` that makes the raw boto3 `get_item` of a profile and returns the item, and nothing else (no
middleware, no authentication, no validation, no access record, no metric).

No app built on Django + DRF + boto3 can serve `GET /api/profiles` for less CPU than this, so the
benches print it beside their targets: what the service costs above it is what our code can still win.
This module is the Django settings (`DJANGO_SETTINGS_MODULE=_floor_app`), bench/_floor_urls.py the view;
`FLOOR_TABLE` names the profiles table, the `X-Floor-User` header the item's key.
"""

from __future__ import annotations

import os
from typing import Any

SECRET_KEY = "vela-bench-floor"  # a bench-only settings module, never deployed
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = ["rest_framework"]
USE_I18N = False  # as the service: the package carries no translation files
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "_floor_urls"  # the view and its route (DRF cannot be imported by its settings)
DATABASES: dict[str, Any] = {}
USE_TZ = True
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
}

SERVICE_SETTINGS = "DJANGO_SETTINGS='vela.settings'"  # the line of a Zappa settings module naming the service

_client: Any = None
_wsgi: Any = None


def zappa_settings_text(service: str) -> str:
    """A Zappa settings module's text (`zappa save-python-settings-file`, or the package's
    zappa_settings.py) with DJANGO_SETTINGS pointed at this floor app instead of the service."""
    if SERVICE_SETTINGS not in service:
        raise ValueError(f"the Zappa settings no longer hold {SERVICE_SETTINGS}")
    return service.replace(SERVICE_SETTINGS, "DJANGO_SETTINGS='_floor_app'")


def dynamodb() -> Any:
    """One client per process with the service's own client configuration (timeouts, retries, pool,
    fixed User-Agent, no parameter validation), so the floor's botocore work is the service's."""
    global _client
    if _client is None:
        import boto3

        from vela.aws import UNVALIDATED_CLIENT_CONFIG

        _client = boto3.session.Session().client("dynamodb", region_name="us-east-1", config=UNVALIDATED_CLIENT_CONFIG)
    return _client


def application(environ: dict[str, Any], start_response: Any) -> Any:
    """The WSGI entry for gunicorn (`_floor_app:application`), built on first call."""
    global _wsgi
    if _wsgi is None:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", __name__)
        from django.core.wsgi import get_wsgi_application

        _wsgi = get_wsgi_application()
    return _wsgi(environ, start_response)


def lambda_floor(settings_dir: str, table: str, user_id: str, rounds: int) -> dict[str, float]:
    """In this (fresh) process: `rounds` interleaved pairs of (`GET /api/profiles` through Zappa's
    LambdaHandler into this floor app, the raw `get_item` of the same item); the CPU medians in ms."""
    import statistics
    import sys
    import time

    sys.path.insert(0, settings_dir)  # the bench's zappa_settings.py, DJANGO_SETTINGS = this module
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    os.environ["FLOOR_TABLE"] = table
    from api_latency import FakeContext, v1_event
    from zappa.handler import LambdaHandler

    event = v1_event("GET", "/api/profiles", "unused")
    event["headers"]["X-Floor-User"] = user_id
    event["multiValueHeaders"]["X-Floor-User"] = [user_id]
    key = {"user_id": {"S": user_id}}

    def invoke() -> None:
        response = LambdaHandler.lambda_handler(event, FakeContext())
        assert response["statusCode"] == 200, response
        assert user_id in response["body"], response

    invoke()
    raw = dynamodb()
    for _ in range(30):
        invoke()
        raw.get_item(TableName=table, Key=key)
    handler_cpu, raw_cpu = [], []
    for _ in range(rounds):
        c0 = time.thread_time()
        invoke()
        c1 = time.thread_time()
        raw.get_item(TableName=table, Key=key)
        c2 = time.thread_time()
        handler_cpu.append((c1 - c0) * 1000)
        raw_cpu.append((c2 - c1) * 1000)
    return {"handler": statistics.median(handler_cpu), "get_item": statistics.median(raw_cpu)}


if __name__ == "__main__":
    import json
    import sys

    directory, table_name, user, count = sys.argv[1:5]
    print(json.dumps(lambda_floor(directory, table_name, user, int(count))))
