"""Log output of the service: secrets masked in every field, JSON lines (deployed) or plain text (local).

- `redact`/`redact_value`: mask DSQL/SigV4 presigned tokens, JWTs and key/password parameters, as
  defence in depth (code must not log them in the first place).
- `RedactSecretsFilter`: on our handler; masks the message *and* every extra field of a record.
- `JsonFormatter`: Powertools' `LambdaPowertoolsFormatter` (one JSON object per line: timestamp, level,
  logger, message, location, the request id of the request being served, any `extra` fields); used
  with RedactSecretsFilter on the same handler, it masks what it adds itself (the exception text).
- `TextFormatter`: the human-readable line for `make run` (`VELA_LOG_FORMAT=text`), masked as a whole.
- `RequestIdFilter`: puts the id of the request being served (`current_request_id`, set by
  `vela.middleware.AccessLogMiddleware`) on every record as `request_id`.
"""

from __future__ import annotations

import logging
import os
import re
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.logging.formatter import RESERVED_LOG_ATTRS, LambdaPowertoolsFormatter

# DSQL/SigV4 presigned tokens, bearer JWTs, and common key parameters.
_PATTERNS = [
    (re.compile(r"(X-Amz-(?:Signature|Security-Token|Credential)=)[^&\s'\"]+"), r"\1[REDACTED]"),
    (re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"), "[REDACTED-JWT]"),
    (
        re.compile(r"(?i)((?:api[_-]?key|xi-api-key|password|authorization)[\"']?\s*[:=]\s*[\"']?)[^\s,'\"&]+"),
        r"\1[REDACTED]",
    ),
    (re.compile(r"([?&]key=)[^&\s'\"]+"), r"\1[REDACTED]"),
]
# Field names whose value is a secret whatever it looks like.
_SECRET_KEYS = re.compile(r"(?i)^(?:.*api[_-]?key|authorization|password|secret|token|id_?token|access_?token)$")

current_request_id: ContextVar[str | None] = ContextVar("vela_request_id", default=None)

# LogRecord attributes that are not `extra` fields (Powertools' list), as a set for C-level differences.
_RESERVED = frozenset(RESERVED_LOG_ATTRS)
_PLAIN = (bool, int, float, type(None))


# Every pattern above needs one of these; one search decides for the common case (nothing to mask).
_MAYBE_SECRET = re.compile(r"(?i)x-amz-|eyJ|key|password|authorization")


def redact(text: str) -> str:
    if not _MAYBE_SECRET.search(text):
        return text
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact_value(value: Any) -> Any:
    """`value` with every string inside it masked (dicts and lists walked; other objects as masked str)."""
    if isinstance(value, str):
        return redact(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, dict):
        return {
            key: "[REDACTED]" if isinstance(key, str) and _SECRET_KEYS.match(key) and item else redact_value(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):
        return [redact_value(item) for item in value]
    return redact(str(value))


class RedactSecretsFilter(logging.Filter):
    """Masks the message and every `extra` field of a record (in place, for every handler after ours)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        fields = record.__dict__
        for key in fields.keys() - _RESERVED:  # the extra fields (and request_id), not the ~25 standard ones
            if not isinstance(value := fields[key], _PLAIN):
                fields[key] = redact_value(value)
        return True


class RequestIdFilter(logging.Filter):
    """`request_id` on every record: the request being served, or (for Django's own `django.request`
    records, written after the middleware has finished) the request the record names."""

    def filter(self, record: logging.LogRecord) -> bool:
        if "request_id" not in record.__dict__:
            request_id = current_request_id.get()
            if request_id is None and (request := record.__dict__.get("request")) is not None:
                request_id = getattr(request, "request_id", None)
            record.request_id = request_id
        return True


class JsonFormatter(LambdaPowertoolsFormatter):
    """One JSON object per line; keys with no value (no request id outside a request) are left out.

    The line is Powertools' (same keys, order, message and exception handling, serializer), built
    directly: Powertools' own `format` copies the record and %-formats a template per key, about half
    of an access record's cost. Powertools' `append_keys` context is not used by this service.
    """

    def __init__(self) -> None:
        super().__init__(
            log_record_order=["timestamp", "level", "logger", "message"],
            utc=True,
            use_rfc3339=True,
            serialize_stacktrace=False,  # `exception` already carries the formatted traceback
        )

    def format(self, record: logging.LogRecord) -> str:
        log: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": None,
            "location": f"{record.funcName}:{record.lineno}",
        }
        fields = record.__dict__
        log.update({key: value for key, value in fields.items() if key not in _RESERVED})
        log["message"] = self._extract_log_message(log_record=record)
        exception, exception_name, exception_notes = self._extract_log_exception(log_record=record)
        log["exception"] = log.get("exception", exception)
        log["exception_name"] = log.get("exception_name", exception_name)
        log["exception_notes"] = log.get("exception_notes", exception_notes)
        if trace := os.environ.get("_X_AMZN_TRACE_ID"):  # Lambda sets it per invocation
            log["xray_trace_id"] = trace.split(";")[0].replace("Root=", "")
        return self.serialize({key: value for key, value in log.items() if value is not None})

    def serialize(self, log: Any) -> str:
        # RedactSecretsFilter (same handler) already masked the message and every extra field; what
        # the formatter adds itself is the exception text.
        for key in ("exception", "exception_notes", "stack_trace"):
            if key in log:
                log[key] = redact_value(log[key])
        return super().serialize(log)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))
