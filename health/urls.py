from django.urls import path

from health.views import DsqlHealthView, LivenessView

app_name = "health"

urlpatterns = [
    path("health", LivenessView.as_view(), name="liveness"),
    path("internal/dsql-health", DsqlHealthView.as_view(), name="dsql"),
]
