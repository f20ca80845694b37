from django.urls import path

from srs.views import (
    SrsAllView,
    SrsBatchReviewView,
    SrsDueView,
    SrsProgressView,
    SrsReviewView,
    SrsStatsView,
    VocabularyFromWordView,
)

app_name = "srs"

urlpatterns = [
    path("srs/due", SrsDueView.as_view(), name="due"),
    path("srs/stats", SrsStatsView.as_view(), name="stats"),
    path("srs/review", SrsReviewView.as_view(), name="review"),
    # `path`: an id may hold any character (a NFKC-normalised word can contain "/").
    path("srs/progress/<path:vocabulary_id>", SrsProgressView.as_view(), name="progress"),
    path("srs/all", SrsAllView.as_view(), name="all"),
    path("srs/batch-review", SrsBatchReviewView.as_view(), name="batch-review"),
    path("vocabulary/from-word", VocabularyFromWordView.as_view(), name="from-word"),
]
