"""The `dsql` backend against the real local PostgreSQL (DSQL speaks PostgreSQL).

libpq dials 127.0.0.1 through `hostaddr` while the token is signed for a DSQL hostname; the local
server trusts the connection, so these tests check what the backend sends, not IAM itself (the
DSQL stand-in's tests cover token validation).
"""

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError, connections

from dsql_backend.base import DatabaseWrapper
from tests.conftest import FAKE_CLUSTER_HOST, completed, dsql_settings, make_wrapper


def _token_query(password: str) -> dict[str, str]:
    parts = urlsplit(f"https://{password}")
    assert parts.hostname == FAKE_CLUSTER_HOST
    return {key: values[0] for key, values in parse_qs(parts.query).items()}


def test_connects_and_selects_one(use_dsql):
    use_dsql()

    with connections["dsql"].cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_every_new_connection_gets_a_new_token(use_dsql):
    use_dsql()
    db = connections["dsql"]

    db.ensure_connection()
    first = db.connection.info.password
    db.close()
    time.sleep(1.01)  # SigV4 timestamps have one-second resolution
    db.ensure_connection()
    second = db.connection.info.password

    assert first != second
    assert _token_query(first)["Action"] == _token_query(second)["Action"] == "DbConnectAdmin"


def test_non_admin_user_gets_a_dbconnect_token(use_dsql, pg_database):
    use_dsql()
    db = make_wrapper(pg_database, USER="vela_app")

    params = db.get_connection_params()

    assert params["user"] == "vela_app"
    assert _token_query(params["password"])["Action"] == "DbConnect"
    assert params["host"] == FAKE_CLUSTER_HOST


def test_defaults_are_verify_full_tls_and_a_connect_timeout(pg_database):
    settings_dict = dsql_settings(pg_database)
    settings_dict["OPTIONS"] = {}
    db = DatabaseWrapper(completed(settings_dict), "x")

    params = db.get_connection_params()

    assert (params["sslmode"], params["sslrootcert"], params["connect_timeout"]) == ("verify-full", "system", 5)


def test_bare_cluster_id_is_expanded_with_the_configured_region(pg_database):
    db = make_wrapper(pg_database, HOST="abcdefghijklmnopqrstuvwxyz", REGION="eu-west-1")

    params = db.get_connection_params()

    assert params["host"] == "abcdefghijklmnopqrstuvwxyz.dsql.eu-west-1.on.aws"
    assert params["password"].startswith("abcdefghijklmnopqrstuvwxyz.dsql.eu-west-1.on.aws/?Action=DbConnectAdmin&")
    assert "%2Feu-west-1%2Fdsql%2Faws4_request" in params["password"]


def test_connection_is_recycled_after_max_age(use_dsql):
    use_dsql(MAX_CONNECTION_AGE=0.3)
    db = connections["dsql"]
    with db.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        first_pid = cursor.fetchone()[0]
    with db.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] == first_pid  # young connection is kept

    time.sleep(0.35)
    with db.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        second_pid = cursor.fetchone()[0]

    assert second_pid != first_pid


@pytest.mark.parametrize("conn_max_age", [None, 3301, 7200])
def test_conn_max_age_past_the_cap_is_refused(pg_database, conn_max_age):
    settings_dict = completed(dsql_settings(pg_database, CONN_MAX_AGE=conn_max_age))

    with pytest.raises(ImproperlyConfigured, match="60-minute cap"):
        DatabaseWrapper(settings_dict, "x")


def test_missing_endpoint_raises_improperly_configured(use_dsql):
    use_dsql(HOST="")

    with pytest.raises(ImproperlyConfigured, match=r"DATABASES\[alias\]\['HOST'\]"):
        connections["dsql"].ensure_connection()


def test_auth_failure_names_the_iam_permission(use_dsql):
    use_dsql(USER="vela_role_that_does_not_exist")

    with pytest.raises(OperationalError) as excinfo:
        connections["dsql"].ensure_connection()

    message = str(excinfo.value)
    assert "dsql:DbConnect " in message
    assert "AWS IAM GRANT vela_role_that_does_not_exist" in message
    assert "X-Amz-Signature" not in message


def test_admin_auth_failure_names_dbconnectadmin(pg_database, use_dsql):
    use_dsql(USER="admin")
    db = connections["dsql"]
    error = db.Database.OperationalError('FATAL:  password authentication failed for user "admin"')

    explained = db._explain_connect_error(error, {"user": "admin", "host": FAKE_CLUSTER_HOST})

    assert "dsql:DbConnectAdmin on the cluster ARN" in str(explained)
    assert "AWS IAM GRANT" not in str(explained)
