"""Forms of the staff inbox: input shape only (lengths, choices, conversions); the services
(feedback.services.answering) hold the rules that need other rows.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from feedback.models import Feedback, Reply, ReplyTemplate
from portal.models import District, OfficerProfile

BODY_MAX_LENGTH = 5000
REASON_MAX_LENGTH = 500

AGE_CHOICES = [
    ("", _("Any age")),
    ("7", _("Older than 7 days")),
    ("30", _("Older than 30 days")),
]


class InboxFilterForm(forms.Form):
    """The inbox filters (GET). Unknown values are errors (the page answers 400 with the form)."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *Feedback.Status.choices],
        error_messages={"invalid_choice": _("Choose a status from the list.")},
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("Any kind")), *Feedback.Kind.choices],
        error_messages={"invalid_choice": _("Choose a kind from the list.")},
    )
    district = forms.ModelChoiceField(
        label=_("District"),
        required=False,
        queryset=District.objects.order_by("name"),
        empty_label=_("Any district"),
        error_messages={"invalid_choice": _("Choose a district from the list.")},
    )
    officer = forms.ModelChoiceField(
        label=_("Officer"),
        required=False,
        queryset=OfficerProfile.objects.order_by("last_name", "first_name"),
        empty_label=_("Any officer"),
        error_messages={"invalid_choice": _("Choose an officer from the list.")},
    )
    age = forms.ChoiceField(
        label=_("Age"),
        required=False,
        choices=AGE_CHOICES,
        error_messages={"invalid_choice": _("Choose an age from the list.")},
    )
    publication = forms.ChoiceField(
        label=_("Publication"),
        required=False,
        choices=[("", _("Any")), *Feedback.Publication.choices],
        error_messages={"invalid_choice": _("Choose a publication state from the list.")},
    )
    mine = forms.BooleanField(label=_("Only feedback assigned to me"), required=False)

    def filter(self, items: QuerySet[Feedback], *, user: Any) -> QuerySet[Feedback]:
        data = self.cleaned_data
        if data.get("status"):
            items = items.filter(status=data["status"])
        if data.get("kind"):
            items = items.filter(kind=data["kind"])
        if data.get("district"):
            items = items.filter(district=data["district"])
        if data.get("officer"):
            items = items.filter(officer=data["officer"])
        if data.get("publication"):
            items = items.filter(publication=data["publication"])
        if data.get("age"):
            items = items.filter(created_at__lt=timezone.now() - timedelta(days=int(data["age"])))
        if data.get("mine"):
            items = items.filter(assigned_to=user)
        return items

    def query(self) -> dict[str, str]:
        """The valid filters, for pagination links."""
        out: dict[str, str] = {}
        for name in ("status", "kind", "publication", "age"):
            if self.cleaned_data.get(name):
                out[name] = self.cleaned_data[name]
        for name in ("district", "officer"):
            if self.cleaned_data.get(name):
                out[name] = str(self.cleaned_data[name].pk)
        if self.cleaned_data.get("mine"):
            out["mine"] = "on"
        return out


class TemplatePickForm(forms.Form):
    """GET ?template=<id>: start the reply from a saved template (works without JavaScript)."""

    template = forms.ModelChoiceField(
        label=_("Start from a saved reply"),
        required=False,
        queryset=ReplyTemplate.objects.all(),
        empty_label=_("- No template -"),
        error_messages={"invalid_choice": _("That reply template does not exist. Choose one from the list.")},
    )


class ReplyForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput, initial="reply")
    body = forms.CharField(
        label=_("Your reply"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Up to 5,000 characters."),
        error_messages={"required": _("Write a reply.")},
    )
    visibility = forms.ChoiceField(
        label=_("Who can read it"),
        choices=[
            ("public", _("Public: shown beside the feedback if it is published")),
            ("private", _("Private: only the sender")),
        ],
        initial="private",
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose who can read the reply.")},
    )
    signature = forms.ChoiceField(
        label=_("Sign the reply"),
        choices=Reply.Signature.choices,
        initial=Reply.Signature.DEPARTMENT,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how to sign the reply.")},
    )

    @property
    def is_public(self) -> bool:
        return self.cleaned_data.get("visibility") == "public"


class AssignForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput, initial="assign")
    assignee = forms.ModelChoiceField(
        label=_("Assign to"),
        queryset=None,
        empty_label=_("- Choose a colleague -"),
        error_messages={
            "required": _("Choose a colleague."),
            "invalid_choice": _("Choose a colleague who can see this feedback."),
        },
    )

    def __init__(self, *args: Any, assignees: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignees
        self.fields["assignee"].label_from_instance = lambda user: user.get_full_name() or user.email


class CloseForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput, initial="close")


class PublishForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput, initial="publish")
    public_text = forms.CharField(
        label=_("Text to publish"),
        required=False,
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Remove names, phone numbers and addresses by hand. Leave it as it is to publish the message "
            "as written. The original message always stays private."
        ),
    )


class DeclineForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput, initial="decline")
    reason = forms.CharField(
        label=_("Reason for declining"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded for other administrators. Not shown to the public."),
        error_messages={"required": _("Give the reason for declining.")},
    )


class UnpublishForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput, initial="unpublish")


class ReplyTemplateForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120, error_messages={"required": _("Give it a title.")})
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, initial="en")
    body = forms.CharField(
        label=_("Text"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Write the text.")},
    )
