from django.apps import AppConfig


class TtsConfig(AppConfig):
    name = "tts"
