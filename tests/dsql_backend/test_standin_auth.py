"""IAM tokens and pooling through the DSQL stand-in, which validates every token (SigV4, host, region,
action vs user, expiry) the way DSQL does."""

from __future__ import annotations

import time

import psycopg
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError, connections

from dsql_backend import auth
from dsql_backend.base import DatabaseWrapper
from tests.conftest import FAKE_CLUSTER_HOST, completed
from tests.dsql_support import standin_settings


def connect_raw(standin, user: str, password: str) -> psycopg.Connection:
    return psycopg.connect(
        host=FAKE_CLUSTER_HOST, hostaddr=standin.host, port=standin.port, dbname="postgres", user=user,
        password=password, sslmode="disable", connect_timeout=5,
    )  # fmt: skip


def backend_pid(alias: str = "dsql") -> int:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@pytest.mark.parametrize(("user", "action"), [("admin", "DbConnectAdmin"), ("vela_app", "DbConnect")])
def test_backend_tokens_are_accepted(use_standin, user, action):
    use_standin(USER=user)

    assert backend_pid() > 0
    assert f"Action={action}&" in connections["dsql"].connection.info.password


def test_tampered_token_is_rejected_and_the_error_names_the_permission(use_standin, monkeypatch):
    use_standin()
    sign = DatabaseWrapper._sign_token

    def tampered(self, host, region, user):
        token = sign(self, host, region, user)
        return token[:-1] + ("0" if token[-1] != "0" else "1")

    monkeypatch.setattr(DatabaseWrapper, "_sign_token", tampered)
    with pytest.raises(OperationalError) as excinfo:
        connections["dsql"].ensure_connection()

    message = str(excinfo.value)
    assert "signature does not match" in message
    assert "dsql:DbConnectAdmin on the cluster ARN" in message
    assert "X-Amz-Signature" not in message


def test_expired_token_is_rejected(dsql_standin, use_standin, monkeypatch):
    use_standin()
    stale = auth.generate_auth_token(host=FAKE_CLUSTER_HOST, region="us-east-1", user="admin", expires_in=1)
    time.sleep(1.1)
    monkeypatch.setattr(DatabaseWrapper, "_sign_token", lambda self, host, region, user: stale)

    with pytest.raises(OperationalError, match="Signature expired"):
        connections["dsql"].ensure_connection()


def test_token_for_another_host_is_rejected(use_standin):
    # libpq still dials the stand-in (hostaddr) but the token is signed for the configured host.
    use_standin(HOST="othercluster0000000000000.dsql.us-east-1.on.aws")

    with pytest.raises(OperationalError) as excinfo:
        connections["dsql"].ensure_connection()

    assert "othercluster0000000000000.dsql.us-east-1.on.aws" in str(excinfo.value)
    assert "signed for this host and region" in str(excinfo.value)


@pytest.mark.parametrize(("token_user", "login_user"), [("vela_app", "admin"), ("admin", "vela_app")])
def test_admin_and_non_admin_tokens_are_not_interchangeable(dsql_standin, token_user, login_user):
    token = auth.generate_auth_token(host=FAKE_CLUSTER_HOST, region="us-east-1", user=token_user)

    with pytest.raises(psycopg.OperationalError, match="DbConnect"):
        connect_raw(dsql_standin, login_user, token)
    connect_raw(dsql_standin, token_user, token).close()  # the same token works for its own user


def test_pool_outlives_the_token_each_physical_connection_signs_a_new_one(dsql_standin, use_standin):
    use_standin(TOKEN_EXPIRES_IN=2, OPTIONS={"pool": {"min_size": 1, "max_size": 1, "max_lifetime": 1.5}})
    db = connections["dsql"]
    try:
        first_pid = backend_pid()
        first_token = db.connection.info.password
        db.close()  # putconn: back to the pool (AWS's adapter raises AttributeError '_pool' here)
        assert db.pool.get_stats()["pool_available"] >= 1
        assert backend_pid() == first_pid  # reused while young
        db.close()

        time.sleep(2.3)  # the first token has expired and the pooled connection is past max_lifetime
        second_pid = backend_pid()
        second_token = db.connection.info.password
        db.close()

        assert second_pid != first_pid
        assert second_token != first_token
        # Django's stock pool would reuse the kwargs built once, i.e. the first (now expired) token:
        with pytest.raises(psycopg.OperationalError, match="Signature expired"):
            connect_raw(dsql_standin, "admin", first_token)
    finally:
        db.close()
        db.close_pool()


def test_pool_defaults_below_the_60_minute_cap(use_standin):
    use_standin(OPTIONS={"pool": True})
    db = connections["dsql"]
    try:
        assert db.pool.max_lifetime == 3300
    finally:
        db.close()
        db.close_pool()


def test_pool_lifetime_past_the_cap_is_refused(dsql_standin):
    settings_dict = completed(standin_settings(dsql_standin, OPTIONS={"pool": {"max_lifetime": 3600}}))

    with pytest.raises(ImproperlyConfigured, match="max_lifetime"):
        DatabaseWrapper(settings_dict, "pooled")
