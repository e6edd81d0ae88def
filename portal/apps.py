from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PortalAdminConfig(admin_apps.AdminConfig):
    """The Django admin, open to active administrators only (two-factor enforced by middleware)."""

    default = False
    default_site = "portal.admin_site.PortalAdminSite"


class PortalConfig(AppConfig):
    default = True
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from portal import account_data, fragments, roles
        from portal.celery import ensure_broker_folders

        post_migrate.connect(roles.sync_role_permissions, dispatch_uid="portal.sync_role_permissions")
        account_data.register_portal_parts()
        fragments.connect_signals()  # cached directory fragments go stale when their rows change
        ensure_broker_folders()
