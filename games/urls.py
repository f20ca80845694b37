from django.urls import path

from games.views import GameSentenceListView, GameVocabularyListView

app_name = "games"

urlpatterns = [
    path("games/vocabulary", GameVocabularyListView.as_view(), name="vocabulary"),
    path("games/sentences", GameSentenceListView.as_view(), name="sentences"),
]
