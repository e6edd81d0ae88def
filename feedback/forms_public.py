"""The public wall's filter (a GET form that works without JavaScript). Unknown values → 400."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from feedback.models import Feedback
from portal.models import District, OfficerProfile

MAX_PAGE = 1_000_000


class WallFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of feedback"),
        required=False,
        choices=[("", _("Any kind")), *Feedback.Kind.choices],
        widget=forms.Select(attrs={"class": "usa-select"}),
        error_messages={
            "invalid_choice": _("There is no kind of feedback called “%(value)s”. Choose one from the list.")
        },
    )
    district = forms.ChoiceField(
        label=_("District"),
        required=False,
        widget=forms.Select(attrs={"class": "usa-select"}),
        error_messages={"invalid_choice": _("There is no district called “%(value)s”. Choose one from the list.")},
    )
    officer = forms.SlugField(
        label=_("Officer"),
        required=False,
        max_length=140,
        widget=forms.HiddenInput,
        error_messages={"invalid": _("There is no officer with this name in the directory.")},
    )
    page = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_PAGE,
        widget=forms.HiddenInput,
        error_messages={
            "invalid": _("The page number must be a whole number, like 2."),
            "min_value": _("The page number must be 1 or more."),
            "max_value": _("There is no page with this number."),
        },
    )

    def __init__(self, *args, districts: list[District], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._districts = {district.slug: district for district in districts}
        self.fields["district"].choices = [("", _("Any district")), *((d.slug, d.name) for d in districts)]
        self.district_obj: District | None = None
        self.officer_obj: OfficerProfile | None = None

    def clean_district(self) -> str:
        slug = self.cleaned_data["district"]
        self.district_obj = self._districts.get(slug) if slug else None
        return slug

    def clean_officer(self) -> str:
        slug = self.cleaned_data["officer"]
        if slug:
            self.officer_obj = OfficerProfile.objects.filter(slug=slug, is_public=True).first()
            if self.officer_obj is None:
                raise forms.ValidationError(
                    _("There is no officer “%(value)s” in the directory."),
                    code="invalid_choice",
                    params={"value": slug},
                )
        return slug


def districts_for_filter() -> list[District]:
    return list(District.objects.order_by("name").only("pk", "slug", "name"))
