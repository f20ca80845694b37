"""Django's own `tests/` for the pinned version: fetched once as the sdist and cached (scripts/django_suite.py).

`pip download --no-binary :all: Django==<version>` into `~/.cache/vela/django-sdist`
(`VELA_DJANGO_SDIST_CACHE` overrides); only `tests/` is extracted; nothing is vendored in the repository.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from pathlib import Path


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def sdist_tests(version: str) -> Path:
    """Django's `tests/` directory of `version`, from the cached sdist (downloaded once)."""
    cache = Path(os.environ.get("VELA_DJANGO_SDIST_CACHE", Path.home() / ".cache" / "vela" / "django-sdist"))
    cache.mkdir(parents=True, exist_ok=True)
    tests = cache / f"django-{version}" / "tests"
    if (tests / "runtests.py").exists():
        return tests
    archive = cache / f"django-{version}.tar.gz"
    if not archive.exists():
        say(f"downloading the Django {version} sdist into {cache} (once; reused afterwards)")
        subprocess.run(  # noqa: S603 - fixed argv, our interpreter
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--disable-pip-version-check",
                "--no-deps",
                "--no-binary",
                ":all:",
                f"Django=={version}",
                "-d",
                str(cache),
            ],
            check=True,
        )
    say(f"extracting tests/ from {archive.name}")
    prefix = f"django-{version}/tests/"
    with tarfile.open(archive) as tar:
        members = [m for m in tar.getmembers() if m.name.startswith(prefix)]
        tar.extractall(cache, members=members, filter="data")
    return tests
