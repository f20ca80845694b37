"""Workspace tests run on the `dsql` alias through the DSQL stand-in, in a test *schema* created by
dsql_backend's DatabaseCreation (DSQL has one database per cluster: no CREATE DATABASE)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.db import connections

from tests.conftest import completed, drop_connection
from tests.dsql_support import standin_settings


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any, dsql_standin: Any) -> Iterator[None]:
    # One schema per xdist worker: workers share the stand-in's upstream database.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    test = {"SCHEMA": f"test_postgres_{worker}"} if worker else {}
    settings_dict = completed(standin_settings(dsql_standin, TEST=test))
    connections.settings["dsql"] = settings_dict
    settings.DATABASES["dsql"] = settings_dict
    with django_db_blocker.unblock():
        drop_connection("dsql")
        connections["dsql"].creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    yield
    with django_db_blocker.unblock():
        connections["dsql"].creation.destroy_test_db(settings_dict["NAME"], verbosity=0)
        drop_connection("dsql")
    connections.settings.pop("dsql", None)
    settings.DATABASES.pop("dsql", None)
