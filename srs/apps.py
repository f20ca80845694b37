from django.apps import AppConfig


class SrsConfig(AppConfig):
    name = "srs"
