"""`/api/schema` and `/api/docs`: mounted by vela.urls like an app, so drf-spectacular's views (and its
schema machinery) are imported by the first request for them, never at start-up."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView
from rest_framework.negotiation import DefaultContentNegotiation

urlpatterns = [
    # The schema speaks YAML or JSON as `Accept` asks; every other route answers JSON only.
    path("schema", SpectacularAPIView.as_view(content_negotiation_class=DefaultContentNegotiation), name="schema"),
    # vela/templates/vela/redoc.html: drf-spectacular's page without its web-font links (offline).
    path("docs", SpectacularRedocView.as_view(url_name="schema", template_name="vela/redoc.html"), name="docs"),
]
