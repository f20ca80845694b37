from django.urls import URLPattern

app_name = "chat_history"

urlpatterns: list[URLPattern] = []
