"""The Jisho boundary (HEAD §6): one GET, bounded as a whole, its payload checked against HEAD's shape.

`search(word)` returns the entries as plain records or raises `vela.errors` with HEAD's messages:
unreachable, non-2xx or non-JSON -> 502 `Jisho API request failed`; a payload of the wrong shape ->
502 `Invalid Jisho API response`; no answer within DICTIONARY_UPSTREAM_TIMEOUT -> 504.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.conf import settings

from vela import http
from vela.errors import UpstreamError, UpstreamTimeoutError

logger = logging.getLogger("vela.dictionary")

SEARCH_PATH = "/api/v1/search/words"
MAX_BODY_BYTES = 4 * 1024 * 1024  # a Jisho page is ~20-100 KB
# encodeURIComponent leaves A-Z a-z 0-9 - _ . ! ~ * ' ( ) as they are; quote() always keeps the first five.
_URI_COMPONENT_SAFE = "!~*'()"


@dataclass(frozen=True, slots=True)
class Variant:
    word: str | None
    reading: str | None


@dataclass(frozen=True, slots=True)
class Entry:
    japanese: tuple[Variant, ...]
    definitions: tuple[str, ...]  # every sense's english_definitions, in order
    jlpt: tuple[str, ...]
    is_common: bool


class _Invalid(Exception):
    pass


def search_url(word: str) -> str:
    return f"{settings.JISHO_API_BASE_URL}{SEARCH_PATH}?keyword={quote(word, safe=_URI_COMPONENT_SAFE)}"


def search(word: str) -> list[Entry]:
    try:
        fetched = http.fetch(
            "GET", search_url(word), bound=float(settings.DICTIONARY_UPSTREAM_TIMEOUT), max_bytes=MAX_BODY_BYTES
        )
    except http.FetchTimedOut as exc:
        logger.warning("Jisho request timed out")
        raise UpstreamTimeoutError("Jisho API request timed out", code="jisho_timeout") from exc
    except http.FetchFailed as exc:
        logger.warning("Jisho request failed: %s", exc)
        raise UpstreamError("Jisho API request failed", code="jisho_request_failed") from exc
    if not fetched.ok:
        logger.warning("Jisho answered %s", fetched.status)
        raise UpstreamError("Jisho API request failed", code="jisho_request_failed")
    try:
        payload = json.loads(fetched.body)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        logger.warning("Jisho answered a body that is not JSON")
        raise UpstreamError("Jisho API request failed", code="jisho_request_failed") from exc
    try:
        return parse(payload)
    except _Invalid as exc:
        logger.warning("Jisho payload has an unexpected shape: %s", exc)
        raise UpstreamError("Invalid Jisho API response", code="jisho_invalid_response") from exc


def parse(payload: Any) -> list[Entry]:
    """HEAD's Zod shape: `{data: [{japanese?: [{word?, reading?}], senses?: [{english_definitions?: str[]}],
    jlpt?: str[], is_common?: bool}]}`; unknown keys ignored, absent ones defaulted."""
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), list):
        raise _Invalid("data is not an array")
    return [_entry(raw) for raw in payload["data"]]


def _entry(raw: Any) -> Entry:
    if not isinstance(raw, dict):
        raise _Invalid("entry is not an object")
    variants = []
    for variant in _array(raw, "japanese"):
        if not isinstance(variant, dict):
            raise _Invalid("japanese variant is not an object")
        variants.append(Variant(word=_optional_text(variant, "word"), reading=_optional_text(variant, "reading")))
    definitions: list[str] = []
    for sense in _array(raw, "senses"):
        if not isinstance(sense, dict):
            raise _Invalid("sense is not an object")
        definitions.extend(_strings(sense, "english_definitions"))
    common = raw.get("is_common", False)
    if not isinstance(common, bool):
        raise _Invalid("is_common is not a boolean")
    return Entry(tuple(variants), tuple(definitions), tuple(_strings(raw, "jlpt")), common)


def _array(raw: dict[str, Any], name: str) -> list[Any]:
    value = raw.get(name, [])  # Zod's .optional().default([]): absent -> []; null is a mismatch
    if not isinstance(value, list):
        raise _Invalid(f"{name} is not an array")
    return value


def _strings(raw: dict[str, Any], name: str) -> list[str]:
    values = _array(raw, name)
    if not all(isinstance(value, str) for value in values):
        raise _Invalid(f"{name} holds a non-string")
    return values


def _optional_text(raw: dict[str, Any], name: str) -> str | None:
    if name not in raw:
        return None
    value = raw[name]
    if not isinstance(value, str):
        raise _Invalid(f"{name} is not a string")
    return value
