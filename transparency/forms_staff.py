"""Forms of the staff update pages: input shape only (lengths, choices, conversions). The service
(transparency.services.updates) holds the rules: required text, a whole Spanish version, PDFs by
content, publication times in the future.

Times are typed in the department's time zone (the active time zone), with the browser's picker.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.models import District
from transparency.models import Category, Update, UpdateAttachment

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
CHECKBOXES = forms.CheckboxSelectMultiple


def _max_length(name: str) -> int:
    return Update._meta.get_field(name).max_length


def _events_for_minutes():
    # The documented hook: an update refers to an event by key (its minutes). Drafts are not offered.
    event_model = Update._meta.get_field("event").related_model
    return event_model.objects.exclude(status="draft").order_by("-starts_at", "pk").only("pk", "title", "starts_at")


class EventChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        from django.utils import formats, timezone

        return f"{obj.title} ({formats.date_format(timezone.localtime(obj.starts_at), 'DATE_FORMAT')})"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern); each is checked by the service."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "application/pdf,.pdf"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def _text_fields() -> dict[str, forms.Field]:
    return {
        "title": forms.CharField(label=_("Title"), max_length=_max_length("title")),
        "summary": forms.CharField(
            label=_("Summary"),
            max_length=_max_length("summary"),
            help_text=_("One or two sentences, shown in lists, feeds and emails."),
            widget=forms.Textarea(attrs={"rows": 3}),
        ),
        "body": forms.CharField(
            label=_("Text"),
            max_length=_max_length("body"),
            help_text=_(
                "Write in Markdown: **bold**, *italic*, [a link](https://example.org), lists with -, "
                "headings with #. Scripts and unsafe links are removed."
            ),
            widget=forms.Textarea(attrs={"rows": 14}),
        ),
        # No default: a safety alert goes out first, so nobody should send one by leaving the first choice.
        "category": forms.ChoiceField(
            label=_("Category"),
            choices=[("", _("- Choose a category -")), *Category.choices],
            error_messages={"required": _("Choose a category.")},
        ),
        "title_es": forms.CharField(label=_("Title in Spanish"), max_length=_max_length("title_es"), required=False),
        "summary_es": forms.CharField(
            label=_("Summary in Spanish"),
            max_length=_max_length("summary_es"),
            required=False,
            widget=forms.Textarea(attrs={"rows": 3}),
        ),
        "body_es": forms.CharField(
            label=_("Text in Spanish"),
            max_length=_max_length("body_es"),
            required=False,
            help_text=_("Markdown, as above. Without a Spanish version, Spanish readers see the English one."),
            widget=forms.Textarea(attrs={"rows": 14}),
        ),
    }


class UpdateForm(forms.Form):
    """Write or edit a draft or scheduled update. Field names are the service's keyword arguments."""

    def __init__(self, *args: Any, update: Update | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(_text_fields())
        self.fields["title"].error_messages["required"] = _("Enter a title.")
        self.fields["summary"].error_messages["required"] = _("Enter a summary of one or two sentences.")
        self.fields["body"].error_messages["required"] = _("Enter the text of the update.")
        self.fields["districts"] = forms.ModelMultipleChoiceField(
            label=_("Districts"),
            queryset=District.objects.order_by("name"),
            required=False,
            widget=CHECKBOXES,
            help_text=_("Leave all unticked for an update about the whole city."),
        )
        self.fields["event"] = EventChoiceField(
            label=_("Meeting these are the minutes of"),
            queryset=_events_for_minutes(),
            required=False,
            empty_label=_("- None -"),
        )
        self.fields["attachments"] = MultipleFileField(
            label=_("Add PDF documents"),
            required=False,
            help_text=_("PDF files only, each at most %(size)s.") % {"size": _max_size_text()},
        )
        if update is not None and update.pk:
            self.fields["remove_attachments"] = forms.ModelMultipleChoiceField(
                label=_("Remove documents"),
                queryset=UpdateAttachment.objects.filter(update=update).order_by("pk"),
                required=False,
                widget=CHECKBOXES,
            )


def _max_size_text() -> str:
    from django.conf import settings
    from django.template.defaultfilters import filesizeformat

    return filesizeformat(settings.TRANSPARENCY_ATTACHMENT_MAX_BYTES)


class PublishForm(forms.Form):
    WHEN_CHOICES = [("now", _("Publish now")), ("later", _("Publish at a set time"))]

    when = forms.ChoiceField(
        label=_("When"),
        choices=WHEN_CHOICES,
        widget=forms.RadioSelect,
        initial="now",
        error_messages={"required": _("Choose when to publish.")},
    )
    publish_at = forms.DateTimeField(
        label=_("Publication time"),
        required=False,
        help_text=_("Date and time, in the department's time zone. Used with “Publish at a set time”."),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
        error_messages={"invalid": _("Enter a date and time, for example 2026-03-14 18:30.")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("when") == "later" and not data.get("publish_at") and "publish_at" not in self.errors:
            self.add_error("publish_at", forms.ValidationError(_("Enter the publication time."), code="required"))
        return data


class CorrectForm(forms.Form):
    """Correct a published update: the changed text and a note saying what changed."""

    note = forms.CharField(
        label=_("What was corrected, and why"),
        max_length=Update._meta.get_field("correction_note").max_length,
        help_text=_("Shown on the update's page with today's date, for example: “The meeting date was wrong.”"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say what was corrected and why.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(_text_fields())
        self.fields["districts"] = forms.ModelMultipleChoiceField(
            label=_("Districts"),
            queryset=District.objects.order_by("name"),
            required=False,
            widget=CHECKBOXES,
            help_text=_("Leave all unticked for an update about the whole city."),
        )
        self.fields["attachments"] = MultipleFileField(
            label=_("Add PDF documents"),
            required=False,
            help_text=_("PDF files only, each at most %(size)s.") % {"size": _max_size_text()},
        )


class UnscheduleForm(forms.Form):
    pass
