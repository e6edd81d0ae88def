"""Forms for sending feedback and for the author's answer to the replies: input shape only; the
rules (which subject each "about" needs, once-only rating and follow-up) live in
feedback.services.sending."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from feedback.models import Feedback
from feedback.services.sending import MESSAGE_MAX_LENGTH
from portal.models import District, OfficerProfile

# Field names the honeypot may not share with a real field; bots fill a field called "website".
HONEYPOT_FIELD = "website"
# What is kept in the session when the sender goes to the complaint form, and restored after.
DRAFT_FIELDS = ("kind", "about", "district", "officer", "event", "message", "language", "may_publish", "contact_email")


def _published_events() -> Any:
    # The documented hook: feedback reads events only through events.selectors.
    from events.models import Event
    from events.selectors import events_public

    return events_public().filter(status=Event.Status.PUBLISHED).order_by("-starts_at", "pk")


class _SubjectChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        if isinstance(obj, OfficerProfile):
            return f"{obj.full_name} ({obj.rank})" if obj.rank else obj.full_name
        if hasattr(obj, "starts_at"):
            return f"{obj.title} — {obj.starts_at:%Y-%m-%d}"
        return str(obj)


class FeedbackForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What kind of feedback is it?"),
        choices=Feedback.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the kind of feedback."),
            "invalid_choice": _("Choose the kind of feedback from the list."),
        },
    )
    about = forms.ChoiceField(
        label=_("What is it about?"),
        choices=Feedback.About.choices,
        initial=Feedback.About.DEPARTMENT,
        widget=forms.RadioSelect,
        help_text=_("If you choose a district, an officer or an event, choose which one below."),
        error_messages={
            "required": _("Choose what your feedback is about."),
            "invalid_choice": _("Choose what your feedback is about from the list."),
        },
    )
    district = _SubjectChoiceField(
        label=_("District (if it is about a district)"),
        queryset=District.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label=_("- Choose a district -"),
        error_messages={"invalid_choice": _("We do not know that district. Choose one from the list.")},
    )
    officer = _SubjectChoiceField(
        label=_("Officer (if it is about an officer)"),
        queryset=OfficerProfile.objects.filter(is_public=True).order_by("last_name", "first_name", "pk"),
        to_field_name="slug",
        required=False,
        empty_label=_("- Choose an officer -"),
        error_messages={"invalid_choice": _("We do not know that officer. Choose one from the list.")},
    )
    event = _SubjectChoiceField(
        label=_("Event (if it is about an event)"),
        queryset=Feedback.objects.none(),  # set per form: published events
        to_field_name="slug",
        required=False,
        empty_label=_("- Choose an event -"),
        error_messages={"invalid_choice": _("We do not know that event. Choose one from the list.")},
    )
    message = forms.CharField(
        label=_("Your message"),
        max_length=MESSAGE_MAX_LENGTH,
        strip=True,
        help_text=_("Up to 5,000 characters. Please do not include other people's names, phone numbers or addresses."),
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": MESSAGE_MAX_LENGTH}),
        error_messages={
            "required": _("Write your message."),
            "max_length": _("Your message can be at most %(limit_value)d characters long (it has %(show_value)d)."),
        },
    )
    language = forms.ChoiceField(
        label=_("Language of your message (we answer in it)"),
        choices=settings.LANGUAGES,
        error_messages={
            "required": _("Choose a language."),
            "invalid_choice": _("Choose a language from the list."),
        },
    )
    may_publish = forms.BooleanField(
        label=_("You may publish my message on the public feedback page"),
        required=False,
        help_text=_(
            "If you tick this, staff may show your message (without your name or email address, and with "
            "other people's names, phone numbers and addresses removed) with the department's answer. "
            "If you do not, only staff read it."
        ),
    )
    contact_email = forms.EmailField(
        label=_("Your email address (optional)"),
        required=False,
        max_length=254,
        help_text=_(
            "Only if you want an email when we answer. It is never shown publicly and never published. "
            "You can leave it empty and read answers through the private link we give you."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "invalid": _("Enter an email address in the right format, like name@example.com."),
            "max_length": _("That email address is too long."),
        },
    )
    # The honeypot: hidden from people (off screen, in a container hidden from assistive
    # technology, out of the tab order); a person never fills it, many bots do.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, signed_in: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = _published_events()
        if "language" not in self.initial:
            language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
            self.fields["language"].initial = language if language in dict(settings.LANGUAGES) else "en"
        if signed_in:
            # A signed-in sender reads answers under "My feedback"; no address is asked for.
            del self.fields["contact_email"]

    @property
    def honeypot_filled(self) -> bool:
        return bool((self.data.get(HONEYPOT_FIELD) or "").strip())

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        about = data.get("about")
        # The page offers every subject list at once (it works without JavaScript): only the one
        # "about" names counts, the others are ignored.
        for name in ("district", "officer", "event"):
            if about != name:
                data[name] = None
        if about in ("district", "officer", "event") and data.get(about) is None and not self.has_error(about):
            required = {
                "district": _("Choose the district your feedback is about."),
                "officer": _("Choose the officer your feedback is about."),
                "event": _("Choose the event your feedback is about."),
            }
            self.add_error(about, required[about])
        return data


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How well did the answer help you?"),
        choices=[
            ("1", _("1 — not at all")),
            ("2", _("2")),
            ("3", _("3")),
            ("4", _("4")),
            ("5", _("5 — very well")),
        ],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a rating from 1 to 5."),
            "invalid_choice": _("Choose a rating from 1 to 5."),
        },
    )


class FollowUpForm(forms.Form):
    text = forms.CharField(
        label=_("Write back to us"),
        max_length=MESSAGE_MAX_LENGTH,
        strip=True,
        help_text=_(
            "If the answer did not answer you, tell us what is missing. You can write back once; "
            "staff will see your item again."
        ),
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": MESSAGE_MAX_LENGTH}),
        error_messages={
            "required": _("Write what the answer is missing."),
            "max_length": _("Your reply can be at most %(limit_value)d characters long (it has %(show_value)d)."),
        },
    )
