"""Test runner for Django's own suite (scripts/django_suite.py): records every test's outcome as JSON.

Loaded by Django's tests/runtests.py through `TEST_RUNNER` in the generated settings module. With
`--parallel N` the worker processes' events are replayed on the parent's result object, so the record
below is complete either way. The file named by `DJANGO_SUITE_RESULTS` gets one row per test (and per
failing subTest / class-level setup error): {"id", "outcome", "detail"}.
"""

from __future__ import annotations

import json
import os
import unittest
from typing import Any

from django.test.runner import DiscoverRunner

_Exc = tuple[type[BaseException], BaseException, Any] | tuple[None, None, None]


def _first_line(err: Any) -> str:
    if isinstance(err, tuple) and len(err) == 3 and err[1] is not None:
        text = f"{err[0].__name__}: {err[1]}"
    else:
        text = str(err)
    lines = [line for line in text.splitlines() if line.strip()]
    return " ".join(lines[:3])[:400]


class RecordingResult(unittest.TextTestResult):
    rows: list[dict[str, str]] = []

    def _row(self, test: Any, outcome: str, detail: str = "") -> None:
        RecordingResult.rows.append(
            {"id": test.id() if hasattr(test, "id") else str(test), "outcome": outcome, "detail": detail}
        )

    def addSuccess(self, test: Any) -> None:
        super().addSuccess(test)
        self._row(test, "pass")

    def addError(self, test: Any, err: Any) -> None:
        super().addError(test, err)
        self._row(test, "error", _first_line(err))

    def addFailure(self, test: Any, err: Any) -> None:
        super().addFailure(test, err)
        self._row(test, "fail", _first_line(err))

    def addSkip(self, test: Any, reason: str) -> None:
        super().addSkip(test, reason)
        self._row(test, "skip", reason)

    def addExpectedFailure(self, test: Any, err: Any) -> None:
        super().addExpectedFailure(test, err)
        self._row(test, "xfail", _first_line(err))

    def addUnexpectedSuccess(self, test: Any) -> None:
        super().addUnexpectedSuccess(test)
        self._row(test, "fail", "unexpected success (declared as an expected failure)")

    def addSubTest(self, test: Any, subtest: Any, err: Any) -> None:
        super().addSubTest(test, subtest, err)
        if err is not None:
            outcome = "fail" if issubclass(err[0], test.failureException) else "error"
            self._row(subtest, outcome, _first_line(err))


class RecordingRunner(DiscoverRunner):
    """Records outcomes; on dsql_backend, keeps SetupRouter in place from test-database creation through
    the system checks only (a DATABASE_ROUTERS setting would change what the tests themselves see)."""

    _setup_router: Any = None

    def get_resultclass(self) -> Any:
        return RecordingResult

    def setup_databases(self, **kwargs: Any) -> Any:
        from django.db import connections, router

        if any(
            connections[alias].vendor == "postgresql" and connections[alias].display_name == "Aurora DSQL"
            for alias in connections
        ):
            self._setup_router = SetupRouter()
            router.routers.insert(0, self._setup_router)
        return super().setup_databases(**kwargs)

    def run_checks(self, databases: Any) -> None:
        from django.db import router

        try:
            super().run_checks(databases)
        finally:
            if self._setup_router is not None and self._setup_router in router.routers:
                router.routers.remove(self._setup_router)

    def run_suite(self, suite: Any, **kwargs: Any) -> Any:
        try:
            return super().run_suite(suite, **kwargs)
        finally:
            self._dump()

    def teardown_databases(self, old_config: Any, **kwargs: Any) -> None:
        try:
            super().teardown_databases(old_config, **kwargs)
        except Exception as exc:  # reported as a row: teardown must leave nothing behind
            RecordingResult.rows.append(
                {"id": "teardown_databases", "outcome": "error", "detail": _first_line((type(exc), exc, None))}
            )
            self._dump()
            raise

    def _dump(self) -> None:
        path = os.environ.get("DJANGO_SUITE_RESULTS")
        if path:
            with open(path, "w", encoding="utf-8") as handle:
                json.dump(RecordingResult.rows, handle)


# Django's test models that assume every backend takes a COLLATE clause (their required_db_features do not
# say so); DSQL rejects COLLATE, so the system check would fail the whole run. Not created, not checked;
# the tests that use them are declared skips in dsql_backend.features.
_NEEDS_COLLATIONS = {
    ("model_fields", "generatedmodeloutputfielddbcollation"),
    ("model_fields", "generatedmodeloutputfielddbcollationvirtual"),
}


class SetupRouter:
    """What the Django test apps ask for that DSQL cannot have, kept out of the test database:

    - db_functions' `CryptoExtension()` migration (DSQL has no extensions); it is the only operation that
      asks the router without a model hint, so db_functions' models are still created. The SHA tests that
      need pgcrypto's DIGEST() are declared skips in dsql_backend.features.
    - the two model_fields models in _NEEDS_COLLATIONS.
    """

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool | None:
        if app_label == "db_functions" and model_name is None and "model" not in hints:
            return False
        if (app_label, (model_name or "").lower()) in _NEEDS_COLLATIONS:
            return False
        return None
