"""The one outbound HTTP client (requests + urllib3 Retry), shared by every upstream call.

- one pooled Session per process (warm Lambdas reuse connections);
- bounded retries with backoff: a failed connect (nothing was sent) for any method, a read error or a
  502/503/504 only for idempotent methods (GET/HEAD/PUT/DELETE/OPTIONS) - a POST to an LLM or TTS
  API is never sent twice;
- callers always pass an explicit timeout (`DEFAULT_TIMEOUT` otherwise);
- urllib3's debug logging of request lines is silenced: URLs can carry API keys.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from vela import metrics

DEFAULT_TIMEOUT = (3.05, 30)
CHUNK_SIZE = 64 * 1024
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})

_sessions: dict[bool, requests.Session] = {}  # by "retries on"
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


def _pooled(*, retry: bool) -> requests.Session:
    """The process's pooled session: with `retry_policy()`, or one that never retries (for calls
    whose total time has a hard bound: a retry after a read timeout would double it)."""
    found = _sessions.get(retry)
    if found is None:
        with _lock:
            found = _sessions.get(retry)
            if found is None:
                found = requests.Session()
                adapter = HTTPAdapter(max_retries=retry_policy() if retry else 0, pool_connections=8, pool_maxsize=16)
                found.mount("https://", adapter)
                found.mount("http://", adapter)
                _sessions[retry] = found
    return found


def request(
    method: str, url: str, *, timeout: Any = DEFAULT_TIMEOUT, retry: bool = True, **kwargs: Any
) -> requests.Response:
    """`requests.request` through the shared session, always with a timeout (`retry=False`: one attempt).

    Every failure to send is a `requests.RequestException` (callers map those to 502/504; failures, and 5xx/429 answers,
    count as `UpstreamErrors` by provider in vela.metrics): a header
    value HTTP cannot carry (outside Latin-1, CR/LF - e.g. a stored API key) is `InvalidHeader`
    before anything is sent, never a bare UnicodeEncodeError (a 500). The value is not echoed.
    """
    for name, value in (kwargs.get("headers") or {}).items():
        if isinstance(value, str) and header_value_problem(value, outbound=True):
            raise requests.exceptions.InvalidHeader(f"header {name!r} has characters HTTP cannot carry")
    try:
        response = _pooled(retry=retry).request(method, url, timeout=timeout, **kwargs)
    except requests.RequestException:
        metrics.upstream_failure(provider=provider_of(url))
        raise
    if response.status_code >= 500 or response.status_code == 429:
        metrics.upstream_failure(provider=provider_of(url))
    return response


class FetchFailed(Exception):
    """The upstream could not be reached, or broke off (connection refused/reset, DNS, TLS)."""


class FetchTimedOut(FetchFailed):
    """The whole exchange (connect, headers, body) did not finish within its bound."""


class FetchTooLarge(FetchFailed):
    """The body exceeded the caller's size limit."""


@dataclass(frozen=True, slots=True)
class Fetched:
    status: int
    reason: str
    headers: Mapping[str, str]
    body: bytes

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def fetch(method: str, url: str, *, bound: float, max_bytes: int, retry: bool = False, **kwargs: Any) -> Fetched:
    """One complete exchange whose *total* time (connect, headers and every body byte) stays within
    `bound` seconds: a slow or trickling upstream raises FetchTimedOut, an unreachable one FetchFailed.
    Retries are off by default (POSTs are never sent twice; a retried GET would break the bound)."""
    deadline = time.monotonic() + bound
    try:
        response = request(method, url, timeout=(min(5.0, bound), bound), retry=retry, stream=True, **kwargs)
        with response:
            body = bytearray()
            for chunk in response.iter_content(CHUNK_SIZE):
                body += chunk
                if len(body) > max_bytes:
                    raise FetchTooLarge(f"body over {max_bytes} bytes")
                if time.monotonic() > deadline:
                    raise FetchTimedOut("total bound exceeded while reading the body")
            return Fetched(response.status_code, response.reason or "", response.headers, bytes(body))
    except requests.Timeout as exc:
        raise FetchTimedOut(exc.__class__.__name__) from exc
    except requests.RequestException as exc:
        if time.monotonic() > deadline:  # a read timeout surfacing as a ConnectionError mid-body
            raise FetchTimedOut(exc.__class__.__name__) from exc
        raise FetchFailed(exc.__class__.__name__) from exc


_BEYOND_LATIN_1 = re.compile("[^\x00-\xff]")
_CONTROL = re.compile("[\x00-\x1f\x7f]")  # C0 and DEL
_BREAK_OR_NUL = re.compile("[\r\n\x00]")


def header_value_problem(value: str, *, outbound: bool = False) -> str | None:
    """Why `value` cannot be an HTTP header value, or None if it can: the one rule for header values.

    A value a caller supplies (an API key saved, a key/app name/referer in a request) must be
    Latin-1 (http.client encodes header values so; beyond raises UnicodeEncodeError), with no C0
    control character or DEL and no leading/trailing whitespace (requests refuses a leading one).
    `outbound=True` is the last-line guard `request` applies to every header it sends, checked
    at validation or not: only what HTTP cannot carry at all (beyond Latin-1, CR, LF, NUL).
    """
    if not outbound and value != value.strip():
        return "must not start or end with whitespace"
    if _BEYOND_LATIN_1.search(value):
        return "must contain only Latin-1 characters"
    if (_BREAK_OR_NUL if outbound else _CONTROL).search(value):
        return "must not contain line breaks or other control characters"
    return None


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
    ("gemini-tts", "GEMINI_API_BASE_URL"),
    ("openai", "OPENAI_API_BASE_URL"),
    ("openrouter", "OPENROUTER_API_BASE_URL"),
    ("chutes", "CHUTES_API_BASE_URL"),
    ("jisho", "JISHO_API_BASE_URL"),
)
