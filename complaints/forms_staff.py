"""Forms of the staff side of complaints: input shape only (choices, lengths, dates). The rules
that need other rows (which transition is allowed, whether findings can be issued, who may be
assigned) are the workflow service's (complaints.services.workflow); a form refusing a value
makes the page answer 400 with the form and a message, never a 500.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from complaints.models import Allegation, AllegationCategory, Complaint, ComplaintOfficer
from complaints.selectors import (
    ASSIGNED_ME,
    ASSIGNED_NOBODY,
    DEADLINE_DUE_SOON,
    DEADLINE_OVERDUE,
    QueueFilters,
)
from portal.models import District
from portal.roles import Role

NOTE_MAX_LENGTH = 5000
MESSAGE_MAX_LENGTH = 5000
REFERRED_TO_MAX_LENGTH = 200
DISCIPLINE_MAX_LENGTH = 300
REFERENCE_MAX_LENGTH = 40

ASSIGNED_CHOICES = [
    ("", _("Anyone or nobody")),
    (ASSIGNED_ME, _("Assigned to me")),
    (ASSIGNED_NOBODY, _("Not assigned yet")),
]
DEADLINE_CHOICES = [
    ("", _("Any")),
    (DEADLINE_OVERDUE, _("Overdue")),
    (DEADLINE_DUE_SOON, _("Due soon")),
]


class QueueFilterForm(forms.Form):
    """The queue's filters (GET; the CSV export takes the same). An unknown value is an error."""

    reference = forms.CharField(
        label=_("Reference"),
        required=False,
        max_length=REFERENCE_MAX_LENGTH,
        help_text=_("The whole reference (CP-2026-00042) or part of it."),
        error_messages={"max_length": _("A reference is at most %(limit_value)d characters long.")},
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *Complaint.Status.choices],
        error_messages={"invalid_choice": _("Choose a status from the list.")},
    )
    category = forms.ModelChoiceField(
        label=_("Allegation"),
        required=False,
        queryset=AllegationCategory.objects.order_by("order", "pk"),
        empty_label=_("Any allegation"),
        error_messages={"invalid_choice": _("Choose an allegation from the list.")},
    )
    district = forms.ModelChoiceField(
        label=_("District"),
        required=False,
        queryset=District.objects.order_by("name"),
        empty_label=_("Any district"),
        error_messages={"invalid_choice": _("Choose a district from the list.")},
    )
    assigned = forms.ChoiceField(
        label=_("Assigned"),
        required=False,
        choices=ASSIGNED_CHOICES,
        error_messages={"invalid_choice": _("Choose who it is assigned to from the list.")},
    )
    deadline = forms.ChoiceField(
        label=_("Deadline"),
        required=False,
        choices=DEADLINE_CHOICES,
        error_messages={"invalid_choice": _("Choose a deadline from the list.")},
    )

    def filters(self) -> QueueFilters:
        data = self.cleaned_data
        return QueueFilters(
            status=data.get("status") or "",
            category=data.get("category"),
            district=data.get("district"),
            assigned=data.get("assigned") or "",
            deadline=data.get("deadline") or "",
            reference=(data.get("reference") or "").strip(),
        )

    def query(self) -> dict[str, str]:
        """The valid filters, for pagination and export links."""
        out: dict[str, str] = {}
        for name in ("reference", "status", "assigned", "deadline"):
            value = (self.cleaned_data.get(name) or "").strip()
            if value:
                out[name] = value
        for name in ("category", "district"):
            if self.cleaned_data.get(name) is not None:
                out[name] = str(self.cleaned_data[name].pk)
        return out


class TransitionForm(forms.Form):
    """Move a complaint on. Only the targets the transition table allows from its status are offered."""

    to_status = forms.ChoiceField(
        label=_("New status"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the new status."),
            "invalid_choice": _("That change is not possible from the complaint's current status."),
        },
    )
    public_note = forms.CharField(
        label=_("Note for the complainant (optional)"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown on their tracking page, in plain words. Up to 5,000 characters."),
    )
    note = forms.CharField(
        label=_("Internal note (optional)"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Only staff see it. Up to 5,000 characters."),
    )
    referred_to = forms.CharField(
        label=_("Referred to (agency)"),
        required=False,
        max_length=REFERRED_TO_MAX_LENGTH,
        help_text=_("Only when referring the complaint to another agency."),
    )

    def __init__(self, *args: Any, targets: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = targets

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("to_status") == Complaint.Status.REFERRED and not (data.get("referred_to") or "").strip():
            self.add_error("referred_to", _("Say which agency the complaint is referred to."))
        return data


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Investigator"),
        queryset=get_user_model().objects.none(),
        empty_label=_("- Choose someone -"),
        error_messages={
            "required": _("Choose who will work on the complaint."),
            "invalid_choice": _("Choose someone from the list."),
        },
    )

    def __init__(self, *args: Any, assignees: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        field.queryset = assignees
        field.label_from_instance = lambda user: user.get_full_name() or user.email


def complaint_assignees(*, complaint: Complaint) -> QuerySet:
    """Active investigators and administrators, except anyone the complaint names (conflict of interest)."""
    named_users = ComplaintOfficer.objects.filter(complaint=complaint, officer__user__isnull=False).values(
        "officer__user"
    )
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=[Role.INVESTIGATOR.value, Role.ADMINISTRATOR.value])
        .exclude(pk__in=named_users)
        .distinct()
        .order_by("last_name", "first_name", "email")
    )


class FindingForm(forms.Form):
    """One officer-allegation pair's finding: the investigator's recommendation and the final one."""

    allegation = forms.ModelChoiceField(
        queryset=Allegation.objects.none(),
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Choose the allegation the finding is about."),
            "invalid_choice": _("That allegation is not part of this complaint."),
        },
    )
    recommended_finding = forms.ChoiceField(
        label=_("Recommended finding"),
        required=False,
        choices=[("", _("- Not yet -")), *Allegation.Finding.choices],
        error_messages={"invalid_choice": _("Choose a finding from the list.")},
    )
    finding = forms.ChoiceField(
        label=_("Final finding"),
        required=False,
        choices=[("", _("- Not yet -")), *Allegation.Finding.choices],
        error_messages={"invalid_choice": _("Choose a finding from the list.")},
    )
    unable_reason = forms.ChoiceField(
        label=_("Why it could not be investigated"),
        required=False,
        choices=[("", _("- Not applicable -")), *Allegation.UnableReason.choices],
        error_messages={"invalid_choice": _("Choose a reason from the list.")},
    )
    discipline = forms.CharField(
        label=_("Discipline (optional)"),
        required=False,
        max_length=DISCIPLINE_MAX_LENGTH,
        help_text=_("Only with a final finding of “Sustained”. Up to 300 characters."),
    )

    def __init__(self, *args: Any, complaint: Complaint, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["allegation"].queryset = Allegation.objects.filter(complaint=complaint)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        unable = Allegation.Finding.UNABLE
        chosen = {data.get("recommended_finding"), data.get("finding")}
        if unable in chosen and not data.get("unable_reason"):
            self.add_error("unable_reason", _("Say why the allegation could not be investigated."))
        if unable not in chosen and data.get("unable_reason"):
            self.add_error("unable_reason", _("A reason is only given when it could not be investigated."))
        return data


class AllegationAddForm(forms.Form):
    officer = forms.ModelChoiceField(
        label=_("Officer"),
        queryset=ComplaintOfficer.objects.none(),
        empty_label=_("- Choose an officer -"),
        error_messages={
            "required": _("Choose the officer."),
            "invalid_choice": _("Choose an officer named in this complaint."),
        },
    )
    category = forms.ModelChoiceField(
        label=_("Allegation"),
        queryset=AllegationCategory.objects.filter(is_active=True).order_by("order", "pk"),
        empty_label=_("- Choose an allegation -"),
        error_messages={
            "required": _("Choose the allegation."),
            "invalid_choice": _("Choose an allegation from the list."),
        },
    )

    def __init__(self, *args: Any, complaint: Complaint, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = ComplaintOfficer.objects.filter(complaint=complaint).select_related("officer")


class StaffMessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message to the complainant"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("They are told by email that there is a new message; the email never contains it."),
        error_messages={
            "required": _("Write a message."),
            "max_length": _("A message is at most %(limit_value)d characters long."),
        },
    )


class ReviewDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[
            ("uphold", _("Uphold the findings: the complaint is closed")),
            ("reopen", _("Reopen the investigation")),
        ],
        error_messages={"required": _("Choose a decision."), "invalid_choice": _("Choose a decision from the list.")},
    )
    note = forms.CharField(
        label=_("Reasons (internal)"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Kept in the timeline for staff. Up to 5,000 characters."),
        error_messages={"required": _("Give the reasons for the decision.")},
    )
    public_note = forms.CharField(
        label=_("What the complainant reads (optional)"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Shown on their tracking page, in plain words. Up to 5,000 characters."),
    )


class AccessLogFilterForm(forms.Form):
    reference = forms.CharField(label=_("Complaint reference"), required=False, max_length=REFERENCE_MAX_LENGTH)
    actor = forms.ModelChoiceField(
        label=_("Staff member"),
        required=False,
        queryset=get_user_model().objects.none(),
        empty_label=_("Anyone"),
        error_messages={"invalid_choice": _("Choose a staff member from the list.")},
    )
    date_from = forms.DateField(
        label=_("From (date)"),
        required=False,
        help_text=_("For example 2026-03-31."),
        error_messages={"invalid": _("Enter a date like 2026-03-31.")},
    )
    date_to = forms.DateField(
        label=_("To (date)"),
        required=False,
        help_text=_("For example 2026-04-30."),
        error_messages={"invalid": _("Enter a date like 2026-04-30.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["actor"]
        field.queryset = (
            get_user_model()
            .objects.filter(groups__name__in=[Role.INVESTIGATOR.value, Role.ADMINISTRATOR.value])
            .distinct()
            .order_by("last_name", "first_name", "email")
        )
        field.label_from_instance = lambda user: user.get_full_name() or user.email

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date must be on or after the start date."))
        return data

    def query(self) -> dict[str, str]:
        out: dict[str, str] = {}
        if (self.cleaned_data.get("reference") or "").strip():
            out["reference"] = self.cleaned_data["reference"].strip()
        if self.cleaned_data.get("actor") is not None:
            out["actor"] = str(self.cleaned_data["actor"].pk)
        for name in ("date_from", "date_to"):
            if self.cleaned_data.get(name):
                out[name] = self.cleaned_data[name].isoformat()
        return out
