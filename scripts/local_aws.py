"""Local AWS for `make run` and the benches: an embedded moto server over HTTP, plus a local Cognito pool.

No Django imports here: call these before Django reads its settings, then set the environment.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LOCAL_USER = "demo@example.com"
LOCAL_PASSWORD = "Vela-demo-1"  # noqa: S105 - demo user of the local moto pool only


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


_dynamodb_serialized = False


def serialize_moto_dynamodb() -> None:
    """Make the embedded moto server handle DynamoDB requests one at a time.

    moto 5.2's TransactWriteItems deep-copies whole tables to be able to roll back: under concurrent
    requests the copy fails (`RuntimeError: dictionary changed size during iteration`, a 500), and a
    rollback would restore the copy over other requests' writes. DynamoDB itself has neither problem.
    Serialising moto's request handling keeps each call atomic, as DynamoDB's are, while our app's
    requests still interleave between calls, so lost-update races in the app still show.
    """
    global _dynamodb_serialized
    if _dynamodb_serialized:
        return
    import threading

    from moto.dynamodb.responses import DynamoHandler

    lock = threading.Lock()
    call_action = DynamoHandler.call_action

    def serialized_call_action(self: Any) -> Any:
        with lock:
            return call_action(self)

    DynamoHandler.call_action = serialized_call_action  # type: ignore[method-assign]  # the patch this function exists for
    _dynamodb_serialized = True


def start_moto(port: int | None = None) -> tuple[Any, str]:
    """A ThreadedMotoServer on 127.0.0.1 answering every AWS API; returns (server, endpoint URL)."""
    from moto.server import ThreadedMotoServer

    serialize_moto_dynamodb()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    port = port or free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    return server, f"http://127.0.0.1:{port}"


def start_keepalive_moto() -> tuple[subprocess.Popen[bytes], str]:
    """moto's app under gunicorn gthread (HTTP/1.1 keep-alive, as DynamoDB's endpoint is; werkzeug's
    server closes every connection) in a process of its own; returns (process, endpoint URL)."""
    port = free_port()
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [str(gunicorn), "-k", "gthread", "--threads", "16", "--keep-alive", "30", "-b", f"127.0.0.1:{port}"]
    command += ["--log-level", "warning", "--pythonpath", str(Path(__file__).parent), "moto_keepalive_app:app"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603 - fixed command
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1)  # noqa: S310 - local URL
            return process, endpoint
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("moto under gunicorn did not start")


def stop_process(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:  # keep-alive connections can hold a graceful stop
        process.kill()
        process.wait()


@dataclass(frozen=True)
class LocalCognito:
    pool_id: str
    client_id: str
    issuer: str
    jwks_url: str
    endpoint: str
    region: str

    def env(self) -> dict[str, str]:
        return {
            "COGNITO_USER_POOL_ID": self.pool_id,
            "COGNITO_CLIENT_ID": self.client_id,
            "COGNITO_ISSUER": self.issuer,
            "COGNITO_JWKS_URL": self.jwks_url,
        }

    def new_user(self, email: str, password: str) -> dict[str, str]:
        """A confirmed user of the pool (email verified); returns its real Cognito tokens."""
        _create_user(_cognito(self.endpoint, self.region), self.pool_id, email, password)
        return self.tokens(email, password)

    def tokens(self, username: str = LOCAL_USER, password: str = LOCAL_PASSWORD) -> dict[str, str]:
        result = _cognito(self.endpoint, self.region).initiate_auth(
            ClientId=self.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password},
        )["AuthenticationResult"]
        return {"id": result["IdToken"], "access": result["AccessToken"], "refresh": result["RefreshToken"]}


def _cognito(endpoint: str, region: str) -> Any:
    import boto3

    return boto3.session.Session().client("cognito-idp", endpoint_url=endpoint, region_name=region)


def _create_user(idp: Any, pool_id: str, email: str, password: str) -> None:
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username=email,
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
        MessageAction="SUPPRESS",
    )
    idp.admin_set_user_password(UserPoolId=pool_id, Username=email, Password=password, Permanent=True)


def setup_cognito(endpoint: str, region: str = "us-east-1") -> LocalCognito:
    """A user pool + web client (no secret) + one confirmed demo user, in moto. moto serves the JWKS."""
    idp = _cognito(endpoint, region)
    pool_id = idp.create_user_pool(PoolName="vela-local", UsernameAttributes=["email"])["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="vela-web-client",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"],
    )["UserPoolClient"]["ClientId"]
    _create_user(idp, pool_id, LOCAL_USER, LOCAL_PASSWORD)
    return LocalCognito(
        pool_id=pool_id,
        client_id=client_id,
        issuer=f"https://cognito-idp.{region}.amazonaws.com/{pool_id}",
        jwks_url=f"{endpoint}/{pool_id}/.well-known/jwks.json",
        endpoint=endpoint,
        region=region,
    )


def point_aws_at(endpoint: str) -> None:
    """Every botocore client of this process (and its children) goes to `endpoint`."""
    os.environ["AWS_ENDPOINT_URL"] = endpoint
