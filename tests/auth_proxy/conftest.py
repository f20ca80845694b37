"""moto's Cognito user pool, used end to end: these routes only relay to Cognito, so the tokens they
return and accept are moto's own (not the local-JWKS tokens of the `cognito` fixture)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

PASSWORD = "secret-pw-1"


@dataclass
class Pool:
    id: str
    client_id: str
    idp: Any

    def confirmed_user(self, email: str, password: str = PASSWORD, verified: bool = True) -> None:
        self.idp.sign_up(
            ClientId=self.client_id,
            Username=email,
            Password=password,
            UserAttributes=[{"Name": "email", "Value": email}],
        )
        self.idp.admin_confirm_sign_up(UserPoolId=self.id, Username=email)
        if verified:
            self.idp.admin_update_user_attributes(
                UserPoolId=self.id, Username=email, UserAttributes=[{"Name": "email_verified", "Value": "true"}]
            )

    def sign_in(self, email: str, password: str = PASSWORD) -> dict[str, str]:
        answer = self.idp.initiate_auth(
            AuthFlow="USER_PASSWORD_AUTH",
            ClientId=self.client_id,
            AuthParameters={"USERNAME": email, "PASSWORD": password},
        )
        return answer["AuthenticationResult"]

    def status(self, email: str) -> str:
        return self.idp.admin_get_user(UserPoolId=self.id, Username=email)["UserStatus"]


@pytest.fixture
def pool(settings: Any) -> Iterator[Pool]:
    from moto import mock_aws

    from vela.aws import client, reset_clients

    with mock_aws():
        reset_clients()
        idp = client("cognito-idp")
        pool_id = idp.create_user_pool(
            PoolName="vela-user-pool-test",
            Policies={  # the real pool: min length 6, no character classes (reference §2.3)
                "PasswordPolicy": {
                    "MinimumLength": 6,
                    "RequireUppercase": False,
                    "RequireLowercase": False,
                    "RequireNumbers": False,
                    "RequireSymbols": False,
                }
            },
            UsernameAttributes=["email"],
        )["UserPool"]["Id"]
        client_id = idp.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName="vela-web-client",
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"],
        )["UserPoolClient"]["ClientId"]
        settings.COGNITO_USER_POOL_ID = pool_id
        settings.COGNITO_CLIENT_ID = client_id
        yield Pool(pool_id, client_id, idp)
    reset_clients()


def post(client: Any, url: str, body: Any, **kwargs: Any) -> Any:
    import json

    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(url, data, content_type="application/json", **kwargs)
