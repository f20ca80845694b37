from typing import Any

from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "health"

    def ready(self) -> None:
        from vela.lambda_tasks import register_task

        register_task("dsql_probe", _dsql_probe)


def _dsql_probe() -> dict[str, Any]:
    from health.services import dsql_probe

    return dsql_probe().as_dict()
