"""Query filters of the open data endpoints (django-filter). Unknown values are 400s, never a 500.

Only what the public may see can be filtered on: an officer filter knows public officers only, so
a hidden profile's slug answers exactly like a slug that does not exist.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import Event
from feedback.models import Feedback
from portal.models import District, Language, OfficerProfile
from transparency.models import Category, Update

DISTRICT_ERRORS = {"invalid_choice": _("There is no district called “%(value)s”.")}
LANGUAGE_ERRORS = {"invalid_choice": _("There is no language with the code “%(value)s”.")}
OFFICER_ERRORS = {"invalid_choice": _("There is no officer “%(value)s” in the public directory.")}
DATE_ERRORS = {"invalid": _("Write the date as YYYY-MM-DD, like 2026-05-31.")}


def _district_filter() -> django_filters.ModelChoiceFilter:
    return django_filters.ModelChoiceFilter(
        queryset=District.objects.all(),
        to_field_name="slug",
        label=_("District (its slug)"),
        error_messages=DISTRICT_ERRORS,
    )


def _start_of_day(day: date) -> datetime:
    """Midnight at the start of `day` in the department's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


class OfficerFilter(django_filters.FilterSet):
    district = _district_filter()
    language = django_filters.ModelChoiceFilter(
        field_name="languages",
        queryset=Language.objects.all(),
        to_field_name="code",
        label=_("A language the officer speaks (its code, like “es”)"),
        error_messages=LANGUAGE_ERRORS,
    )

    class Meta:
        model = OfficerProfile
        fields = ["district", "language"]


EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2999, 12, 31)


class EventFilterForm(forms.Form):
    def clean(self) -> dict:
        cleaned = super().clean()
        for name in ("from", "to"):
            day = cleaned.get(name)
            if day is not None and not EARLIEST_DAY <= day <= LATEST_DAY:
                # Far dates would overflow the time zone arithmetic; nothing happens there anyway.
                self.add_error(name, _("Choose a day between the years 1900 and 2999."))
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and end < start:
            self.add_error("to", _("The “to” date must be on or after the “from” date."))
        return cleaned


class EventFilter(django_filters.FilterSet):
    district = _district_filter()
    kind = django_filters.ChoiceFilter(
        choices=Event.Kind.choices,
        label=_("Kind of event"),
        error_messages={"invalid_choice": _("There is no kind of event called “%(value)s”.")},
    )
    status = django_filters.ChoiceFilter(
        choices=[(Event.Status.PUBLISHED, _("Published")), (Event.Status.CANCELLED, _("Cancelled"))],
        label=_("Published or cancelled"),
        error_messages={"invalid_choice": _("The status must be “published” or “cancelled”, not “%(value)s”.")},
    )

    class Meta:
        model = Event
        fields = ["district", "kind", "status"]
        form = EventFilterForm

    def filter_from(self, queryset: QuerySet[Event], name: str, value: date) -> QuerySet[Event]:
        return queryset.filter(starts_at__gte=_start_of_day(value))

    def filter_to(self, queryset: QuerySet[Event], name: str, value: date) -> QuerySet[Event]:
        return queryset.filter(starts_at__lt=_start_of_day(value + timedelta(days=1)))


# "from" and "to" are Python keywords: added to the declared filters by name.
EventFilter.base_filters["from"] = django_filters.DateFilter(
    method="filter_from", label=_("Events starting on or after this day (YYYY-MM-DD)"), error_messages=DATE_ERRORS
)
EventFilter.base_filters["to"] = django_filters.DateFilter(
    method="filter_to", label=_("Events starting on or before this day (YYYY-MM-DD)"), error_messages=DATE_ERRORS
)


class FeedbackFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        choices=Feedback.Kind.choices,
        label=_("Kind of feedback"),
        error_messages={"invalid_choice": _("There is no kind of feedback called “%(value)s”.")},
    )
    district = _district_filter()
    officer = django_filters.ModelChoiceFilter(
        queryset=OfficerProfile.objects.filter(is_public=True),
        to_field_name="slug",
        label=_("Officer (their slug in the public directory)"),
        error_messages=OFFICER_ERRORS,
    )

    class Meta:
        model = Feedback
        fields = ["kind", "district", "officer"]


class UpdateFilter(django_filters.FilterSet):
    category = django_filters.ChoiceFilter(
        choices=Category.choices,
        label=_("Category"),
        error_messages={"invalid_choice": _("There is no category called “%(value)s”.")},
    )
    district = django_filters.ModelChoiceFilter(
        field_name="districts",
        queryset=District.objects.all(),
        to_field_name="slug",
        label=_("District (its slug)"),
        error_messages=DISTRICT_ERRORS,
    )

    class Meta:
        model = Update
        fields = ["category", "district"]
