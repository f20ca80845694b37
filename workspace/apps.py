from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    """Relational data (users, documents, conversations, messages) on Aurora DSQL (`dsql` alias)."""

    name = "workspace"
    # UUID keys spread writes across DSQL's storage; no global AutoField patch involved.
    default_auto_field = "dsql_backend.fields.UUIDAutoField"
