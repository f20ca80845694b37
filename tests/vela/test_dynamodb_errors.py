"""AWS failures are translated at the repository boundary (vela.dynamodb): clear JSON, no traceback."""

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError

from vela.dynamodb import ConditionFailed, DynamoTable
from vela.errors import ServiceMisconfiguredError, UpstreamError, UpstreamTimeoutError


class FailingClient:
    def __init__(self, exc):
        self.exc = exc

    def get_item(self, **kwargs):
        raise self.exc


def client_error(code, message="boom"):
    return ClientError({"Error": {"Code": code, "Message": message}}, "GetItem")


@pytest.mark.parametrize(
    ("exc", "expected", "status", "code"),
    [
        (client_error("ResourceNotFoundException"), ServiceMisconfiguredError, 500, "table_not_found"),
        (client_error("ProvisionedThroughputExceededException"), UpstreamError, 502, "dynamodb_throttled"),
        (client_error("AccessDeniedException"), UpstreamError, 502, "dynamodb_error"),
        (client_error("ValidationException", "bad key"), Exception, 500, "dynamodb_validation"),
        (ReadTimeoutError(endpoint_url="http://x"), UpstreamTimeoutError, 504, "dynamodb_timeout"),
        (EndpointConnectionError(endpoint_url="http://x"), UpstreamError, 502, "dynamodb_unreachable"),
    ],
)
def test_errors_become_application_errors(settings, exc, expected, status, code):
    table = DynamoTable("profiles", client=FailingClient(exc))

    with pytest.raises(expected) as caught:
        table.call("get_item", Key={})

    assert (caught.value.status_code, caught.value.code) == (status, code)
    if code == "table_not_found":
        assert f"'{settings.DYNAMODB_TABLES['profiles']}'" in caught.value.message


def test_failed_condition_is_its_own_exception():
    table = DynamoTable("profiles", client=FailingClient(client_error("ConditionalCheckFailedException")))

    with pytest.raises(ConditionFailed):
        table.call("get_item", Key={})


def test_throttled_dynamodb_is_502_json_over_http(client, cognito, auth_header, monkeypatch):
    import vela.dynamodb

    monkeypatch.setattr(
        vela.dynamodb, "dynamodb_client", lambda **kw: FailingClient(client_error("ThrottlingException"))
    )

    response = client.get("/api/profiles", headers=auth_header("user-1"))

    assert response.status_code == 502
    assert response.json() == {
        "error": "DynamoDB is throttling requests (ThrottlingException).",
        "code": "dynamodb_throttled",
    }
