from django.urls import path

from sentences.views import SavedSentenceDetailView, SavedSentenceListCreateView

app_name = "sentences"

# `my-dictionaries/analyze` belongs to the llm app, mounted before this one.
urlpatterns = [
    path("my-dictionaries", SavedSentenceListCreateView.as_view(), name="list-create"),
    path("my-dictionaries/<str:sentence_id>", SavedSentenceDetailView.as_view(), name="detail"),
]
