"""Offline token validation against real boto3-signed tokens (no sockets)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from dsql_standin import TokenError, validate_token

from .conftest import ACCESS_KEY_ID, HOSTNAME, REGION, SECRET_KEY, make_token

CREDS = {ACCESS_KEY_ID: SECRET_KEY}


def check(token: str, user: str = "admin", **kwargs: Any) -> Any:
    params: dict[str, Any] = {"user": user, "hostname": HOSTNAME, "region": REGION, "credentials": CREDS}
    params.update(kwargs)
    return validate_token(token, **params)


def rejected(token: str, user: str = "admin", **kwargs: Any) -> TokenError:
    with pytest.raises(TokenError) as info:
        check(token, user, **kwargs)
    return info.value


def test_valid_admin_and_user_tokens(dsql_client: Any) -> None:
    admin = check(make_token(dsql_client, "admin"), "admin")
    user = check(make_token(dsql_client, "vela_app"), "vela_app")
    assert (admin.action, user.action) == ("DbConnectAdmin", "DbConnect")
    assert admin.access_key_id == ACCESS_KEY_ID
    assert admin.region == REGION
    assert admin.hostname == HOSTNAME
    assert admin.expires_at - admin.signed_at == timedelta(seconds=900)
    assert not admin.has_session_token


def test_session_token_is_signed_and_accepted() -> None:
    client = boto3.client(
        "dsql",
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY_ID,
        aws_secret_access_key=SECRET_KEY,
        aws_session_token="FwoGZXIvYXdzE+abc/def==",
    )
    claims = check(make_token(client, "admin"))
    assert claims.has_session_token


def test_hostname_is_case_insensitive(dsql_client: Any) -> None:
    assert check(make_token(dsql_client, "admin", hostname=HOSTNAME.upper())).action == "DbConnectAdmin"


def test_expired(dsql_client: Any) -> None:
    token = make_token(dsql_client, "admin", expires=60)
    err = rejected(token, now=datetime.now(UTC) + timedelta(seconds=61))
    assert err.check == "expired"
    assert "Signature expired" in err.message
    assert err.sqlstate == "28P01"
    # still valid one second before
    assert check(token, now=datetime.now(UTC) + timedelta(seconds=55))


def test_signed_in_the_future(dsql_client: Any) -> None:
    token = make_token(dsql_client, "admin")
    err = rejected(token, now=datetime.now(UTC) - timedelta(minutes=10))
    assert err.check == "not_yet_valid"
    assert "not yet current" in err.message
    assert check(token, now=datetime.now(UTC) - timedelta(minutes=2))  # within the 5 minute skew


def test_tampered_signature(dsql_client: Any) -> None:
    token = make_token(dsql_client, "admin")
    last = token[-1]
    err = rejected(token[:-1] + ("0" if last != "0" else "1"))
    assert err.check == "signature"
    assert "signature does not match" in err.message


def test_tampered_expiry_breaks_signature(dsql_client: Any) -> None:
    token = make_token(dsql_client, "admin", expires=900)
    err = rejected(token.replace("X-Amz-Expires=900", "X-Amz-Expires=9000"))
    assert err.check == "signature"


def test_wrong_secret(dsql_client: Any) -> None:
    err = rejected(make_token(dsql_client, "admin"), credentials={ACCESS_KEY_ID: "another-secret"})
    assert err.check == "signature"


def test_wrong_host(dsql_client: Any) -> None:
    err = rejected(make_token(dsql_client, "admin", hostname="other0000.dsql.us-east-1.on.aws"))
    assert err.check == "hostname"
    assert "other0000.dsql.us-east-1.on.aws" in err.message


def test_wrong_region(dsql_client: Any) -> None:
    err = rejected(make_token(dsql_client, "admin", region="us-west-2"))
    assert err.check == "region"
    assert "us-west-2" in err.message


def test_unknown_access_key() -> None:
    other = boto3.client(
        "dsql", region_name=REGION, aws_access_key_id="AKIAUNKNOWN000000000", aws_secret_access_key="whatever"
    )
    err = rejected(make_token(other, "admin"))
    assert err.check == "access_key"
    assert "AKIAUNKNOWN000000000" in err.message


def test_admin_needs_admin_action(dsql_client: Any) -> None:
    err = rejected(make_token(dsql_client, "vela_app"), "admin")
    assert err.check == "action"
    assert "DbConnectAdmin" in err.message


def test_non_admin_needs_connect_action(dsql_client: Any) -> None:
    err = rejected(make_token(dsql_client, "admin"), "vela_app")
    assert err.check == "action"
    assert "requires a DbConnect token" in err.message


def test_role_allow_list(dsql_client: Any) -> None:
    err = rejected(make_token(dsql_client, "ghost"), "ghost", allowed_roles={"vela_app"})
    assert err.check == "role"
    assert err.sqlstate == "28000"
    assert err.message == 'role "ghost" does not exist'
    assert check(make_token(dsql_client, "vela_app"), "vela_app", allowed_roles={"vela_app"})


@pytest.mark.parametrize("token", ["", "not a token", f"{HOSTNAME}/?Action=DbConnectAdmin", "/?Action=x"])
def test_malformed(token: str) -> None:
    err = rejected(token)
    assert err.check == "malformed"
    assert err.message.startswith("unable to accept connection, access denied")


def test_messages_never_contain_the_signature(dsql_client: Any) -> None:
    token = make_token(dsql_client, "admin")
    signature = token.rsplit("X-Amz-Signature=", 1)[1]
    for err in (
        rejected(token, region="eu-west-1"),
        rejected(token, "vela_app"),
        rejected(token, now=datetime.now(UTC) + timedelta(days=1)),
    ):
        assert signature not in err.message
