"""SC-004: no reference to the retired Aurora RDS cluster (Data API, aurora-postgresql engine, database
secrets in Secrets Manager) anywhere in code or configuration. Scans every tracked or new file."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
THIS = Path(__file__).resolve()
# docs/deploy.md explains the migration and names what was removed.
ALLOWED = {ROOT / "docs" / "deploy.md"}
# Database secrets specifically: other Secrets Manager uses (API keys) are not legacy.
LEGACY = re.compile(
    r"rds[-_]data|aurora[-_]postgresql|secret[-_]?arn|aurora[-_]?secret|db[-_]?secret|db[-_]credentials|"
    r"AWS::RDS::|aws_rds_cluster|aws_secretsmanager_secret|engine_mode",
    re.IGNORECASE,
)


def repo_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    return [ROOT / name for name in listed if (ROOT / name).is_file()]


def test_scan_covers_code_and_config() -> None:
    names = {path.relative_to(ROOT).as_posix() for path in repo_files()}

    assert {"zappa_settings.json", "vela/settings.py", "deploy/policy.py", "requirements.txt"} <= names


def test_no_legacy_aurora_rds_reference() -> None:
    hits = []
    for path in repo_files():
        if path.resolve() == THIS or path in ALLOWED:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if LEGACY.search(line):
                hits.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")

    assert hits == []


def test_pattern_catches_what_it_should() -> None:
    samples = ["rds-data:ExecuteStatement", 'engine = "aurora-postgresql"', "AURORA_SECRET_ARN", "secretArn=..."]

    assert all(LEGACY.search(sample) for sample in samples)
    assert not LEGACY.search("dsql:DbConnect on the cluster ARN")
