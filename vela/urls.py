"""Every route of CONTRACT §1. Paths match exactly; anything else is a JSON 404."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView
from rest_framework.negotiation import DefaultContentNegotiation

from vela.views import not_found

urlpatterns = [
    path("api/", include("health.urls")),
    path("api/", include("profiles.urls")),
    path("api/", include("progress.urls")),
    path("api/", include("games.urls")),
    # llm before sentences: `my-dictionaries/analyze` must win over `my-dictionaries/<id>`.
    path("api/", include("llm.urls")),
    path("api/", include("sentences.urls")),
    path("api/", include("chat_history.urls")),
    path("api/", include("tts.urls")),
    path("api/", include("dictionary.urls")),
    path("api/", include("auth_proxy.urls")),
    path("api/", include("srs.urls")),
    # The schema speaks YAML or JSON as `Accept` asks; every other route answers JSON only.
    path("api/schema", SpectacularAPIView.as_view(content_negotiation_class=DefaultContentNegotiation), name="schema"),
    # vela/templates/vela/redoc.html: drf-spectacular's page without its web-font links (offline).
    path("api/docs", SpectacularRedocView.as_view(url_name="schema", template_name="vela/redoc.html"), name="docs"),
    re_path(r"^.*$", not_found),
]

handler400 = "vela.views.bad_request"
handler403 = "vela.views.permission_denied"
handler404 = "vela.views.not_found"
handler500 = "vela.views.server_error"
