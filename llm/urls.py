from django.urls import path

from llm.views import LlmChatView, SentenceAnalyzeView

app_name = "llm"

urlpatterns = [
    path("llm-chat", LlmChatView.as_view(), name="chat"),
    path("my-dictionaries/analyze", SentenceAnalyzeView.as_view(), name="analyze"),
]
