"""Check-in at the door: host-only access, search by name or seat code, one-tap arrival with htmx
and without JavaScript, undo, walk-ins, and the attendee CSV (with its formula-injection guard)."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from events.models import RSVP, Event
from events.views.staff import csv_safe
from tests.events.factories import EventFactory, GuestRSVPFactory, RSVPFactory
from tests.factories import AdministratorFactory, OfficerFactory, OfficerProfileFactory, ResidentFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def host():
    officer = OfficerFactory()
    OfficerProfileFactory(user=officer)
    return officer


@pytest.fixture
def event(host):
    return EventFactory(hosts=[host.officer_profile])


@pytest.fixture
def host_client(client, host):
    client.force_login(host)
    return client


def _checkin(event: Event) -> str:
    return reverse("events:staff-checkin", kwargs={"slug": event.slug})


def _mark(event: Event, rsvp: RSVP) -> str:
    return reverse("events:staff-checkin-mark", kwargs={"slug": event.slug, "rsvp_id": rsvp.pk})


def _walk_ins(event: Event) -> str:
    return reverse("events:staff-walk-ins", kwargs={"slug": event.slug})


def _csv(event: Event) -> str:
    return reverse("events:staff-attendees-csv", kwargs={"slug": event.slug})


def _person(first: str, last: str):
    return ResidentFactory(first_name=first, last_name=last)


# --- Who gets in -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["other officer", "resident", "investigator"])
def test_it_hides_the_door_from_everyone_but_hosts_and_administrators(client, event, who):
    from tests.factories import InvestigatorFactory

    if who == "other officer":
        user = OfficerFactory()
        OfficerProfileFactory(user=user)
    elif who == "resident":
        user = ResidentFactory()
    else:
        user = InvestigatorFactory()
    client.force_login(user)
    rsvp = RSVPFactory(event=event)

    assert client.get(_checkin(event)).status_code == 404
    assert client.get(_csv(event)).status_code == 404
    assert client.post(_mark(event, rsvp), {"arrived": "1"}).status_code == 404
    assert client.post(_walk_ins(event), {"change": "1"}).status_code == 404
    rsvp.refresh_from_db()
    event.refresh_from_db()
    assert rsvp.checked_in_at is None
    assert event.walk_ins == 0


def test_it_lets_an_administrator_check_people_in(client, event):
    client.force_login(AdministratorFactory())
    rsvp = RSVPFactory(event=event)

    assert client.get(_checkin(event)).status_code == 200
    assert client.post(_mark(event, rsvp), {"arrived": "1"}).status_code == 302


def test_it_answers_get_on_the_tap_urls_with_405(host_client, event):
    rsvp = RSVPFactory(event=event)

    assert host_client.get(_mark(event, rsvp)).status_code == 405
    assert host_client.get(_walk_ins(event)).status_code == 405


def test_it_sends_visitors_to_sign_in(client, event):
    response = client.post(_mark(event, RSVPFactory(event=event)), {"arrived": "1"})

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


# --- The list and search -------------------------------------------------------------------------


def test_it_lists_confirmed_seats_by_name_with_party_sizes(host_client, event):
    RSVPFactory(event=event, user=_person("Zoe", "Young"), party_size=3)
    RSVPFactory(event=event, user=_person("Ana", "Alvarez"))
    GuestRSVPFactory(event=event, guest_name="Maria Lopez")
    RSVPFactory(event=event, user=_person("Wait", "Listed"), status=RSVP.Status.WAITLISTED)
    RSVPFactory(event=event, user=_person("Can", "Celled"), status=RSVP.Status.CANCELLED)

    response = host_client.get(_checkin(event))

    assert response.status_code == 200
    assert [rsvp.display_name for rsvp in response.context["rows"]] == ["Ana Alvarez", "Maria Lopez", "Zoe Young"]
    assert "Party of 3" in response.text
    assert "Listed" not in response.text


@pytest.mark.parametrize("query", ["alva", "ANA", "ana alvarez"])
def test_it_finds_people_by_name(host_client, event, query):
    ana = RSVPFactory(event=event, user=_person("Ana", "Alvarez"))
    RSVPFactory(event=event, user=_person("Ben", "Brown"))

    response = host_client.get(_checkin(event), {"q": query})

    assert list(response.context["rows"]) == [ana]


def test_it_finds_guests_by_name_and_email(host_client, event):
    guest = GuestRSVPFactory(event=event, guest_name="Maria Lopez", guest_email="maria@example.org")
    RSVPFactory(event=event)

    assert list(host_client.get(_checkin(event), {"q": "lopez"}).context["rows"]) == [guest]
    assert list(host_client.get(_checkin(event), {"q": "maria@"}).context["rows"]) == [guest]


def test_it_finds_people_by_seat_code_as_typed_at_the_door(host_client, event):
    rsvp = RSVPFactory(event=event, seat_code="ACDE3467")
    RSVPFactory(event=event)

    response = host_client.get(_checkin(event), {"q": "acde-3467"})

    assert list(response.context["rows"]) == [rsvp]


def test_it_answers_an_over_long_search_with_400(host_client, event):
    response = host_client.get(_checkin(event), {"q": "x" * 500})

    assert response.status_code == 400


def test_it_keeps_the_door_page_query_count_flat(host_client, event, django_assert_max_num_queries):
    for _ in range(30):
        RSVPFactory(event=event)

    with django_assert_max_num_queries(12):
        assert host_client.get(_checkin(event)).status_code == 200


# --- Marking arrivals --------------------------------------------------------------------------


def test_it_marks_someone_arrived_without_javascript(host_client, event):
    rsvp = RSVPFactory(event=event, user=_person("Ana", "Alvarez"))

    response = host_client.post(_mark(event, rsvp), {"arrived": "1", "q": "ana"})

    assert response.status_code == 302
    assert response["Location"] == _checkin(event) + "?q=ana"
    rsvp.refresh_from_db()
    assert rsvp.checked_in_at is not None
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Ana Alvarez is marked as arrived."]


def test_it_swaps_just_the_row_with_htmx(host_client, event):
    rsvp = RSVPFactory(event=event, user=_person("Ana", "Alvarez"))

    response = host_client.post(_mark(event, rsvp), {"arrived": "1"}, **HTMX)

    assert response.status_code == 200
    assert "<html" not in response.text
    assert f'id="checkin-row-{rsvp.pk}"' in response.text
    assert "Undo" in response.text
    assert 'hx-swap-oob="true"' in response.text  # the arrival count updates too
    assert "Arrived: 1 of 1 RSVPs" in response.text
    rsvp.refresh_from_db()
    assert rsvp.checked_in_at is not None


def test_it_renders_rows_that_post_with_htmx_and_plain_forms(host_client, event):
    rsvp = RSVPFactory(event=event)

    text = host_client.get(_checkin(event)).text

    assert f'action="{_mark(event, rsvp)}"' in text
    assert f'hx-post="{_mark(event, rsvp)}"' in text
    assert f'hx-target="#checkin-row-{rsvp.pk}"' in text
    assert 'hx-swap="outerHTML"' in text
    assert "Mark arrived" in text


def test_it_undoes_an_arrival(host_client, event):
    rsvp = RSVPFactory(event=event, checked_in_at=timezone.now())

    response = host_client.post(_mark(event, rsvp), {"arrived": "0"}, **HTMX)

    assert response.status_code == 200
    assert "Mark arrived" in response.text
    rsvp.refresh_from_db()
    assert rsvp.checked_in_at is None


@pytest.mark.parametrize("status", [RSVP.Status.WAITLISTED, RSVP.Status.CANCELLED, RSVP.Status.PENDING])
def test_it_does_not_check_in_someone_without_a_seat(host_client, event, status):
    rsvp = RSVPFactory(event=event, status=status)

    assert host_client.post(_mark(event, rsvp), {"arrived": "1"}).status_code == 404


def test_it_does_not_check_in_an_rsvp_of_another_event(host_client, event):
    other = RSVPFactory()

    assert host_client.post(_mark(event, other), {"arrived": "1"}).status_code == 404


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_it_answers_a_bad_tap_clearly(host_client, event, headers):
    rsvp = RSVPFactory(event=event)

    response = host_client.post(_mark(event, rsvp), {"arrived": "sometimes"}, **headers)

    assert response.status_code == (400 if headers else 302)
    rsvp.refresh_from_db()
    assert rsvp.checked_in_at is None


def test_it_refuses_check_in_at_a_cancelled_event(host_client, event):
    rsvp = RSVPFactory(event=event)
    Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED)

    response = host_client.post(_mark(event, rsvp), {"arrived": "1"}, **HTMX)

    assert response.status_code == 400
    assert "cancelled" in response.text


# --- Walk-ins ------------------------------------------------------------------------------------


def test_it_counts_walk_ins_with_htmx(host_client, event):
    response = host_client.post(_walk_ins(event), {"change": "1"}, **HTMX)

    assert response.status_code == 200
    assert 'id="walk-ins"' in response.text
    assert "1 person came without an RSVP" in response.text
    event.refresh_from_db()
    assert event.walk_ins == 1


def test_it_counts_walk_ins_without_javascript(host_client, event):
    host_client.post(_walk_ins(event), {"change": "1"})
    response = host_client.post(_walk_ins(event), {"change": "-1"})

    assert response.status_code == 302
    assert response["Location"] == _checkin(event)
    event.refresh_from_db()
    assert event.walk_ins == 0


@pytest.mark.parametrize(("data", "headers", "status"), [({"change": "-1"}, HTMX, 400), ({"change": "5"}, HTMX, 400)])
def test_it_refuses_bad_walk_in_changes(host_client, event, data, headers, status):
    response = host_client.post(_walk_ins(event), data, **headers)

    assert response.status_code == status
    event.refresh_from_db()
    assert event.walk_ins == 0


def test_it_explains_a_refused_walk_in_change_without_javascript(host_client, event):
    response = host_client.post(_walk_ins(event), {"change": "-1"})

    assert response.status_code == 302
    assert "cannot go below zero" in str(next(iter(get_messages(response.wsgi_request))))


# --- The attendee CSV ----------------------------------------------------------------------------


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_it_downloads_the_attendee_list_as_csv(host_client, event):
    ana = RSVPFactory(event=event, user=_person("Ana", "Alvarez"), party_size=2, checked_in_at=timezone.now())
    waiting = GuestRSVPFactory(
        event=event, guest_name="Maria Lopez", status=RSVP.Status.WAITLISTED, queued_at=timezone.now()
    )
    RSVPFactory(event=event, status=RSVP.Status.CANCELLED)

    response = host_client.get(_csv(event))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == f'attachment; filename="{event.slug}-attendees.csv"'
    header, *rows = _rows(response)
    assert header == ["Name", "Email address", "Party size", "Seat code", "Status", "Checked in at", "Attendance"]
    assert [row[0] for row in rows] == ["Ana Alvarez", "Maria Lopez"]
    assert rows[0][1:5] == [ana.user.email, "2", ana.seat_code, "Seat confirmed"]
    assert rows[0][5] != ""
    assert rows[1][1] == waiting.guest_email
    assert rows[1][4] == "On the waitlist"


@pytest.mark.parametrize("name", ['=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)", "\t=1"])
def test_it_guards_the_csv_against_formula_injection(host_client, event, name):
    GuestRSVPFactory(event=event, guest_name=name)

    _header, row = _rows(host_client.get(_csv(event)))

    assert row[0] == "'" + name


def test_it_leaves_ordinary_cells_alone():
    assert csv_safe("Ana Alvarez") == "Ana Alvarez"
    assert csv_safe(3) == "3"
    assert csv_safe(None) == ""
    assert csv_safe("=1") == "'=1"
