from django.apps import AppConfig


class VelaConfig(AppConfig):
    """The project package is an app too, so it can own shared management commands."""

    name = "vela"
    verbose_name = "Vela"

    def ready(self) -> None:
        from vela import log_guard, openapi  # noqa: F401  (openapi registers the bearer-token schema extension)

        log_guard.install()
