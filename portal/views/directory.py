"""Public directory: officers and districts. (Built out by the directory work.)"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from portal.models import District, OfficerProfile


@require_GET
def officer_list_view(request: HttpRequest) -> HttpResponse:
    officers = OfficerProfile.objects.filter(is_public=True).select_related("district")
    return render(request, "portal/officer_list.html", {"officers": officers})


@require_GET
def officer_detail_view(request: HttpRequest, slug: str) -> HttpResponse:
    officer = get_object_or_404(OfficerProfile.objects.filter(is_public=True), slug=slug)
    return render(request, "portal/officer_detail.html", {"officer": officer})


@require_GET
def district_list_view(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/district_list.html", {"districts": District.objects.all()})


@require_GET
def district_detail_view(request: HttpRequest, slug: str) -> HttpResponse:
    district = get_object_or_404(District, slug=slug)
    return render(request, "portal/district_detail.html", {"district": district})
