from django.urls import URLPattern

app_name = "auth_proxy"

urlpatterns: list[URLPattern] = []
