"""Workspace use cases; every write that can race runs in a DSQL OCC-retrying transaction."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import F

from dsql_backend import transaction as dsql_transaction
from vela.routers import DSQL_ALIAS

from .models import Conversation, Message

DATABASE = DSQL_ALIAS


def conversation_add_message(
    *, conversation_id: UUID, role: str, content: str, metadata: dict[str, Any] | None = None, retries: int = 5
) -> Message:
    """Append a message and bump the conversation's counter in one transaction (retried on conflicts)."""

    def attempt() -> Message:
        conversation = Conversation.objects.using(DATABASE).select_for_update().get(pk=conversation_id)
        message = Message.objects.using(DATABASE).create(
            conversation=conversation, role=role, content=content, metadata=metadata
        )
        Conversation.objects.using(DATABASE).filter(pk=conversation.pk).update(message_count=F("message_count") + 1)
        return message

    return dsql_transaction.run(attempt, DATABASE, retries=retries)
