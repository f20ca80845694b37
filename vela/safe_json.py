"""DRF's JSONParser, hardened: a body nested too deeply for Python's JSON decoder is a 400, not a 500.

`json.loads` raises RecursionError (not ValueError) on e.g. 100 000 `[`, which DRF's parser lets
through. It is REST_FRAMEWORK's default parser, so every view gets it.
"""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class SafeJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError("JSON parse error - nested too deeply") from exc
