"""Builders and clients for the saved-sentences tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

URL = "/api/my-dictionaries"
ALICE = ("alice-sub", "alice@example.com")
BOB = ("bob-sub", "bob@example.com")


@pytest.fixture
def client() -> APIClient:
    return APIClient()


@pytest.fixture
def as_user(auth_header: Callable[..., dict[str, str]]) -> Callable[[tuple[str, str]], dict[str, str]]:
    """Headers with an ID token (email claim) for ALICE or BOB."""

    def make(user: tuple[str, str]) -> dict[str, str]:
        return auth_header(user[0], email=user[1])

    return make
