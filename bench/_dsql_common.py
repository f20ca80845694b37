"""Shared by the DSQL benches: local fake credentials and Django set up (import this first), a
DATABASES-entry completer and the timed connect + SELECT 1 + close."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vela.settings")
# Fixed local credentials: tokens are signed locally, and the stand-in is configured with the same pair.
os.environ["AWS_ACCESS_KEY_ID"] = "AKIDVELABENCH000001"
os.environ["AWS_SECRET_ACCESS_KEY"] = "vela-bench-secret"
os.environ.pop("AWS_SESSION_TOKEN", None)
os.environ.pop("AWS_PROFILE", None)
os.environ["AWS_REGION"] = os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
os.environ["VELA_READ_DOT_ENV"] = "false"

import django

django.setup()

from django.db import connections  # noqa: E402


def complete(settings_dict: dict[str, Any]) -> dict[str, Any]:
    """A DATABASES entry with Django's defaults filled in."""
    return connections.configure_settings({"default": {"ENGINE": "django.db.backends.dummy"}, "x": settings_dict})["x"]


def connect_select_close(wrapper_cls: type, settings_dict: dict[str, Any]) -> float:
    """Seconds for a new wrapper to connect, run SELECT 1 and close."""
    started = time.perf_counter()
    wrapper = wrapper_cls(settings_dict, "bench")
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    wrapper.close()
    return time.perf_counter() - started
