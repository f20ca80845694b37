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

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

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
    """`requests.request` through the shared session, always with a timeout.

    Every failure to send is a `requests.RequestException` (callers map those to 502/504): a header
    value HTTP cannot carry (outside Latin-1, CR/LF - e.g. a stored API key) is `InvalidHeader`
    before anything is sent, never a bare UnicodeEncodeError (a 500). The value is not echoed.
    """
    for name, value in (kwargs.get("headers") or {}).items():
        if isinstance(value, str) and not _sendable(value):
            raise requests.exceptions.InvalidHeader(f"header {name!r} has characters HTTP cannot carry")
    return session().request(method, url, timeout=timeout, **kwargs)


def _sendable(value: str) -> bool:
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return "\r" not in value and "\n" not in value and "\x00" not in value
