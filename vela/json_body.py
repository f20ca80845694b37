"""Read a request body as a JSON object, whatever its Content-Type (as the original routes did).

Routes whose original parsed the raw body themselves (llm-chat, analyze, the auth proxy) use this
instead of DRF's parser so that a missing or wrong Content-Type still works and a malformed body is
a 400 with the route's own message, never a 500.
"""

from __future__ import annotations

import json
from typing import Any

from rest_framework.request import Request

from vela.errors import BadRequestError


def json_object(request: Request, *, message: str = "Invalid JSON") -> dict[str, Any]:
    """The body as a dict; BadRequestError(`message`, code="malformed_json") for anything else."""
    raw = request.body
    try:
        data = json.loads(raw.decode("utf-8")) if raw.strip() else None
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise BadRequestError(message, code="malformed_json") from exc
    if not isinstance(data, dict):
        raise BadRequestError(message, code="malformed_json")
    return data
