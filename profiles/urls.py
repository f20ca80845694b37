from django.urls import path

from profiles.views import ProfileCreateView, ProfileDetailView, ProfileUpdateView

app_name = "profiles"

urlpatterns = [
    path("profiles", ProfileDetailView.as_view(), name="detail"),
    path("profiles/update", ProfileUpdateView.as_view(), name="update"),
    path("profiles/create", ProfileCreateView.as_view(), name="create"),
]
