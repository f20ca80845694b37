from django.apps import AppConfig


class SentencesConfig(AppConfig):
    name = "sentences"
