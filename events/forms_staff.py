"""Forms of the hosting pages: input shape only (lengths, choices, conversions); the services
(events.services.hosting) hold the rules that need other rows.

Dates and times are typed in the department's time zone (the active time zone, TIME_ZONE), with
the browser's date-time picker.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from events.models import RSVP, Event
from portal.models import District, Language, OfficerProfile

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
MAX_CAPACITY = 100_000
SEARCH_MAX_LENGTH = 100


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format=DATETIME_FORMAT)


def _datetime_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"],
        widget=DateTimeLocalInput(),
        error_messages={"invalid": _("Enter a date and time, for example 2026-03-14 18:30.")},
    )


def _max_length(name: str) -> int:
    return Event._meta.get_field(name).max_length


class EventForm(forms.Form):
    """Create or edit an event. Field names are the service's keyword arguments."""

    title = forms.CharField(label=_("Title"), max_length=_max_length("title"))
    kind = forms.ChoiceField(label=_("Kind of event"), choices=Event.Kind.choices)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=_max_length("summary"),
        required=False,
        help_text=_("One sentence shown in lists of events."),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=Event._meta.get_field("description").max_length,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    district = forms.ModelChoiceField(
        label=_("District"),
        queryset=District.objects.order_by("name"),
        required=False,
        empty_label=_("- Whole city -"),
    )
    starts_at = _datetime_field(_("Starts"), help_text=_("Date and time, in the department's time zone."))
    ends_at = _datetime_field(_("Ends"))
    venue_name = forms.CharField(
        label=_("Venue"),
        max_length=_max_length("venue_name"),
        required=False,
        help_text=_("For example: Riverside Library, community room."),
    )
    address = forms.CharField(label=_("Street address"), max_length=_max_length("address"), required=False)
    online_url = forms.URLField(
        label=_("Online meeting link"),
        max_length=_max_length("online_url"),
        required=False,
        assume_scheme="https",
        help_text=_("Only people with a seat see this link."),
    )
    capacity = forms.IntegerField(
        label=_("Seats"),
        required=False,
        min_value=1,
        max_value=MAX_CAPACITY,
        help_text=_("Leave empty for no limit."),
        error_messages={"min_value": _("Seats must be at least 1. Leave it empty for no limit.")},
    )
    rsvp_deadline = _datetime_field(
        _("RSVP deadline"), required=False, help_text=_("Optional. RSVPs also close when the event starts.")
    )
    hosts = forms.ModelMultipleChoiceField(
        label=_("Hosting officers"),
        queryset=OfficerProfile.objects.order_by("last_name", "first_name"),
        required=False,
        help_text=_("Hosts can edit the event, see who is coming and check people in."),
        error_messages={"invalid_choice": _("Choose hosts from the list of officers.")},
    )
    languages = forms.ModelMultipleChoiceField(
        label=_("Languages offered"),
        queryset=Language.objects.order_by("code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    step_free_access = forms.BooleanField(label=_("Step-free access"), required=False)
    interpreter = forms.BooleanField(label=_("Interpreter available"), required=False)
    childcare = forms.BooleanField(label=_("Childcare available"), required=False)
    captioning = forms.BooleanField(label=_("Captioning available"), required=False)
    accessibility_notes = forms.CharField(
        label=_("Accessibility notes"),
        max_length=Event._meta.get_field("accessibility_notes").max_length,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: the entrance on Oak Street has a ramp; a quiet room is available."),
    )

    ACCESSIBILITY_FIELDS = ("step_free_access", "interpreter", "childcare", "captioning")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["hosts"].widget.attrs["size"] = 8

    @classmethod
    def initial_for(cls, event: Event) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(event, name) for name in cls.base_fields}
        # The inputs show minutes: compare like with like, or an untouched time would count as changed.
        for name in ("starts_at", "ends_at", "rsvp_deadline"):
            if initial[name] is not None:
                initial[name] = initial[name].replace(second=0, microsecond=0)
        initial["district"] = event.district_id
        initial["hosts"] = [host.pk for host in event.hosts.all()]
        initial["languages"] = [language.pk for language in event.languages.all()]
        return initial

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        starts_at, ends_at, deadline = data.get("starts_at"), data.get("ends_at"), data.get("rsvp_deadline")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error(
                "ends_at", forms.ValidationError(_("The event must end after it starts."), code="ends_before_start")
            )
        if starts_at and deadline and deadline > starts_at:
            self.add_error(
                "rsvp_deadline",
                forms.ValidationError(
                    _("The RSVP deadline must be before the event starts."), code="deadline_after_start"
                ),
            )
        return data

    def changes(self) -> dict[str, Any]:
        """What the person changed (for event_update): only the fields that differ from the event."""
        return {name: self.cleaned_data[name] for name in self.changed_data if name in self.cleaned_data}


class PublishForm(forms.Form):
    """A confirmation: nothing to fill in but the CSRF token."""


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        max_length=Event._meta.get_field("cancellation_reason").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("We send this to everyone with a seat or a waitlist place, and show it on the event page."),
        error_messages={"required": _("Tell people why the event is cancelled.")},
    )


class DuplicateForm(forms.Form):
    starts_at = _datetime_field(
        _("The copy starts"), help_text=_("Date and time, in the department's time zone. It keeps the same length.")
    )


class CheckinSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name, email address or seat code"),
        max_length=SEARCH_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "autocapitalize": "off"}),
    )


class CheckinMarkForm(forms.Form):
    arrived = forms.TypedChoiceField(
        choices=[("1", _("Arrived")), ("0", _("Not arrived"))], coerce=lambda value: value == "1"
    )
    q = forms.CharField(max_length=SEARCH_MAX_LENGTH, required=False)


class WalkInsForm(forms.Form):
    change = forms.TypedChoiceField(choices=[("1", "+1"), ("-1", "-1")], coerce=int)


class AttendanceForm(forms.Form):
    """One radio group per confirmed seat: attended / did not attend / not recorded. Someone who
    was checked in at the door starts as attended."""

    CHOICES = [
        (RSVP.Attendance.ATTENDED, _("Attended")),
        (RSVP.Attendance.NO_SHOW, _("Did not attend")),
        (RSVP.Attendance.UNKNOWN, _("Not recorded")),
    ]

    def __init__(self, *args: Any, rsvps: list[RSVP], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rsvps = rsvps
        for rsvp in rsvps:
            initial = rsvp.attendance
            if initial == RSVP.Attendance.UNKNOWN and rsvp.checked_in_at:
                initial = RSVP.Attendance.ATTENDED
            self.fields[self.field_name(rsvp)] = forms.ChoiceField(
                label=rsvp.display_name, choices=self.CHOICES, initial=initial, widget=forms.RadioSelect
            )

    @staticmethod
    def field_name(rsvp: RSVP) -> str:
        return f"rsvp_{rsvp.pk}"

    def rows(self) -> list[tuple[RSVP, forms.BoundField]]:
        return [(rsvp, self[self.field_name(rsvp)]) for rsvp in self.rsvps]

    def attendance(self) -> dict[int, str]:
        return {rsvp.pk: self.cleaned_data[self.field_name(rsvp)] for rsvp in self.rsvps}
