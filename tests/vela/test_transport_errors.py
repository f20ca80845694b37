"""A dependency that never answered is a 502/504, never a 500; unsendable headers never leave."""

from __future__ import annotations

import pytest
import requests
from botocore.exceptions import ConnectTimeoutError, EndpointConnectionError, ReadTimeoutError
from rest_framework.test import APIRequestFactory

from vela import http
from vela.aws import unreachable
from vela.errors import ApplicationError
from vela.exception_handler import api_exception_handler, transport_status


@pytest.mark.parametrize("value", ["ключ-не-latin-1", "key\r\nX-Injected: 1", "key\nnext", "key\x00nul"])
def test_header_values_http_cannot_carry_are_refused_before_sending(value: str) -> None:
    with pytest.raises(requests.exceptions.InvalidHeader) as caught:
        http.request("POST", "http://127.0.0.1:9/never", headers={"xi-api-key": value}, timeout=1)

    assert value not in str(caught.value)


@pytest.mark.parametrize(
    ("value", "supplied", "sent"),
    [
        ("clé-ÿ", None, None),
        ("a\x85b", None, None),
        ("a\tb", "must not contain line breaks or other control characters", None),
        ("a\x7fb", "must not contain line breaks or other control characters", None),
        (" a", "must not start or end with whitespace", None),
        (
            "a\nb",
            "must not contain line breaks or other control characters",
            "must not contain line breaks or other control characters",
        ),
        ("ключ", "must contain only Latin-1 characters", "must contain only Latin-1 characters"),
    ],
)
def test_one_header_rule_with_a_minimal_outbound_guard(value: str, supplied: str | None, sent: str | None) -> None:
    assert http.header_value_problem(value) == supplied
    assert http.header_value_problem(value, outbound=True) == sent


def test_cognito_transport_failures_are_502_and_504() -> None:
    timeout = unreachable(ReadTimeoutError(endpoint_url="http://x"), "Cognito", "cognito")
    refused = unreachable(EndpointConnectionError(endpoint_url="http://x"), "Cognito", "cognito")

    assert (timeout.status_code, timeout.code) == (504, "cognito_timeout")
    assert (refused.status_code, refused.code) == (502, "cognito_unreachable")


def wrapped(cause: BaseException) -> ApplicationError:
    try:
        try:
            raise cause
        except BaseException as exc:
            raise ApplicationError("Failed to generate TTS", code="storage_error") from exc
    except ApplicationError as outer:
        return outer


@pytest.mark.parametrize(
    ("cause", "status"),
    [
        (ConnectTimeoutError(endpoint_url="http://x"), 504),
        (requests.ReadTimeout(), 504),
        (EndpointConnectionError(endpoint_url="http://x"), 502),
        (requests.ConnectionError(), 502),
        (requests.exceptions.ChunkedEncodingError(), 502),
        (ValueError("a bug"), 500),
    ],
)
def test_a_500_caused_by_a_silent_dependency_says_so(cause: BaseException, status: int) -> None:
    error = wrapped(cause)
    request = APIRequestFactory().post("/api/tts/generate")

    response = api_exception_handler(error, {"request": request, "view": None})

    assert response is not None
    assert response.status_code == status
    assert response.data == {"error": "Failed to generate TTS", "code": "storage_error"}
    assert transport_status(ValueError()) is None
