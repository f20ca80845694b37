from django.apps import AppConfig


class DictionaryConfig(AppConfig):
    name = "dictionary"
