"""The public update list's filter (a GET form that works without JavaScript). Unknown values → 400."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.models import District
from transparency.models import Category
from transparency.selectors import UpdateFilters

MAX_PAGE = 1_000_000


class UpdateFilterForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("Any category")), *Category.choices],
        widget=forms.Select(attrs={"class": "usa-select"}),
        error_messages={"invalid_choice": _("There is no category called “%(value)s”. Choose one from the list.")},
    )
    district = forms.ChoiceField(
        label=_("District"),
        required=False,
        widget=forms.Select(attrs={"class": "usa-select"}),
        error_messages={"invalid_choice": _("There is no district called “%(value)s”. Choose one from the list.")},
    )
    year = forms.TypedChoiceField(
        label=_("Year"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.Select(attrs={"class": "usa-select"}),
        error_messages={"invalid_choice": _("There are no updates from “%(value)s”. Choose a year from the list.")},
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

    def __init__(self, *args: Any, districts: list[District], years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._districts = {district.slug: district for district in districts}
        self.fields["district"].choices = [("", _("Any district")), *((d.slug, d.name) for d in districts)]
        self.fields["year"].choices = [("", _("Any year")), *((str(year), str(year)) for year in years)]
        self.district_obj: District | None = None

    def clean_district(self) -> str:
        slug = self.cleaned_data["district"]
        self.district_obj = self._districts.get(slug) if slug else None
        return slug

    def filters(self) -> UpdateFilters:
        data = self.cleaned_data
        return UpdateFilters(category=data["category"], district=self.district_obj, year=data["year"])

    def query(self) -> list[tuple[str, str]]:
        """The filters as query parameters (without the page), in a fixed order."""
        data = self.cleaned_data
        pairs = (("category", data["category"]), ("district", data["district"]), ("year", data["year"] or ""))
        return [(name, str(value)) for name, value in pairs if value]
