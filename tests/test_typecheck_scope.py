"""mypy checks every package of the project: a new app left out of `[tool.mypy] files` fails here.

Read from pyproject.toml, so the test and `make typecheck` (bare `mypy`) agree on the scope; no package may
have its errors silenced by an `ignore_errors` override.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Not checked yet (see the comment above `files` in pyproject.toml).
NOT_YET = frozenset({"tests"})


def mypy_config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]


def test_every_package_is_in_mypy_files():
    packages = {path.parent.name for path in ROOT.glob("*/__init__.py")} | {"scripts", "bench"}
    assert sorted(packages - NOT_YET - set(mypy_config()["files"])) == []


def test_no_package_has_its_errors_ignored():
    assert [o["module"] for o in mypy_config().get("overrides", []) if o.get("ignore_errors")] == []
