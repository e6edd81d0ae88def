"""Root URLconf. English at /..., Spanish at /es/...; a few machine URLs carry no prefix."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from portal.views import site

urlpatterns = [
    path("healthz", site.healthz_view, name="healthz"),
    path("", include("events.feed_urls")),
    path("", include("transparency.oneclick_urls")),
    path("api/v1/", include("transparency.api.urls")),
]

urlpatterns += i18n_patterns(
    path("", include("portal.site_urls")),
    path("", include("events.urls")),
    path("", include("feedback.urls")),
    path("", include("complaints.urls")),
    path("", include("transparency.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)

handler400 = "portal.views.site.bad_request_view"
handler403 = "portal.views.site.permission_denied_view"
handler404 = "portal.views.site.not_found_view"
handler500 = "portal.views.site.server_error_view"
