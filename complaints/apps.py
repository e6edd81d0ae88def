from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints")

    def ready(self) -> None:
        # One line per part (each helper adds its own line; keep them one line each).
        __import__("complaints.statistics", fromlist=["connect_signals"]).connect_signals()  # dashboard
        __import__("complaints.services.intake").services.intake.register_feedback_converter()  # concern → complaint
        __import__("complaints.staff_side").staff_side.register_staff_side()  # staff home card, admin perms
        __import__("complaints.account_data").account_data.register_complaints_part()  # export / erase my complaints
        __import__("complaints.demo").demo.register_demo()  # seed_demo: complaints in every state (order 30)
        __import__("complaints.demo_history").demo_history.register_demo()  # seed_demo: a year of history (order 31)
        __import__("complaints.categories").categories.connect_post_migrate()  # default categories after a flush
