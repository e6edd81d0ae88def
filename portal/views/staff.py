"""Staff work pages: the staff home, and staff over time (administrators only).

(Built out by the accounts work.)"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portal.roles import is_staff_member


@login_required
def staff_home_view(request: HttpRequest) -> HttpResponse:
    if not is_staff_member(request.user):
        raise PermissionDenied
    return render(request, "portal/staff/home.html")


def _todo(request: HttpRequest, **kwargs) -> HttpResponse:
    raise PermissionDenied


staff_list_view = staff_invite_view = staff_detail_view = staff_link_officer_view = _todo
staff_deactivate_view = staff_reactivate_view = staff_reset_mfa_view = site_page_edit_view = _todo
