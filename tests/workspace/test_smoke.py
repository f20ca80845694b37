import pytest

from workspace.models import Conversation, Message, User


@pytest.mark.django_db(databases=["dsql"])
def test_crud_smoke():
    user = User.objects.create(email="a@example.com")
    conv = Conversation.objects.create(user=user, title="t", metadata={"k": [1, 2]})
    Message.objects.create(conversation=conv, role="user", content="hi")
    assert Conversation.objects.get(metadata__k__1=2) == conv
    assert User.objects.count() == 1
