"""Forms for subscribing and managing a subscription: input shape only; rules live in the service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.models import District
from transparency.models import Category
from transparency.services.subscriptions import subscriber_email_check


class _DistrictChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: District) -> str:
        return obj.name


class ChoicesForm(forms.Form):
    """What to get: categories (at least one), districts (none = all), language."""

    categories = forms.MultipleChoiceField(
        label=_("What would you like to get?"),
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one kind of update."),
            "invalid_choice": _("Choose kinds of update from the list."),
        },
    )
    districts = _DistrictChoiceField(
        label=_("Which districts? (optional)"),
        queryset=District.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Updates about the whole city always come. Choose districts to get only the local updates "
            "about them, or none to get every district's."
        ),
        error_messages={
            "invalid_choice": _("Choose districts from the list."),
            "invalid_pk_value": _("Choose districts from the list."),
        },
    )
    language = forms.ChoiceField(
        label=_("Email me in"),
        choices=settings.LANGUAGES,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the language of your emails."),
            "invalid_choice": _("Choose the language of your emails from the list."),
        },
    )

    @property
    def district_ids(self) -> list[int]:
        return [d.pk for d in self.cleaned_data.get("districts") or []]


class SubscribeForm(ChoicesForm):
    email = forms.CharField(  # checked by the service's rule (valid, not disposable)
        label=_("Your email address"),
        max_length=254,
        help_text=_("We email you a link to confirm. Nothing else is sent until you follow it."),
        error_messages={
            "required": _("Enter your email address."),
            "max_length": _("An email address can be at most %(limit_value)d characters long."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )

    field_order = ["email", "categories", "districts", "language"]

    def clean_email(self) -> str:
        try:
            return subscriber_email_check(email=self.cleaned_data["email"])
        except ValidationError as exc:
            raise ValidationError(exc.messages, code=exc.code) from None


class ManageForm(ChoicesForm):
    def __init__(self, *args: Any, subscriber: Any = None, **kwargs: Any) -> None:
        if subscriber is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "categories": list(subscriber.subscriptions.values_list("category", flat=True)),
                "districts": list(subscriber.districts.values_list("pk", flat=True)),
                "language": subscriber.language,
            }
        super().__init__(*args, **kwargs)
