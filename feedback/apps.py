from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Feedback")

    def ready(self) -> None:
        from feedback import caching

        caching.connect_signals()  # public wall: bump cached fragments on every item/reply/survey change
        caching.register_sections()  # district page (wall + trust index) and officer page (compliments)
        __import__("feedback.account_data").account_data.register_feedback_part()  # export / erase my feedback
        __import__("feedback.permissions").permissions.register_staff_side()  # admin permissions, staff home card
        __import__("portal.demo").demo.register("feedback", __import__("feedback.demo").demo.seed_feedback, order=20)
        __import__("feedback.demo_history").demo_history.register_demo()  # seed_demo: a year of history (order 21)
