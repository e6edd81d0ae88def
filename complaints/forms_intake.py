"""The complaint form's steps: input shape only (lengths, choices, dates not in the future).

Each step's answers are kept in the draft as the form data itself (strings and lists of strings,
see `answers_of`), so filing binds the same forms again to the stored answers: a category switched
off or an officer taken out of the directory since the step was answered is caught at filing too.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.models import AllegationCategory, Complaint, ComplaintOfficer
from portal.models import District, OfficerProfile

NARRATIVE_MAX_LENGTH = Complaint._meta.get_field("narrative").max_length
WITNESSES_MAX_LENGTH = Complaint._meta.get_field("witnesses").max_length
OFFICERS_MAX = 10
SEARCH_MAX_LENGTH = 100
EARLIEST_YEAR = 1950
PHONE_RE = re.compile(r"^[0-9+()./\- ]{7,40}$")

TOO_LONG = _("This can be at most %(limit_value)d characters long (it has %(show_value)d).")


def answers_of(form: forms.Form) -> dict[str, Any]:
    """A valid form's cleaned data as JSON-safe form data (what binding the form again accepts)."""
    answers: dict[str, Any] = {}
    for name, value in form.cleaned_data.items():
        if isinstance(value, bool):
            if value:
                answers[name] = "on"
        elif isinstance(value, datetime | date):
            answers[name] = value.isoformat()
        elif isinstance(value, time):
            answers[name] = value.strftime("%H:%M")
        elif isinstance(value, District):
            answers[name] = value.slug
        elif hasattr(value, "model") and hasattr(value, "values_list"):  # a queryset of choices
            answers[name] = [str(pk) for pk in value.values_list("pk", flat=True)]
        elif value is None:
            answers[name] = ""
        else:
            answers[name] = value
    return answers


class AboutYouForm(forms.Form):
    filer = forms.ChoiceField(
        label=_("Who is this complaint for?"),
        choices=Complaint.Filer.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose whether the complaint is for you or for someone else."),
            "invalid_choice": _("Choose whether the complaint is for you or for someone else."),
        },
    )
    relationship = forms.CharField(
        label=_("If it is for someone else: how do you know them?"),
        help_text=_("For example: parent, friend, lawyer, community advocate."),
        required=False,
        max_length=200,
        error_messages={"max_length": TOO_LONG},
    )
    affected_person_name = forms.CharField(
        label=_("If it is for someone else: their name"),
        required=False,
        max_length=200,
        error_messages={"max_length": TOO_LONG},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("filer") == Complaint.Filer.ON_BEHALF:
            if not data.get("relationship") and not self.has_error("relationship"):
                self.add_error("relationship", _("Say how you know the person the complaint is for."))
            if not data.get("affected_person_name") and not self.has_error("affected_person_name"):
                self.add_error("affected_person_name", _("Enter the name of the person the complaint is for."))
        elif data.get("filer") == Complaint.Filer.SELF:
            data["relationship"] = ""
            data["affected_person_name"] = ""
        return data


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", **kwargs)


class WhenForm(forms.Form):
    incident_date = forms.DateField(
        label=_("Date it happened"),
        help_text=_("If you are not sure of the exact day, give your best guess and tick the box below."),
        input_formats=["%Y-%m-%d", "%m/%d/%Y", "%d/%m/%Y"],
        widget=DateInput(),
        error_messages={
            "required": _("Enter the date it happened, or your best guess."),
            "invalid": _("Enter a real date, for example 2026-03-27."),
        },
    )
    incident_date_is_approximate = forms.BooleanField(label=_("The date is approximate"), required=False)
    incident_time = forms.TimeField(
        label=_("Time it happened (optional)"),
        help_text=_("For example 14:30. Leave it empty if you do not know."),
        required=False,
        input_formats=["%H:%M", "%H:%M:%S", "%I:%M %p"],
        widget=TimeInput(),
        error_messages={"invalid": _("Enter a real time, for example 14:30.")},
    )
    incident_time_is_approximate = forms.BooleanField(label=_("The time is approximate"), required=False)

    def clean_incident_date(self) -> date:
        value = self.cleaned_data["incident_date"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."), code="future")
        if value.year < EARLIEST_YEAR:
            raise forms.ValidationError(_("Enter a date after %(year)s.") % {"year": EARLIEST_YEAR}, code="too_early")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        day, at = data.get("incident_date"), data.get("incident_time")
        if day and at and day == timezone.localdate() and at > timezone.localtime().time().replace(tzinfo=None):
            self.add_error(
                "incident_time", forms.ValidationError(_("The time cannot be in the future."), code="future")
            )
        if not at:
            data["incident_time_is_approximate"] = False
        return data


class _DistrictField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


class WhereForm(forms.Form):
    incident_place = forms.CharField(
        label=_("Where did it happen?"),
        help_text=_("An address, a street corner, a landmark or a description of the place."),
        max_length=Complaint._meta.get_field("incident_place").max_length,
        error_messages={"required": _("Say where it happened."), "max_length": TOO_LONG},
    )
    district = _DistrictField(
        label=_("District (if you know it)"),
        queryset=District.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label=_("I do not know"),
        error_messages={"invalid_choice": _("We do not know that district. Choose one from the list.")},
    )


class WhatHappenedForm(forms.Form):
    narrative = forms.CharField(
        label=_("What happened?"),
        help_text=_(
            "Tell us in your own words what happened, in the order it happened: what the officers did "
            "and said, and what you did. Up to 10,000 characters."
        ),
        max_length=NARRATIVE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 12, "maxlength": NARRATIVE_MAX_LENGTH}),
        error_messages={"required": _("Tell us what happened."), "max_length": TOO_LONG},
    )


class OfficerSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search the officer directory by name or badge number"),
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        error_messages={"max_length": _("Search for at most %(limit_value)d characters.")},
    )


class OfficerAddForm(forms.Form):
    officer = forms.ModelChoiceField(
        queryset=OfficerProfile.objects.filter(is_public=True),
        error_messages={
            "required": _("Choose an officer from the search results."),
            "invalid_choice": _("We do not know that officer. Search the directory again and choose from the results."),
        },
    )


class OfficerDescribeForm(forms.Form):
    described_name = forms.CharField(
        label=_("Name (if you know it)"),
        required=False,
        max_length=ComplaintOfficer._meta.get_field("described_name").max_length,
        error_messages={"max_length": TOO_LONG},
    )
    described_badge = forms.CharField(
        label=_("Badge number (if you know it)"),
        required=False,
        max_length=ComplaintOfficer._meta.get_field("described_badge").max_length,
        error_messages={"max_length": TOO_LONG},
    )
    description = forms.CharField(
        label=_("Description"),
        help_text=_("What they looked like, their car or unit number, anything that helps us find them."),
        required=False,
        max_length=ComplaintOfficer._meta.get_field("description").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": TOO_LONG},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors and not any(data.get(name) for name in ("described_name", "described_badge", "description")):
            raise forms.ValidationError(
                _("Give at least a name, a badge number or a description of the officer."), code="empty"
            )
        return data


class _CategoryField(forms.ModelMultipleChoiceField):
    language = "en"

    def label_from_instance(self, obj: AllegationCategory) -> str:
        return obj.name_for(self.language)


class AllegationsForm(forms.Form):
    categories = _CategoryField(
        label=_("What do you say the officers did wrong?"),
        help_text=_("Choose every one that applies."),
        queryset=AllegationCategory.objects.filter(is_active=True).order_by("order", "pk"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one kind of complaint. If none fits, choose “Other”."),
            "invalid_choice": _("We do not know one of the kinds of complaint you chose. Choose from the list."),
            "invalid_pk_value": _("We do not know one of the kinds of complaint you chose. Choose from the list."),
            "invalid_list": _("Choose from the list."),
        },
    )

    def __init__(self, *args: Any, language: str = "en", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["categories"].language = language


class WitnessesForm(forms.Form):
    witnesses = forms.CharField(
        label=_("Did anyone else see what happened? (optional)"),
        help_text=_("Their names and how to reach them, if you know. Say if someone recorded it on a phone or camera."),
        required=False,
        max_length=WITNESSES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": WITNESSES_MAX_LENGTH}),
        error_messages={"max_length": TOO_LONG},
    )


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            if not data:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class EvidenceUploadForm(forms.Form):
    files = MultipleFileField(
        label=_("Add files"),
        error_messages={
            "required": _("Choose a file to add."),
            "empty": _("The file you chose is empty."),
            "invalid": _("Choose a file to add."),
            "missing": _("Choose a file to add."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = _(
            "Photos, videos, sound recordings or documents: PDF, JPEG, PNG, HEIC, MP4, MP3 or M4A, "
            "up to %(size)s MB each, %(count)s files in all. You can choose several at once."
        ) % {
            "size": settings.COMPLAINTS_EVIDENCE_MAX_BYTES // (1024 * 1024),
            "count": settings.COMPLAINTS_EVIDENCE_MAX_FILES,
        }


class ContactForm(forms.Form):
    complainant_name = forms.CharField(
        label=_("Your name (optional)"),
        help_text=_("You can make a complaint without giving your name, but it can be harder to look into."),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"max_length": TOO_LONG},
    )
    complainant_email = forms.EmailField(
        label=_("Email address (optional)"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "invalid": _("Enter an email address in the right format, like name@example.com."),
            "max_length": _("That email address is too long."),
        },
    )
    complainant_phone = forms.CharField(
        label=_("Phone number (optional)"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
        error_messages={"max_length": TOO_LONG},
    )
    contact_preference = forms.ChoiceField(
        label=_("How may the investigator contact you?"),
        help_text=_("Emails from us only ever say that there is news, never what your complaint is about."),
        choices=Complaint.Contact.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how we may contact you."),
            "invalid_choice": _("Choose how we may contact you from the list."),
        },
    )
    language = forms.ChoiceField(
        label=_("Which language should we use with you?"),
        choices=settings.LANGUAGES,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a language."),
            "invalid_choice": _("Choose a language from the list."),
        },
    )
    consent_to_contact = forms.BooleanField(
        label=_("I agree that the investigator may contact me about this complaint in the way I chose"),
        required=False,
    )

    def clean_complainant_phone(self) -> str:
        phone = self.cleaned_data.get("complainant_phone", "").strip()
        if phone and not PHONE_RE.match(phone):
            raise forms.ValidationError(_("Enter a phone number using digits, like (555) 010-0100."), code="phone")
        return phone

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        preference = data.get("contact_preference")
        if (
            preference == Complaint.Contact.EMAIL
            and not data.get("complainant_email")
            and not self.has_error("complainant_email")
        ):
            self.add_error("complainant_email", _("Enter your email address, or choose another way to be contacted."))
        if (
            preference == Complaint.Contact.PHONE
            and not data.get("complainant_phone")
            and not self.has_error("complainant_phone")
        ):
            self.add_error("complainant_phone", _("Enter your phone number, or choose another way to be contacted."))
        if preference in (Complaint.Contact.EMAIL, Complaint.Contact.PHONE) and not data.get("consent_to_contact"):
            self.add_error(
                "consent_to_contact",
                _("Tick the box to let us contact you, or choose “Do not contact me”."),
            )
        if preference == Complaint.Contact.NONE:
            data["consent_to_contact"] = False
        return data


class StaffChannelForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("How did the complaint reach us?"),
        choices=[
            (Complaint.Channel.PHONE, Complaint.Channel.PHONE.label),
            (Complaint.Channel.IN_PERSON, Complaint.Channel.IN_PERSON.label),
            (Complaint.Channel.MAIL, Complaint.Channel.MAIL.label),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how the complaint reached us."),
            "invalid_choice": _("Choose how the complaint reached us from the list."),
        },
    )


# The steps answered with one form (officers and evidence are lists with their own actions).
STEP_FORMS: dict[str, type[forms.Form]] = {
    "about-you": AboutYouForm,
    "when": WhenForm,
    "where": WhereForm,
    "what-happened": WhatHappenedForm,
    "allegations": AllegationsForm,
    "witnesses": WitnessesForm,
    "contact": ContactForm,
}


def step_form(step: str, *, data: Any = None, initial: Any = None, language: str = "en") -> forms.Form:
    cls = STEP_FORMS[step]
    kwargs: dict[str, Any] = {"data": data, "initial": initial}
    if cls is AllegationsForm:
        kwargs["language"] = language
    return cls(**kwargs)
