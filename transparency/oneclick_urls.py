"""One-click unsubscribe (RFC 8058), without a language prefix, a session or a CSRF token."""

from django.urls import path

from transparency.views import subscriptions

app_name = "transparency_oneclick"

urlpatterns = [
    path("transparency/unsubscribe/<str:token>/", subscriptions.unsubscribe_view, name="unsubscribe"),
]
