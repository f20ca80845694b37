"""Cached boto3 clients, one per (service, region, endpoint) per process, so warm Lambdas reuse them.

Every client honours botocore's own `AWS_ENDPOINT_URL`; DynamoDB additionally honours the original
API's `DDB_ENDPOINT`/`DDB_REGION`.
"""

from __future__ import annotations

import threading
from typing import Any

import boto3
import botocore
import botocore.loaders
import botocore.session
from botocore.config import Config
from botocore.exceptions import ClientError
from django.conf import settings

_clients: dict[tuple[str, str, str | None, bool], Any] = {}
_resources: dict[tuple[str, str | None], Any] = {}
_lock = threading.Lock()

# Short timeouts and standard retries (with backoff and jitter) for every AWS call.
# A fixed User-Agent: botocore otherwise rebuilds and sanitises its full UA string (per character)
# twice per call, about a tenth of a DynamoDB request's CPU here (see bench/api_latency.py).
CLIENT_CONFIG = Config(
    connect_timeout=3,
    read_timeout=10,
    retries={"max_attempts": 4, "mode": "standard"},
    max_pool_connections=32,
    user_agent=f"vela-api Botocore/{botocore.__version__}",
)
# For callers that build every request by hand (the DynamoDB repositories' attribute-value maps):
# botocore's per-call parameter validation is ~6% of a request's CPU and catches nothing there.
UNVALIDATED_CLIENT_CONFIG = CLIENT_CONFIG.merge(Config(parameter_validation=False))


# Parsed service models never change: one loader for every session this process creates, so
# re-creating clients (tests, endpoint switches) doesn't re-read and re-parse the JSON models.
_loader = botocore.loaders.create_loader()


def _session() -> boto3.session.Session:
    core = botocore.session.get_session()
    core.register_component("data_loader", _loader)
    session = boto3.session.Session(botocore_session=core)
    paths = _loader.search_paths  # boto3 appends its data directory on every session
    paths[:] = list(dict.fromkeys(paths))
    return session


def client(service: str, *, region: str | None = None, endpoint_url: str | None = None, validate: bool = True) -> Any:
    region = region or settings.AWS_REGION
    key = (service, region, endpoint_url, validate)
    found = _clients.get(key)
    if found is None:
        with _lock:  # boto3's default session is not thread-safe while creating clients
            found = _clients.get(key)
            if found is None:
                found = _session().client(
                    service,
                    region_name=region,
                    endpoint_url=endpoint_url,
                    config=CLIENT_CONFIG if validate else UNVALIDATED_CLIENT_CONFIG,
                )
                _clients[key] = found
    return found


def dynamodb_client(*, validate: bool = True) -> Any:
    return client("dynamodb", region=settings.DDB_REGION, endpoint_url=settings.DDB_ENDPOINT or None, validate=validate)


def dynamodb_resource() -> Any:
    key = (settings.DDB_REGION, settings.DDB_ENDPOINT or None)
    found = _resources.get(key)
    if found is None:
        with _lock:
            found = _resources.get(key)
            if found is None:
                found = _session().resource("dynamodb", region_name=key[0], endpoint_url=key[1], config=CLIENT_CONFIG)
                _resources[key] = found
    return found


def dynamodb_table(logical: str) -> Any:
    """The boto3 Table for a logical name of vela.dynamodb_schema (e.g. "profiles")."""
    return dynamodb_resource().Table(settings.DYNAMODB_TABLES[logical])


def client_error_code(exc: ClientError) -> str:
    """The AWS error code of a ClientError (`ResourceNotFoundException`, `404`, ...), or ""."""
    return str(exc.response.get("Error", {}).get("Code", "") or "")


def reset_clients() -> None:
    """Drop cached clients (tests switch between moto modes and endpoints)."""
    with _lock:
        _clients.clear()
        _resources.clear()
