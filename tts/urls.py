from django.urls import URLPattern

app_name = "tts"

urlpatterns: list[URLPattern] = []
