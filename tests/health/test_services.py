"""The DSQL probe (health.services) called directly, through the DSQL stand-in (which validates the IAM
token our backend signs, as DSQL does): the result it returns, the cause each failure is classified as,
the deadline, and the log line it leaves."""

from __future__ import annotations

import logging
import time

import pytest
from django.db import DatabaseError, OperationalError

from health.services import NOT_CONFIGURED, classify, dsql_probe
from tests.conftest import FAKE_CLUSTER_HOST


@pytest.mark.parametrize("user", ["admin", "vela_app"])
def test_probe_succeeds_through_the_standin_for_admin_and_app_roles(use_standin, user):
    use_standin(USER=user)

    result = dsql_probe()

    assert (result.ok, result.endpoint, result.user, result.cause, result.error) == (
        True,
        FAKE_CLUSTER_HOST,
        user,
        None,
        None,
    )
    assert result.latency_ms > 0


def test_no_endpoint_is_a_config_failure_without_connecting(use_standin, no_dsql, settings):
    absent = dsql_probe()
    unknown_alias = dsql_probe(alias="no-such-alias")
    use_standin(HOST="")
    blank_host = dsql_probe()

    for result in (absent, unknown_alias, blank_host):
        assert (result.ok, result.cause, result.error) == (False, "config", NOT_CONFIGURED)
        assert (result.endpoint, result.latency_ms) == (None, 0.0)
        assert result.user == settings.AURORA_DB_USER


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"USER": "nobody"}, 'role "nobody" does not exist'),  # a role the cluster doesn't have
        ({"HOST": "othercluster0000000000000.dsql.us-east-1.on.aws"}, "token was generated for host"),
    ],
    ids=["unknown-role", "token-for-another-host"],
)
def test_a_token_the_cluster_refuses_is_an_iam_failure(use_standin, overrides, named):
    use_standin(**overrides)

    result = dsql_probe()

    assert (result.ok, result.cause) == (False, "iam")
    assert result.error.startswith("IAM authentication to DSQL failed for database role")
    assert named in result.error


def test_tls_the_server_does_not_offer_is_a_tls_failure(use_standin):
    use_standin(OPTIONS={"sslmode": "require"})

    result = dsql_probe()

    assert (result.ok, result.cause) == (False, "tls")
    assert "SSL was required" in result.error


def test_refused_connection_is_a_network_failure(use_standin, closed_port):
    use_standin(PORT=closed_port)

    result = dsql_probe()

    assert (result.ok, result.cause, result.endpoint) == (False, "network", FAKE_CLUSTER_HOST)
    assert "Connection refused" in result.error


def test_unknown_region_is_a_config_failure_naming_it(use_standin):
    use_standin(HOST="abcdefghijklmnopqrstuvwxyz.dsql.us-north-9.on.aws")

    result = dsql_probe()

    assert (result.ok, result.cause) == (False, "config")
    assert result.error.startswith("Unknown AWS region 'us-north-9'")


def test_no_aws_credentials_is_a_credentials_failure(use_standin, monkeypatch, tmp_path):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    use_standin()

    result = dsql_probe()

    assert (result.ok, result.cause) == (False, "credentials")
    assert result.error == "No AWS credentials to sign the DSQL auth token: Unable to locate credentials"


@pytest.mark.parametrize(("setting", "argument", "bound"), [(0.4, None, 0.4), (30.0, 0.3, 0.3)])
def test_an_endpoint_that_never_answers_times_out_at_the_bound(
    use_standin, silent_server, settings, setting, argument, bound
):
    use_standin(PORT=silent_server)
    settings.DSQL_HEALTH_TIMEOUT = setting

    started = time.monotonic()
    result = dsql_probe(timeout=argument)
    elapsed = time.monotonic() - started

    assert (result.ok, result.cause) == (False, "timeout")
    assert result.error == f"Timed out after {bound:g} s connecting to Aurora DSQL at {FAKE_CLUSTER_HOST}"
    assert bound <= elapsed < bound + 1.0
    assert result.latency_ms >= bound * 1000


def test_each_probe_logs_one_line_with_its_fields_and_no_token(use_standin, closed_port, caplog, settings):
    caplog.set_level(logging.INFO, logger="vela.health")
    settings.AURORA_DB_CLUSTER_ARN = "arn:aws:dsql:us-east-1:123456789012:cluster/vela0test0cluster0id0abcd"
    use_standin()
    dsql_probe()
    use_standin(PORT=closed_port)

    dsql_probe()

    success, failure = (r for r in caplog.records if r.name == "vela.health")
    assert success.levelno == logging.INFO
    assert success.getMessage().startswith("[DSQL] Health-check success")
    assert set(success.dsql) == {"endpoint", "user", "latency_ms"}
    assert (success.dsql["endpoint"], success.dsql["user"]) == (FAKE_CLUSTER_HOST, "admin")
    assert failure.levelno == logging.ERROR
    assert (failure.dsql["cause"], failure.dsql["cluster_arn_present"]) == ("network", True)
    assert "X-Amz-Signature" not in caplog.text


@pytest.mark.parametrize(
    ("exc", "cause"),
    [
        (OperationalError("connection timeout expired"), "timeout"),
        (OperationalError('FATAL: password authentication failed for user "admin"'), "iam"),
        (OperationalError("SSL SYSCALL error: EOF detected"), "tls"),
        (OperationalError('could not translate host name "x.dsql.us-east-1.on.aws"'), "network"),
        (DatabaseError('relation "nope" does not exist'), "sql"),
        (RuntimeError("something else"), "error"),
    ],
)
def test_classify_names_the_cause_from_the_message_and_type(exc, cause):
    assert classify(exc) == (cause, str(exc))


def test_classify_keeps_messages_single_line_redacted_and_never_empty():
    leaky = OperationalError("failed:\n  host/?Action=DbConnectAdmin&X-Amz-Signature=abc123def\n  retry")

    cause, message = classify(leaky)
    empty = classify(RuntimeError())

    assert cause == "sql"  # an OperationalError is a DatabaseError
    assert message == "failed: host/?Action=DbConnectAdmin&X-Amz-Signature=[REDACTED] retry"
    assert empty == ("error", "RuntimeError")
