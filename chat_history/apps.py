from django.apps import AppConfig


class ChatHistoryConfig(AppConfig):
    name = "chat_history"
