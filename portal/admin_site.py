from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from portal.roles import is_administrator


class PortalAdminSite(admin.AdminSite):
    site_header = _("Common Ground back office")
    site_title = _("Common Ground back office")
    index_title = _("Back office")

    def has_permission(self, request: HttpRequest) -> bool:
        # The back office is for administrators; other staff work in /staff/.
        return request.user.is_active and (is_administrator(request.user) or request.user.is_superuser)
