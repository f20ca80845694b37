from django.urls import path

from progress.views import GameSessionRecordView, ProgressAnalyticsView

app_name = "progress"

urlpatterns = [
    path("progress/analytics", ProgressAnalyticsView.as_view(), name="analytics"),
    path("progress/game-session", GameSessionRecordView.as_view(), name="game-session"),
]
