"""Tests mirror the code's layout: an app's services are tested in tests/<app>/test_services.py."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def apps_with_services() -> list[str]:
    return sorted(
        d.name
        for d in ROOT.iterdir()
        if (d / "apps.py").exists() and ((d / "services.py").exists() or (d / "services" / "__init__.py").exists())
    )


def test_the_scan_finds_the_apps():
    assert {"profiles", "progress", "srs", "tts"} <= set(apps_with_services())


def test_every_app_with_services_has_its_service_tests():
    missing = [app for app in apps_with_services() if not (ROOT / "tests" / app / "test_services.py").exists()]
    assert missing == []
