"""The ground floor (`vela/`) imports no feature app: apps build on it, never the other way round.

Read from the source with `ast`, so a lazy import inside a function counts too; `include("x.urls")`
strings in vela/urls.py are references Django resolves, not imports.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FEATURE_APPS = frozenset(
    "profiles progress games sentences chat_history tts llm auth_proxy health workspace srs dictionary".split()
)


def imported_modules(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def feature_imports(package: Path) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in sorted(package.rglob("*.py"))
        for line, module in imported_modules(path)
        if module.split(".")[0] in FEATURE_APPS
    ]


def test_vela_imports_no_feature_app():
    assert feature_imports(ROOT / "vela") == []


def test_the_check_sees_lazy_imports(tmp_path):
    (tmp_path / "m.py").write_text("def f():\n    from health.services import dsql_probe\n    import tts.views\n")

    found = [module for _, module in imported_modules(tmp_path / "m.py")]

    assert found == ["health.services", "tts.views"]
    assert {m.split(".")[0] for m in found} <= FEATURE_APPS
