"""Forms for RSVPs (with an account and without one): input shape only; rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from events.services.rsvp import GUEST_EMAIL_MAX_LENGTH, GUEST_NAME_MAX_LENGTH


def _party_size_field() -> forms.IntegerField:
    maximum = settings.EVENTS_MAX_PARTY_SIZE
    message = _("Enter a party size from 1 to %(maximum)s.") % {"maximum": maximum}
    return forms.IntegerField(
        label=_("How many people, including you?"),
        min_value=1,
        max_value=maximum,
        initial=1,
        help_text=_("Up to %(maximum)s people.") % {"maximum": maximum},
        error_messages={
            "required": _("Enter how many people are coming, including you."),
            "invalid": _("Enter the party size as a whole number, such as 2."),
            "min_value": message,
            "max_value": message,
        },
        widget=forms.NumberInput(attrs={"class": "usa-input--small", "inputmode": "numeric"}),
    )


class RsvpForm(forms.Form):
    party_size = _party_size_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Built per form, so the limit follows the setting (tests change it).
        self.fields["party_size"] = _party_size_field()


class GuestRsvpForm(RsvpForm):
    name = forms.CharField(
        label=_("Your name"),
        max_length=GUEST_NAME_MAX_LENGTH,
        help_text=_("Hosts see it on the list at the door."),
        error_messages={
            "required": _("Enter your name."),
            "max_length": _("Your name can be at most %(limit_value)d characters long."),
        },
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=GUEST_EMAIL_MAX_LENGTH,
        help_text=_(
            "We email you a link to confirm your RSVP. The same private link lets you change or cancel it. "
            "We use your address only for this event: to confirm, to remind you and to tell you if it changes."
        ),
        error_messages={
            "required": _("Enter your email address."),
            "invalid": _("Enter an email address in the right format, like name@example.com."),
            "max_length": _("That email address is too long."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    field_order = ["name", "email", "party_size"]


class RemindersForm(forms.Form):
    """The reminders switch of one RSVP: the button pressed says "on" or "off"."""

    reminders = forms.ChoiceField(
        choices=[("on", _("Send me reminders")), ("off", _("Stop reminders"))],
        error_messages={
            "required": _("Choose whether to get reminders."),
            "invalid_choice": _("Choose whether to get reminders."),
        },
    )

    @property
    def enabled(self) -> bool:
        return self.cleaned_data["reminders"] == "on"
