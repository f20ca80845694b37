"""Every route of CONTRACT §1. Paths match exactly; anything else is a JSON 404.

Each app's URLconf is imported by the first request that reaches it in this list, not at start-up
(`include()` would import them all, with every view, serializer and service behind them): a Lambda
cold start serving `/api/health` imports the health app only. Namespaces are the app names, as
`include()` would take them from each module's `app_name` (tests/vela/test_urls.py keeps them equal).
"""

from django.urls import URLResolver, re_path
from django.urls.resolvers import RoutePattern

from vela.views import not_found


def mount(urlconf: str, *, namespace: str | None = None) -> URLResolver:
    """`path("api/", include(urlconf))`, with the module imported when a request first reaches it
    (Django's resolver imports a URLconf given by name on first use)."""
    return URLResolver(RoutePattern("api/", is_endpoint=False), urlconf, app_name=namespace, namespace=namespace)


def app(name: str) -> URLResolver:
    return mount(f"{name}.urls", namespace=name)


urlpatterns = [
    app("health"),
    app("profiles"),
    app("progress"),
    app("games"),
    # llm before sentences: `my-dictionaries/analyze` must win over `my-dictionaries/<id>`.
    app("llm"),
    app("sentences"),
    app("chat_history"),
    app("tts"),
    app("dictionary"),
    app("auth_proxy"),
    app("srs"),
    mount("vela.schema_urls"),  # /api/schema, /api/docs
    re_path(r"^.*$", not_found),
]

handler400 = "vela.views.bad_request"
handler403 = "vela.views.permission_denied"
handler404 = "vela.views.not_found"
handler500 = "vela.views.server_error"
