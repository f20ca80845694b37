"""Turn AWS failures into a CommandError that names the cause and the fix (never a bare traceback)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from botocore.exceptions import (
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    WaiterError,
)
from django.core.management.base import CommandError

from vela.aws import client_error_code

_QUOTA = {"ServiceQuotaExceededException", "LimitExceededException", "LimitExceeded", "VpcLimitExceeded"}
_THROTTLE = {"ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded"}
_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnrecognizedClientException"}
_RERUN = "Provisioning is idempotent: rerun the same command; `teardown_stage` removes whatever was created."


def explain(exc: Exception, action: str, service: str, region: str) -> CommandError:
    """A CommandError for `exc`, raised while doing `action` (e.g. "dsql:CreateCluster")."""
    if isinstance(exc, EndpointConnectionError):
        return CommandError(
            f"{action} failed: no {service} endpoint answers in region {region!r}. If the region does not offer "
            f"{service} (Aurora DSQL is in a subset of regions), set aws_region in zappa_settings.json to one that "
            f"does, e.g. us-east-1. {_RERUN}"
        )
    if isinstance(exc, NoCredentialsError | NoRegionError):
        return CommandError(f"{action} failed: {exc}. Configure AWS credentials and region (AWS_PROFILE or env vars).")
    if isinstance(exc, WaiterError):
        return CommandError(f"{action}: gave up waiting ({exc.last_response.get('Error', exc)}). {_RERUN}")
    if not isinstance(exc, ClientError):
        return CommandError(f"{action} failed: {exc}")
    error = exc.response.get("Error", {})
    code, message = client_error_code(exc) or "Unknown", " ".join(str(error.get("Message", "")).split())
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    if message.startswith("<"):  # an HTML error page, not an AWS error document
        message = f"HTTP {status}"
    message = message[:300]
    if code in _QUOTA:
        fix = "request a higher quota in Service Quotas (or delete unused resources of that kind), then rerun."
        return CommandError(f"{action} failed: quota exceeded ({code}: {message}). Fix: {fix} {_RERUN}")
    if code in _THROTTLE:
        return CommandError(f"{action} was throttled after retries ({code}). Fix: wait a minute and rerun. {_RERUN}")
    if code in _DENIED:
        return CommandError(
            f"{action} was denied ({code}: {message}). Fix: give the deploying principal {action} "
            "(see docs/deploy.md, 'Permissions of the deployer'), then rerun."
        )
    if code == "ConflictException" and "deletion protection" in message.lower():
        return CommandError(
            f"{action} failed: deletion protection is on for the cluster. Fix: rerun teardown with "
            "--disable-deletion-protection (production keeps it on until then)."
        )
    if status == 500 and service == "dsql":
        return CommandError(
            f"{action} failed with an internal error in region {region!r} ({code}: {message}). If the region does "
            f"not offer Aurora DSQL, set aws_region to one that does (e.g. us-east-1). {_RERUN}"
        )
    return CommandError(f"{action} failed ({code}: {message}). {_RERUN}")


@contextmanager
def aws_call(action: str, service: str, region: str) -> Iterator[None]:
    try:
        yield
    except (ClientError, EndpointConnectionError, NoCredentialsError, NoRegionError, WaiterError) as exc:
        raise explain(exc, action, service, region) from exc
