from django.apps import AppConfig


class AuthProxyConfig(AppConfig):
    name = "auth_proxy"
