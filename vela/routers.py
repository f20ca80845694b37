"""Database routing: apps listed in DSQL_APPS live on Aurora DSQL (`dsql`); everything else on `default`."""

from __future__ import annotations

from typing import Any

DSQL_ALIAS = "dsql"
DSQL_APPS = frozenset({"workspace"})


class DsqlRouter:
    def _alias(self, model: Any) -> str | None:
        return DSQL_ALIAS if model._meta.app_label in DSQL_APPS else None

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return self._alias(model)

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return self._alias(model)

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        on_dsql = {obj._meta.app_label in DSQL_APPS for obj in (obj1, obj2)}
        return None if on_dsql == {False} else len(on_dsql) == 1

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool | None:
        if app_label in DSQL_APPS:
            return db == DSQL_ALIAS
        if db == DSQL_ALIAS:
            return False  # nothing else (contenttypes, auth...) is created on DSQL
        return None
