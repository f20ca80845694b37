from django.urls import path

from chat_history.views import ChatMessageListView, ChatMessageSaveView, ChatThreadDeleteView, ChatThreadListView

app_name = "chat_history"

urlpatterns = [
    path("chat-history/save", ChatMessageSaveView.as_view(), name="save"),
    path("chat-history/threads", ChatThreadListView.as_view(), name="threads"),
    path("chat-history/messages", ChatMessageListView.as_view(), name="messages"),
    path("chat-history/thread", ChatThreadDeleteView.as_view(), name="thread-delete"),
]
