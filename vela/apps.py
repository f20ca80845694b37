from django.apps import AppConfig


class VelaConfig(AppConfig):
    """The project package is an app too, so it can own shared management commands."""

    name = "vela"
    verbose_name = "Vela"

    def ready(self) -> None:
        # The schema extensions register themselves when a schema is built (vela.openapi_schema).
        from vela import log_guard

        log_guard.install()
        from dsql_backend.signals import occ_conflict
        from vela.metrics import occ_retry_receiver

        occ_conflict.connect(occ_retry_receiver, dispatch_uid="vela.metrics.occ")
