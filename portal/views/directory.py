"""Public directory: officers and districts."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from portal import directory
from portal.district_sections import district_sections_render
from portal.officer_sections import officer_sections_render


@require_GET
def officer_list_view(request: HttpRequest) -> HttpResponse:
    # Always bound: no parameters at all is a valid, unfiltered search.
    form = directory.OfficerFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "portal/officer_list.html", {"form": form, "results": None}, status=400)
    results = directory.officer_results(
        district=form.cleaned_data["district"],
        language=form.cleaned_data["language"],
        query=form.cleaned_data["q"],
        page=request.GET.get("page"),
    )
    return render(request, "portal/officer_list.html", {"form": form, "results": results})


@require_GET
def officer_detail_view(request: HttpRequest, slug: str) -> HttpResponse:
    officer = directory.officer_get_public(slug=slug)
    return render(
        request,
        "portal/officer_detail.html",
        {"officer": officer, "sections": officer_sections_render(officer=officer, request=request)},
    )


@require_GET
def district_list_view(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/district_list.html", {"districts": directory.district_list_with_counts()})


@require_GET
def district_detail_view(request: HttpRequest, slug: str) -> HttpResponse:
    district = directory.district_get(slug=slug)
    return render(
        request,
        "portal/district_detail.html",
        {
            "district": district,
            "officer_rows": directory.district_officer_rows(district=district),
            "sections": district_sections_render(district=district, request=request),
        },
    )
