"""Read and update `zappa_settings.json`: one base stage plus stages that `extends` it (shallow)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "zappa_settings.json"


class ZappaSettings:
    def __init__(self, path: Path | str = DEFAULT_PATH) -> None:
        self.path = Path(path)
        try:
            self.data: dict[str, dict[str, Any]] = json.loads(self.path.read_text())
        except FileNotFoundError as exc:
            raise CommandError(f"{self.path} not found: pass --settings-file") from exc

    def stage(self, name: str) -> dict[str, Any]:
        """The stage as Zappa sees it: its own keys over those of the stage it extends (one level deep)."""
        if name not in self.data:
            raise CommandError(f"stage {name!r} is not in {self.path} (stages: {', '.join(sorted(self.data))})")
        own = self.data[name]
        parent = self.data.get(own.get("extends", ""), {})
        return {**parent, **own}

    def update_stage(self, name: str, **values: Any) -> None:
        """Write keys into the stage's own dict (never into the base, which other stages share)."""
        stage = self.data[name]
        for key, value in values.items():
            if isinstance(value, dict) and isinstance(stage.get(key), dict):
                stage[key] = {**stage[key], **value}
            else:
                stage[key] = value
        self.path.write_text(json.dumps(self.data, indent=4) + "\n")

    def remove_keys(self, name: str, keys: list[str], env_keys: list[str]) -> None:
        """Forget provisioning outputs (teardown), so a later deploy cannot use stale ids."""
        stage = self.data[name]
        for key in keys:
            stage.pop(key, None)
        env = stage.get("aws_environment_variables", {})
        for key in env_keys:
            env.pop(key, None)
        self.path.write_text(json.dumps(self.data, indent=4) + "\n")
