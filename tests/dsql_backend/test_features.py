"""Feature flags and session behaviour that differ from PostgreSQL."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import NotSupportedError, connections, transaction
from psycopg import IsolationLevel

from dsql_backend.base import DatabaseWrapper
from tests.conftest import completed, dsql_settings
from workspace.models import User


def test_isolation_is_repeatable_read_and_nothing_is_sent(use_standin):
    use_standin(OPTIONS={"isolation_level": IsolationLevel.REPEATABLE_READ})
    db = connections["dsql"]
    db.ensure_connection()

    assert db.isolation_level == IsolationLevel.REPEATABLE_READ
    assert db.connection.isolation_level is None  # no BEGIN ISOLATION LEVEL / SET TRANSACTION
    with db.cursor() as cursor:
        cursor.execute("SHOW transaction_isolation")
        assert cursor.fetchone() == ("repeatable read",)


@pytest.mark.parametrize("level", [IsolationLevel.READ_COMMITTED, IsolationLevel.SERIALIZABLE, "bogus"])
def test_other_isolation_levels_are_refused(pg_database, level):
    with pytest.raises(ImproperlyConfigured, match="REPEATABLE READ"):
        DatabaseWrapper(completed(dsql_settings(pg_database, OPTIONS={"isolation_level": level})), "x")


def test_server_side_cursors_are_always_off(pg_database):
    db = DatabaseWrapper(completed(dsql_settings(pg_database, DISABLE_SERVER_SIDE_CURSORS=False)), "x")

    assert db.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] is True


def test_feature_flags(pg_database):
    features = DatabaseWrapper(completed(dsql_settings(pg_database)), "x").features

    assert (features.uses_savepoints, features.can_release_savepoints, features.can_rollback_ddl) == (
        False,
        False,
        False,
    )
    assert (features.has_select_for_update, features.has_select_for_update_nowait) == (True, False)
    assert (features.has_select_for_update_skip_locked, features.has_select_for_no_key_update) == (False, False)
    assert (features.supports_tablespaces, features.supports_collation_on_charfield) == (False, False)
    assert (features.can_rename_index, features.can_clone_databases) == (False, False)
    assert (features.supports_foreign_keys, features.supports_json_field) == (True, True)
    assert (features.supports_partial_indexes, features.supports_expression_indexes) == (True, True)


@pytest.mark.parametrize("option", [{"nowait": True}, {"skip_locked": True}, {"no_key": True}])
def test_select_for_update_variants_dsql_lacks_are_refused(use_standin, option):
    use_standin()  # refused while compiling the SQL, before anything reaches the server
    with pytest.raises(NotSupportedError), transaction.atomic(using="dsql"):
        list(User.objects.select_for_update(**option).all())


def test_savepoint_api_is_a_no_op(use_standin):
    use_standin()
    with transaction.atomic(using="dsql"):
        assert transaction.savepoint(using="dsql") is None
