"""iCalendar feeds (namespace "events_feeds"): no language prefix, as calendar apps subscribe to them."""

from django.urls import path

from events.views import feeds

app_name = "events_feeds"

urlpatterns = [
    path("events/calendar.ics", feeds.department_feed_view, name="department"),
    path("events/calendar/<str:token>.ics", feeds.personal_feed_view, name="personal"),
    path("events/rsvp/<str:token>/calendar.ics", feeds.guest_rsvp_feed_view, name="guest"),
    path("events/<slug:slug>/calendar.ics", feeds.event_feed_view, name="event"),
]
