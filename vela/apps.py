from django.apps import AppConfig


class VelaConfig(AppConfig):
    """The project package is an app too, so it can own shared management commands."""

    name = "vela"
    verbose_name = "Vela"

    def ready(self) -> None:
        from vela import log_guard, openapi_auth  # noqa: F401  (openapi_auth registers a schema extension)

        log_guard.install()
