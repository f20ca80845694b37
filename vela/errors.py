"""Domain errors. Services and repositories raise these; `vela.exception_handler` turns them into JSON.

No DRF imports here: the hierarchy is usable from commands and repositories alike.
"""

from __future__ import annotations


class ApplicationError(Exception):
    """Base of every error the API answers with `{"error": message, "code": code}`."""

    status_code = 500
    code = "error"
    # Route-specific body fields kept from the original API (e.g. `fields`), merged into the answer.
    extra: dict[str, object] | None = None

    def __init__(self, message: str, *, code: str | None = None, status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status_code is not None:
            self.status_code = status_code


class BadRequestError(ApplicationError):
    status_code = 400
    code = "bad_request"


class UnauthorizedError(ApplicationError):
    status_code = 401
    code = "unauthorized"


class ForbiddenError(ApplicationError):
    status_code = 403
    code = "forbidden"


class NotFoundError(ApplicationError):
    status_code = 404
    code = "not_found"


class ConflictError(ApplicationError):
    status_code = 409
    code = "conflict"


class UpstreamError(ApplicationError):
    """A dependency (AWS, an HTTP upstream) failed in a way the caller cannot fix."""

    status_code = 502
    code = "upstream_error"


class UpstreamTimeoutError(UpstreamError):
    status_code = 504
    code = "upstream_timeout"


class ServiceMisconfiguredError(ApplicationError):
    """A setting the route needs is missing (table, bucket, pool id...)."""

    status_code = 500
    code = "misconfigured"
