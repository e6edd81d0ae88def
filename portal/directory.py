"""The public directory: reads (selectors) and the officer filter.

Every read here returns public officers only; a non-public profile is "not found" everywhere.
The officer list's rows are cached as a fragment (portal.fragments) under the directory's
version, which any change to an officer, district, language or training record bumps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.paginator import InvalidPage, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from portal import fragments
from portal.models import District, Language, OfficerProfile, TrainingRecord

OFFICERS_PER_PAGE = 20
SEARCH_MAX_LENGTH = 100


# --- Selectors --------------------------------------------------------------------------------


def officers_public() -> QuerySet[OfficerProfile]:
    """Public officers with what a list row shows: district (joined) and languages (one query)."""
    return (
        OfficerProfile.objects.filter(is_public=True)
        .select_related("district")
        .prefetch_related(Prefetch("languages", queryset=Language.objects.order_by("code")))
        .order_by("last_name", "first_name", "pk")
    )


def officer_list_filtered(
    *, district: District | None = None, language: Language | None = None, query: str = ""
) -> QuerySet[OfficerProfile]:
    """Public officers, narrowed by district, a language they speak, and a name or badge search."""
    officers = officers_public()
    if district is not None:
        officers = officers.filter(district=district)
    if language is not None:
        officers = officers.filter(languages=language)
    for word in query.split():
        # Every word must match a first name, a last name or a badge number ("Ana Ruiz", "B1042").
        officers = officers.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(badge_number__iexact=word)
        )
    return officers


def officer_get_public(*, slug: str) -> OfficerProfile:
    """A public officer with their district, languages and training records; Http404 otherwise."""
    officer = (
        officers_public()
        .prefetch_related(Prefetch("training_records", queryset=TrainingRecord.objects.order_by("-completed_on")))
        .filter(slug=slug)
        .first()
    )
    if officer is None:
        raise Http404("No public officer has this slug.")
    return officer


def district_list_with_counts() -> QuerySet[District]:
    """Every district, with `public_officer_count`."""
    return District.objects.annotate(
        public_officer_count=Count("officers", filter=Q(officers__is_public=True))
    ).order_by("name")


def district_get(*, slug: str) -> District:
    district = District.objects.filter(slug=slug).first()
    if district is None:
        raise Http404("No district has this slug.")
    return district


# --- The officer filter -------------------------------------------------------------------------


class OfficerFilterForm(forms.Form):
    """The GET form above the officer list. Unknown values are form errors (a 400), never a 500."""

    q = forms.CharField(
        label=_("Name or badge number"),
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        strip=True,
        widget=forms.TextInput(attrs={"class": "usa-input", "autocomplete": "off", "enterkeyhint": "search"}),
        error_messages={"max_length": _("Search for at most %(limit_value)d characters (you entered %(show_value)d).")},
    )
    district = forms.ModelChoiceField(
        label=_("District"),
        queryset=District.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label=_("Any district"),
        widget=forms.Select(attrs={"class": "usa-select"}),
        error_messages={"invalid_choice": _("There is no district called “%(value)s”. Choose one from the list.")},
    )
    language = forms.ModelChoiceField(
        label=_("Language spoken"),
        queryset=Language.objects.order_by("code"),
        to_field_name="code",
        required=False,
        empty_label=_("Any language"),
        widget=forms.Select(attrs={"class": "usa-select"}),
        error_messages={"invalid_choice": _("There is no language “%(value)s” in the list. Choose one from it.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Languages are shown by their translated names; the query runs once, when rendered.
        self.fields["language"].label_from_instance = lambda language: language.display_name

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                # Django links the field to its message (aria-describedby="<id>_error", which
                # templates/portal/includes/field.html gives the message); USWDS wants a class too.
                attrs = self.fields[name].widget.attrs
                attrs["class"] = f"{attrs.get('class', '')} usa-input--error".strip()  # selects too


# --- Cached result fragments -------------------------------------------------------------------


@dataclass(frozen=True)
class OfficerResults:
    html: SafeString
    count: int
    page_number: int
    num_pages: int


def _querystring(**params: Any) -> str:
    return urlencode({key: value for key, value in params.items() if value})


def officer_results(
    *,
    district: District | None,
    language: Language | None,
    query: str,
    page: str | None,
    per_page: int = OFFICERS_PER_PAGE,
) -> OfficerResults:
    """The officer list's results (count, rows, pagination) as HTML, cached per filter and page.

    A page that is not a number, or out of range, is Http404. Searches are not cached: their
    keys are as many as people's typing, and would push the common pages out of the cache.
    """
    page_number = page or "1"

    def render() -> dict[str, Any]:
        paginator = Paginator(
            officer_list_filtered(district=district, language=language, query=query),
            per_page,
            allow_empty_first_page=True,
        )
        try:
            page_obj = paginator.page(page_number)
        except InvalidPage as exc:
            raise Http404("No such page of officer results.") from exc
        base_query = _querystring(
            q=query, district=district.slug if district else "", language=language.code if language else ""
        )
        html = render_to_string(
            "portal/includes/officer_results.html",
            {
                "page_obj": page_obj,
                "officers": list(page_obj.object_list),
                "count": paginator.count,
                "page_range": list(paginator.get_elided_page_range(page_obj.number, on_each_side=1, on_ends=1)),
                "base_query": base_query,
                "is_filtered": bool(query or district or language),
            },
        )
        return {"html": html, "count": paginator.count, "page": page_obj.number, "pages": paginator.num_pages}

    value = fragments.fragment_get_or_render(
        scope=fragments.DIRECTORY,
        name="officer-results",
        vary_on=[district.pk if district else "", language.pk if language else "", page_number, per_page],
        render=render,
        cache_it=not query,
    )
    return OfficerResults(
        html=SafeString(value["html"]), count=value["count"], page_number=value["page"], num_pages=value["pages"]
    )


def district_officer_rows(*, district: District) -> SafeString:
    """The district page's list of its public officers, as cached HTML."""

    def render() -> str:
        officers = list(officer_list_filtered(district=district))
        return render_to_string("portal/includes/district_officers.html", {"officers": officers})

    return SafeString(
        fragments.fragment_get_or_render(
            scope=fragments.DIRECTORY, name="district-officers", vary_on=[district.pk], render=render
        )
    )
