from vela.routers import DsqlRouter
from workspace.models import Message, User


def test_workspace_models_go_to_dsql_and_nothing_else_does():
    router = DsqlRouter()

    assert router.db_for_read(User) == router.db_for_write(Message) == "dsql"
    assert router.allow_migrate("dsql", "workspace") is True
    assert router.allow_migrate("default", "workspace") is False
    assert router.allow_migrate("dsql", "contenttypes") is False
    assert router.allow_migrate("default", "contenttypes") is None
    assert router.allow_relation(User(), Message()) is True
