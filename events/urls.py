"""Event pages (namespace "events"), under the language prefix. Calendar feeds: events/feed_urls.py."""

from django.urls import path

from events.views import feeds, guest, public, rsvp, staff

app_name = "events"

urlpatterns = [
    # Finding events
    path("events/", public.event_list_view, name="list"),
    path("events/past/", public.event_past_list_view, name="past"),
    path("events/mine/", rsvp.my_events_view, name="mine"),
    path("events/calendar/", feeds.personal_calendar_view, name="personal-calendar"),
    path("events/<slug:slug>/", public.event_detail_view, name="detail"),
    # RSVP with an account
    path("events/<slug:slug>/rsvp/", rsvp.rsvp_create_view, name="rsvp"),
    path("events/<slug:slug>/rsvp/change/", rsvp.rsvp_change_view, name="rsvp-change"),
    path("events/<slug:slug>/rsvp/cancel/", rsvp.rsvp_cancel_view, name="rsvp-cancel"),
    # RSVP without an account: a form, then a private link (confirm, change, cancel, calendar)
    path("events/<slug:slug>/rsvp/guest/", guest.guest_rsvp_create_view, name="guest-rsvp"),
    path("events/rsvp/<str:token>/", guest.guest_rsvp_manage_view, name="guest-manage"),
    path("events/rsvp/<str:token>/confirm/", guest.guest_rsvp_confirm_view, name="guest-confirm"),
    path("events/rsvp/<str:token>/change/", guest.guest_rsvp_change_view, name="guest-change"),
    path("events/rsvp/<str:token>/cancel/", guest.guest_rsvp_cancel_view, name="guest-cancel"),
    # Seat code as a QR image (SVG), for the holder of the seat
    path("events/seat/<str:code>.svg", rsvp.seat_qr_view, name="seat-qr"),
    # Hosting (hosting officers and administrators)
    path("staff/events/", staff.staff_event_list_view, name="staff-list"),
    path("staff/events/new/", staff.staff_event_create_view, name="staff-create"),
    path("staff/events/<slug:slug>/", staff.staff_event_detail_view, name="staff-detail"),
    path("staff/events/<slug:slug>/edit/", staff.staff_event_edit_view, name="staff-edit"),
    path("staff/events/<slug:slug>/publish/", staff.staff_event_publish_view, name="staff-publish"),
    path("staff/events/<slug:slug>/cancel/", staff.staff_event_cancel_view, name="staff-cancel"),
    path("staff/events/<slug:slug>/duplicate/", staff.staff_event_duplicate_view, name="staff-duplicate"),
    path("staff/events/<slug:slug>/attendees.csv", staff.staff_attendees_csv_view, name="staff-attendees-csv"),
    path("staff/events/<slug:slug>/check-in/", staff.staff_checkin_view, name="staff-checkin"),
    path("staff/events/<slug:slug>/check-in/<int:rsvp_id>/", staff.staff_checkin_mark_view, name="staff-checkin-mark"),
    path("staff/events/<slug:slug>/walk-ins/", staff.staff_walk_ins_view, name="staff-walk-ins"),
    path("staff/events/<slug:slug>/attendance/", staff.staff_attendance_view, name="staff-attendance"),
]
