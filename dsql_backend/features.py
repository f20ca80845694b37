"""What DSQL supports, flag by flag; each override says why."""

from __future__ import annotations

from django.db.backends.postgresql import features


class DatabaseFeatures(features.DatabaseFeatures):
    # DDL runs in its own transaction and cannot be rolled back together with data changes.
    can_rollback_ddl = False
    # No SAVEPOINT: nested atomic() blocks cannot roll back on their own.
    uses_savepoints = False
    can_release_savepoints = False
    # One database per cluster: nothing to clone for parallel test runs.
    can_clone_databases = False
