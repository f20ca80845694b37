from django.urls import path, register_converter
from django.urls.converters import PathConverter

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


class AnyPathConverter(PathConverter):
    """Django's `path` (`.+`) with newlines too: `.` stops at "\n", so an id holding one (percent-encoded
    `%0A`) missed the route and got the catch-all's 404, which the operation does not document, instead
    of the view's own answers (401 without a token, `{}` for no row)."""

    regex = r"[\s\S]+"  # not `(?s:.+)`: the schema publishes it as a pattern, and ECMAScript reads this form too


register_converter(AnyPathConverter, "anypath")

urlpatterns = [
    path("srs/due", SrsDueView.as_view(), name="due"),
    path("srs/stats", SrsStatsView.as_view(), name="stats"),
    path("srs/review", SrsReviewView.as_view(), name="review"),
    # `anypath`: an id may hold any character, "/" (a NFKC-normalised word can contain one) and "\n" included.
    path("srs/progress/<anypath:vocabulary_id>", SrsProgressView.as_view(), name="progress"),
    path("srs/all", SrsAllView.as_view(), name="all"),
    path("srs/batch-review", SrsBatchReviewView.as_view(), name="batch-review"),
    path("vocabulary/from-word", VocabularyFromWordView.as_view(), name="from-word"),
]
