from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events")

    def ready(self) -> None:
        from events import caching

        caching.connect_signals()
        caching.register_district_section()
        self._register_hosting()
        self._register_account_data()
        self._register_demo()

    def _register_demo(self) -> None:
        """Demo events for `manage.py seed_demo` (after the portal's own demo data)."""
        from events import demo as events_demo
        from portal import demo

        demo.register("events", events_demo.seed_events, order=10)
        __import__("events.demo_history").demo_history.register_demo()  # seed_demo: a year of history (order 11)

    def _register_account_data(self) -> None:
        """The events part of "export my data" and "delete my account"."""
        from events import account_data

        account_data.register_events_part()

    def _register_hosting(self) -> None:
        """The back office for administrators, and the hosting card on the staff home."""
        from events import permissions
        from portal.roles import Role, grant
        from portal.staff import staff_home_link_register

        grant(Role.ADMINISTRATOR, "events.add_event", "events.change_event", "events.view_event", "events.view_rsvp")
        staff_home_link_register(
            "events.hosting",
            title=_("Events you run"),
            description=_("Create and publish events, check people in at the door, record attendance."),
            url_name="events:staff-list",
            allowed=permissions.can_host_events,
            order=20,
        )
