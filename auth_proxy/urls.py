from django.urls import path

from auth_proxy.views import AutoConfirmView, RefreshView, SessionView, SignInView, SignOutView

app_name = "auth_proxy"

urlpatterns = [
    path("auth/signin", SignInView.as_view(), name="signin"),
    path("auth/refresh", RefreshView.as_view(), name="refresh"),
    path("auth/signout", SignOutView.as_view(), name="signout"),
    path("auth/session", SessionView.as_view(), name="session"),
    path("auth/auto-confirm", AutoConfirmView.as_view(), name="auto-confirm"),
]
