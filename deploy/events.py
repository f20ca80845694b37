"""Events as Lambda delivers them to Zappa's handler: API Gateway (REST v1 proxy, HTTP API v2) and
EventBridge schedules (`events` in zappa_settings.json)."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlencode

API_HOST = "abc123defg.execute-api.us-east-1.amazonaws.com"


def _body(raw: bytes | None, base64_body: bool) -> str | None:
    if raw is None:
        return None
    return base64.b64encode(raw).decode() if base64_body else raw.decode()


def rest_v1(
    method: str = "GET",
    path: str = "/api/health",
    *,
    query: dict[str, str] | None = None,
    body: str | bytes | None = None,
    headers: dict[str, str] | None = None,
    stage: str = "dev",
    base64_body: bool = False,
) -> dict[str, Any]:
    all_headers = {"Host": API_HOST, "Accept": "application/json", "X-Forwarded-Proto": "https", **(headers or {})}
    raw = body.encode() if isinstance(body, str) else body
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": all_headers,
        "multiValueHeaders": {k: [v] for k, v in all_headers.items()},
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": {k: [v] for k, v in (query or {}).items()} or None,
        "pathParameters": {"proxy": path.lstrip("/")},
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/{proxy+}",
            "httpMethod": method,
            "path": f"/{stage}{path}",
            "stage": stage,
            "requestId": "req-v1",
            "identity": {"sourceIp": "203.0.113.9", "userAgent": "pytest"},
        },
        "body": _body(raw, base64_body),
        "isBase64Encoded": bool(base64_body and raw is not None),
    }


def http_v2(
    method: str = "GET",
    path: str = "/api/health",
    *,
    query: dict[str, str] | None = None,
    body: str | bytes | None = None,
    headers: dict[str, str] | None = None,
    stage: str = "$default",
    base64_body: bool = False,
) -> dict[str, Any]:
    all_headers = {"host": API_HOST, "accept": "application/json", "x-forwarded-proto": "https", **(headers or {})}
    raw = body.encode() if isinstance(body, str) else body
    raw_path = path if stage == "$default" else f"/{stage}{path}"
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": raw_path,
        "rawQueryString": urlencode(query or {}),
        "headers": all_headers,
        "queryStringParameters": query or None,
        "requestContext": {
            "http": {"method": method, "path": raw_path, "protocol": "HTTP/1.1", "sourceIp": "203.0.113.9"},
            "stage": stage,
            "requestId": "req-v2",
            "domainName": API_HOST,
        },
        "body": _body(raw, base64_body),
        "isBase64Encoded": bool(base64_body and raw is not None),
    }


def scheduled(rule_name: str, *, region: str = "us-east-1", account: str = "123456789012") -> dict[str, Any]:
    """An EventBridge "Scheduled Event" from rule `rule_name` (Zappa finds the function in the rule name)."""
    return {
        "version": "0",
        "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": account,
        "time": "2026-12-01T10:00:00Z",
        "region": region,
        "resources": [f"arn:aws:events:{region}:{account}:rule/{rule_name}"],
        "detail": {},
    }


class FakeContext:
    """The parts of the Lambda context Zappa's handler reads."""

    function_name = "vela-api-dev"
    aws_request_id = "req-context"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:vela-api-dev"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000
