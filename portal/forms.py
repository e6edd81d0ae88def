"""Forms for my account and the staff pages: input shape only; rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.models import OfficerProfile, SitePage, User
from portal.roles import ROLE_LABELS, Role
from portal.staff import EMAIL_MAX_LENGTH

ROLE_CHOICES = [(role.value, ROLE_LABELS[role]) for role in Role]


class AccountPreferencesForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["language", "email_event_reminders", "email_replies"]
        labels = {
            "language": _("Preferred language"),
            "email_event_reminders": _("Email me reminders before events I signed up for"),
            "email_replies": _("Email me when staff reply to my feedback or messages"),
        }
        help_texts = {
            "language": _("We write to you in this language."),
        }
        widgets = {"language": forms.RadioSelect}


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that this cannot be undone."),
        error_messages={"required": _("Tick the box to confirm that you want to delete your account.")},
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if not user.has_usable_password():
            # Someone who only ever signed in with emailed codes has no password to re-enter.
            del self.fields["password"]

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That is not your current password."), code="wrong_password")
        return password


class StaffInviteForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=EMAIL_MAX_LENGTH,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        help_text=_("We email them a link to choose a password. The link works for a few days."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES, widget=forms.RadioSelect)
    officer_profile = forms.ModelChoiceField(
        label=_("Officer profile (optional)"),
        queryset=OfficerProfile.objects.none(),
        required=False,
        empty_label=_("- Not linked -"),
        help_text=_("Link an officer to their public directory profile."),
    )

    def __init__(self, *args: Any, officer_profiles: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["officer_profile"].queryset = officer_profiles


class StaffRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES, widget=forms.RadioSelect)


class StaffLinkOfficerForm(forms.Form):
    officer_profile = forms.ModelChoiceField(
        label=_("Officer profile"),
        queryset=OfficerProfile.objects.none(),
        required=False,
        empty_label=_("- Not linked -"),
        help_text=_("Only profiles that are not linked to another account are listed."),
    )

    def __init__(self, *args: Any, officer_profiles: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["officer_profile"].queryset = officer_profiles


class ConfirmForm(forms.Form):
    """A confirmation page's form: nothing to fill in but the CSRF token."""


class SitePageForm(forms.ModelForm):
    class Meta:
        model = SitePage
        fields = ["title_en", "body_en", "title_es", "body_es"]
        help_texts = {
            "title_es": _("Leave the Spanish text empty to show the English text on the Spanish page."),
            "body_en": _(
                'Plain text. Leave a blank line between paragraphs. Start a line with "## " for a heading '
                'and with "- " for an item in a list.'
            ),
        }
        widgets = {
            "body_en": forms.Textarea(attrs={"rows": 14}),
            "body_es": forms.Textarea(attrs={"rows": 14}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("title_es", "body_es"):
            self.fields[name].widget.attrs["lang"] = "es"
