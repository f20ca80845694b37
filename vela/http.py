"""The one outbound HTTP client (requests + urllib3 Retry), shared by every upstream call.

- one pooled Session per process (warm Lambdas reuse connections);
- bounded retries with backoff, only for idempotent methods (GET/HEAD/PUT/DELETE/OPTIONS) and only
  on connection errors or 502/503/504 - a POST to an LLM or TTS API is never sent twice;
- callers always pass an explicit timeout (`DEFAULT_TIMEOUT` otherwise);
- urllib3's debug logging of request lines is silenced: URLs can carry API keys.
"""

from __future__ import annotations

import logging
import threading
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from vela import metrics

DEFAULT_TIMEOUT = (3.05, 30)
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})

_session: requests.Session | None = None
_lock = threading.Lock()

logging.getLogger("urllib3.connectionpool").setLevel(logging.WARNING)


def retry_policy() -> Retry:
    return Retry(
        total=2,
        connect=2,
        read=1,
        status=2,
        backoff_factor=0.2,
        backoff_jitter=0.1,
        status_forcelist=(502, 503, 504),
        allowed_methods=IDEMPOTENT_METHODS,
        raise_on_status=False,
        respect_retry_after_header=True,
    )


def session() -> requests.Session:
    global _session
    if _session is None:
        with _lock:
            if _session is None:
                new = requests.Session()
                adapter = HTTPAdapter(max_retries=retry_policy(), pool_connections=8, pool_maxsize=16)
                new.mount("https://", adapter)
                new.mount("http://", adapter)
                _session = new
    return _session


def request(method: str, url: str, *, timeout: Any = DEFAULT_TIMEOUT, **kwargs: Any) -> requests.Response:
    """`requests.request` through the shared session, always with a timeout. Failures (no answer, or a
    5xx/429 one) count as `UpstreamErrors` by provider (vela.metrics); the caller still decides what they mean."""
    try:
        response = session().request(method, url, timeout=timeout, **kwargs)
    except requests.RequestException:
        metrics.upstream_failure(provider=provider_of(url))
        raise
    if response.status_code >= 500 or response.status_code == 429:
        metrics.upstream_failure(provider=provider_of(url))
    return response


def provider_of(url: str) -> str:
    """The metric dimension for `url`: the configured provider with the longest base URL it starts with,
    else its host."""
    best, best_length = "", -1
    for provider, setting in _PROVIDERS:
        base = str(getattr(settings, setting, ""))
        if base and url.startswith(base) and len(base) > best_length:
            best, best_length = provider, len(base)
    return best or urlsplit(url).hostname or "unknown"


_PROVIDERS = (
    ("elevenlabs", "ELEVENLABS_API_BASE_URL"),
    ("gemini", "GOOGLE_API_BASE_URL"),
    ("openrouter", "OPENROUTER_API_BASE_URL"),
)
