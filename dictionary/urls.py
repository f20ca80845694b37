from django.urls import path

from dictionary.views import DictionaryLookupView

app_name = "dictionary"

urlpatterns = [
    path("dictionary/lookup", DictionaryLookupView.as_view(), name="lookup"),
]
