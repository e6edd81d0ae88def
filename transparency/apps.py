from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransparencyConfig(AppConfig):
    name = "transparency"
    verbose_name = _("Transparency")

    def ready(self) -> None:
        # One line per part (each helper adds its own line; keep them one line each).
        __import__(
            "transparency.updates_setup"
        ).updates_setup.register_updates_part()  # updates: cache, district section, staff card, demo
        __import__("transparency.subscriptions_setup").subscriptions_setup.connect()  # subscriptions + fan-out
        pass
