"""Rooms stay small: no module over 300 code lines, no function over 60, unless REASONS says why.

Code lines are lines holding a token other than a comment or a string standing alone (docstrings), so
explaining costs nothing. Migrations are generated code and are not counted.
"""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULE_LIMIT = 300
FUNCTION_LIMIT = 60
# "path:function" -> why it is longer than FUNCTION_LIMIT. Keep each reason to the point.
REASONS: dict[str, str] = {}
_SKIPPED = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER}


def code_lines(source: str) -> int:
    lines: set[int] = set()
    previous = tokenize.NEWLINE
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        standalone_string = token.type == tokenize.STRING and previous in (tokenize.NEWLINE, tokenize.INDENT)
        if token.type not in _SKIPPED and not standalone_string:
            lines.update(range(token.start[0], token.end[0] + 1))
        if token.type not in (tokenize.COMMENT, tokenize.NL):
            previous = token.type
    return len(lines)


def sources() -> list[Path]:
    folders = [d for d in ROOT.iterdir() if d.is_dir() and (d / "__init__.py").exists() and d.name != "tests"]
    files = [p for folder in [*folders, ROOT / "scripts", ROOT / "bench"] for p in folder.rglob("*.py")]
    return sorted(p for p in files if "migrations" not in p.parts)


def test_the_scan_sees_the_code():
    names = {p.relative_to(ROOT).as_posix() for p in sources()}
    assert {"vela/settings.py", "dsql_backend/schema.py", "srs/scheduler.py", "bench/api_http.py"} <= names


def test_code_lines_ignore_comments_docstrings_and_blank_lines():
    source = (
        '"""Doc."""\n\n# note\ndef f():\n    """Doc\n    more."""\n    x = (\n        "text"\n    )\n    return x\n'
    )
    assert code_lines(source) == 5  # def, x = (, "text", ), return


def test_no_module_is_over_the_limit():
    over = {p.relative_to(ROOT).as_posix(): n for p in sources() if (n := code_lines(p.read_text())) > MODULE_LIMIT}
    assert over == {}


def test_no_function_is_over_the_limit_without_a_reason():
    over: dict[str, int] = {}
    for path in sources():
        source = path.read_text()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                n = code_lines(ast.get_source_segment(source, node) or "")
                name = f"{path.relative_to(ROOT).as_posix()}:{node.name}"
                if n > FUNCTION_LIMIT and name not in REASONS:
                    over[name] = n
    assert over == {}


def test_every_reason_still_applies():
    """A reason outlives its function only by mistake."""
    found = set()
    for path in sources():
        source = path.read_text()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                name = f"{path.relative_to(ROOT).as_posix()}:{node.name}"
                if name in REASONS and code_lines(ast.get_source_segment(source, node) or "") > FUNCTION_LIMIT:
                    found.add(name)
    assert set(REASONS) == found
