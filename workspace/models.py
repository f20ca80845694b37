"""The relational schema (users, documents, conversations, messages) stored on Aurora DSQL.

Routed to the `dsql` alias by vela.routers.DsqlRouter. UUID keys (`dsql_backend.fields.UUIDAutoField`),
foreign keys, JSON metadata and timestamps, as in the original Aurora schema.
"""

from __future__ import annotations

from django.db import models


class User(models.Model):
    email = models.EmailField(max_length=255, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "workspace_user"

    def __str__(self) -> str:
        return self.email


class Document(models.Model):
    user = models.ForeignKey(User, null=True, on_delete=models.CASCADE, related_name="documents")
    title = models.TextField(blank=True, default="")
    content = models.TextField(blank=True, default="")
    metadata = models.JSONField(null=True, blank=True)
    vector_id = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "workspace_document"
        # Ascending only: DSQL's CREATE INDEX ASYNC refuses ASC/DESC; a B-tree is read backwards for newest-first.
        indexes = [models.Index(fields=["user", "created_at"], name="workspace_doc_user_created")]

    def __str__(self) -> str:
        return self.title


class Conversation(models.Model):
    user = models.ForeignKey(User, null=True, on_delete=models.CASCADE, related_name="conversations")
    title = models.TextField(blank=True, default="")
    metadata = models.JSONField(null=True, blank=True)
    # Denormalised counter: the target of concurrent updates (OCC retries) in services.py.
    message_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "workspace_conversation"

    def __str__(self) -> str:
        return self.title


class Message(models.Model):
    class Role(models.TextChoices):
        USER = "user"
        ASSISTANT = "assistant"
        SYSTEM = "system"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    role = models.CharField(max_length=50, choices=Role.choices)
    content = models.TextField()
    metadata = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "workspace_message"
        indexes = [models.Index(fields=["conversation", "created_at"], name="workspace_msg_conv_created")]

    def __str__(self) -> str:
        return f"{self.role}: {self.content[:40]}"
