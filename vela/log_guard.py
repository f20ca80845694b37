"""Keep secrets out of third-party loggers, whatever level someone sets them to.

`vela.logging.RedactSecretsFilter` sits on our handler; records also reach other handlers (pytest's
caplog, Lambda's root handler), so filters are attached to the *loggers* that build records from
request/response data: botocore dumps request bodies (passwords, access/refresh tokens) and
response bodies (tokens) at DEBUG, and `botocore.auth` logs SigV4 signatures (presigned URLs) -
those records are dropped outright. Zappa's handler can log whole events (Authorization headers).
"""

from __future__ import annotations

import logging
import re

from vela.logging import redact

# Names where tokens and passwords appear as JSON fields in AWS request/response bodies (also as
# UpdateItem expression values, `":api_key": {"S": ...}`).
_FIELD = re.compile(
    r"(?i)([\"']:?(?:AccessToken|IdToken|RefreshToken|REFRESH_TOKEN|PASSWORD|SECRET_HASH|Session|NewPassword|"
    r"PreviousPassword|ProposedPassword|apiKey|api_key|xi-api-key|x-goog-api-key)[\"']\s*:\s*"
    r"(?:\{\s*[\"']S[\"']\s*:\s*)?b?[\"'])[^\"']*"  # also DynamoDB's typed form {"S": "..."}
)
_SIGNATURE = re.compile(r"(?i)(Signature[=:]\s*)[0-9a-f]{16,}")

DROPPED = ("botocore.auth",)
REDACTED = (
    "botocore",
    "botocore.endpoint",
    "botocore.parsers",
    "botocore.hooks",
    "botocore.retryhandler",
    "botocore.httpsession",
    "botocore.client",
    "botocore.regions",
    "botocore.credentials",
    "botocore.utils",
    "boto3",
    "boto3.resources.action",
    "urllib3",
    "urllib3.connectionpool",
    "urllib3.util.retry",
    "urllib3.response",
    "requests",
    "zappa",
    "zappa.handler",
    "zappa.wsgi",
    "Zappa",
)


def scrub(text: str) -> str:
    return redact(_SIGNATURE.sub(r"\1[REDACTED]", _FIELD.sub(r"\1[REDACTED]", text)))


class ScrubFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed third-party record: keep it unformatted rather than crash logging
            return True
        cleaned = scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class DropFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return False


_installed = False


def install() -> None:
    """Idempotent; called from VelaConfig.ready()."""
    global _installed
    if _installed:
        return
    for name in DROPPED:
        logging.getLogger(name).addFilter(DropFilter())
    for name in REDACTED:
        logging.getLogger(name).addFilter(ScrubFilter())
    _installed = True
