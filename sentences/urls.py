from django.urls import URLPattern

app_name = "sentences"

urlpatterns: list[URLPattern] = []
