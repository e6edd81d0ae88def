"""The trust survey's form: three 1-5 items and an optional comment."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from feedback.services.surveys import COMMENT_MAX_LENGTH

SCORE_CHOICES = [
    (1, _("1 — Strongly disagree")),
    (2, _("2 — Disagree")),
    (3, _("3 — Neither agree nor disagree")),
    (4, _("4 — Agree")),
    (5, _("5 — Strongly agree")),
]


def _score(label) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=SCORE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose an answer from 1 to 5."),
            "invalid_choice": _("Choose an answer from 1 to 5."),
        },
    )


class SurveyForm(forms.Form):
    trust = _score(_("I trust the police in my district"))
    respect = _score(_("Officers treated people with respect"))
    listened = _score(_("Officers listened to residents' concerns"))
    comment = forms.CharField(
        label=_("Anything else you want to tell us (optional)"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        help_text=_("Please do not write names or contact details: your answers are anonymous."),
        widget=forms.Textarea(attrs={"class": "usa-textarea", "rows": 5}),
        error_messages={"max_length": _("The comment can be at most %(limit_value)d characters long.")},
    )

    @property
    def score_fields(self) -> list:
        return [self["trust"], self["respect"], self["listened"]]
