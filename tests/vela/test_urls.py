"""vela.urls mounts each app's URLconf by name (imported on first use): the namespaces stay those
`include()` would have taken from each module's `app_name`, and every route still resolves."""

from __future__ import annotations

import importlib

import pytest
from django.urls import URLResolver, resolve

from vela import urls

MOUNTED = [entry for entry in urls.urlpatterns if isinstance(entry, URLResolver)]


@pytest.mark.parametrize("resolver", MOUNTED, ids=lambda r: str(r.urlconf_name))
def test_namespace_is_the_urlconfs_app_name(resolver: URLResolver) -> None:
    module = importlib.import_module(str(resolver.urlconf_name))

    assert resolver.namespace == resolver.app_name == getattr(module, "app_name", None)


@pytest.mark.parametrize(
    ("path", "route", "namespace"),
    [
        ("/api/health", "api/health", "health"),
        ("/api/srs/progress/abc", "api/srs/progress/<anypath:vocabulary_id>", "srs"),
        ("/api/my-dictionaries/analyze", "api/my-dictionaries/analyze", "llm"),
        ("/api/schema", "api/schema", ""),
        ("/api/nope", "^.*$", ""),
    ],
)
def test_routes_resolve_through_the_mounted_urlconfs(path: str, route: str, namespace: str) -> None:
    match = resolve(path)

    assert (match.route, match.namespace) == (route, namespace)
