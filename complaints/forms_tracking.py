"""Forms for the complainant's side: input shape only (the rules live in complaints.tracking,
complaints.services.messages and the workflow services)."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from complaints.references import reference_normalize
from complaints.services.messages import BODY_MAX_LENGTH

REASON_MAX_LENGTH = 2000  # withdrawing; a review's reasons may be longer (REVIEW_REASON_MAX_LENGTH)
REVIEW_REASON_MAX_LENGTH = 5000


class TrackForm(forms.Form):
    reference = forms.CharField(
        label=_("Complaint reference"),
        help_text=_("It looks like CP-2026-00042. You find it on the confirmation page and in our emails."),
        max_length=40,
        error_messages={
            "required": _("Type the reference of your complaint."),
            "max_length": _("A reference is at most %(limit_value)d characters long."),
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
    )
    code = forms.CharField(
        label=_("Access code"),
        help_text=_("The 20-character code shown once when you filed, like ABCD-EFGH-JKMN-PQRT-UVWX."),
        max_length=60,
        error_messages={
            "required": _("Type your access code."),
            "max_length": _("An access code is at most %(limit_value)d characters long."),
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
    )

    def clean_reference(self) -> str:
        return reference_normalize(self.cleaned_data["reference"])


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message to the investigator"),
        help_text=_("Only you and the staff working on your complaint can read it. We never send it by email."),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": _("Write your message."),
            "max_length": _("Keep your message under %(limit_value)d characters."),
        },
    )


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("A photo, video, sound recording or PDF: PDF, JPEG, PNG, HEIC, MP4, MP3 or M4A."),
        error_messages={
            "required": _("Choose a file to add."),
            "empty": _("The file you chose is empty."),
            "invalid": _("Choose a file to add."),
        },
    )


class ReasonForm(forms.Form):
    """Withdrawing or asking for a review: a reason, in the complainant's words."""

    reason = forms.CharField(
        label=_("Your reason"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": _("Tell us your reason."),
            "max_length": _("Keep your reason under %(limit_value)d characters."),
        },
    )

    def __init__(
        self, *args: object, label: str = "", help_text: str = "", max_length: int = 0, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        if max_length:
            field = self.fields["reason"]
            field.max_length = max_length
            field.validators = [v for v in field.validators if not hasattr(v, "limit_value")]
            field.validators.append(MaxLengthValidator(max_length))
            field.widget.attrs["maxlength"] = str(max_length)
        if label:
            self.fields["reason"].label = label
        if help_text:
            self.fields["reason"].help_text = help_text
