from django.urls import path

from tts.views import TtsAudioView, TtsGenerateView, TtsSettingsView

app_name = "tts"

urlpatterns = [
    path("tts/settings", TtsSettingsView.as_view(), name="settings"),
    path("tts/generate", TtsGenerateView.as_view(), name="generate"),
    path("tts/audio/<str:vocabulary_id>", TtsAudioView.as_view(), name="audio"),
]
