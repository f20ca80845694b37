"""A logging filter that masks secrets, as defence in depth: code must not log them in the first place."""

from __future__ import annotations

import logging
import re

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


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
