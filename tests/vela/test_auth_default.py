"""Auth is the default: every API view either requires a verified caller or is visibly public."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

from vela.permissions import CallerIdentified
from vela.views import PublicAPIView

SCHEMA_VIEWS = (SpectacularAPIView, SpectacularRedocView)


def api_views(patterns: list[Any] | None = None) -> list[type]:
    found: list[type] = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            found.extend(api_views(entry.url_patterns))
        elif isinstance(entry, URLPattern) and (cls := getattr(entry.callback, "cls", None)) is not None:
            found.append(cls)
    return found


VIEWS = api_views()


def test_routes_were_found() -> None:
    assert len(VIEWS) >= 25


@pytest.mark.parametrize("view", [v for v in VIEWS if not issubclass(v, (PublicAPIView, *SCHEMA_VIEWS))], ids=str)
def test_protected_views_check_the_caller_first(view: type) -> None:
    instance = view()
    assert [type(p) for p in instance.get_permissions()] == [CallerIdentified]
    assert [type(a).__name__ for a in instance.get_authenticators()] == ["CognitoAuthentication"]


@pytest.mark.parametrize("view", [v for v in VIEWS if issubclass(v, PublicAPIView)], ids=str)
def test_public_views_read_no_token(view: type) -> None:
    assert view().get_authenticators() == []


def test_schema_ignores_a_forged_token(client: Any) -> None:
    response = client.get("/api/schema", headers={"Authorization": "Bearer not.a.jwt"})
    assert response.status_code == 200
