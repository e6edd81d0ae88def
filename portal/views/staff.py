"""Staff work pages: the staff home, staff over time and the site pages (administrators only)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from portal import permissions
from portal.forms import ConfirmForm, SitePageForm, StaffInviteForm, StaffLinkOfficerForm, StaffRoleForm
from portal.models import SitePage, User
from portal.roles import roles_of
from portal.site_pages import DEFAULTS as site_page_defaults
from portal.staff import (
    officer_profiles_linkable,
    site_page_update,
    staff_audit_trail,
    staff_change_role,
    staff_deactivate,
    staff_home_links_for,
    staff_invite,
    staff_link_officer,
    staff_members,
    staff_reactivate,
    staff_reset_mfa,
    staff_roles_of,
)

STAFF_PER_PAGE = 25


def _posted(request: HttpRequest) -> QueryDict | None:
    """The submitted data on a POST (even an empty one, so it is validated), else None."""
    return request.POST if request.method == "POST" else None


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _staff_member(pk: int) -> User:
    member = get_object_or_404(staff_members(), pk=pk)
    member.staff_roles = staff_roles_of(member)
    return member


@login_required
@require_GET
def staff_home_view(request: HttpRequest) -> HttpResponse:
    _require(permissions.can_view_staff_home(request.user))
    context = {
        "roles": sorted(roles_of(request.user), key=str),
        "can_manage_staff": permissions.can_manage_staff(request.user),
        "can_edit_site_pages": permissions.can_edit_site_pages(request.user),
        "can_use_back_office": permissions.can_use_back_office(request.user),
        "site_pages": SitePage.Slug.choices,
        "officer_profile": getattr(request.user, "officer_profile", None),
        "links": staff_home_links_for(user=request.user),
    }
    return render(request, "portal/staff/home.html", context)


@login_required
@require_GET
def staff_list_view(request: HttpRequest) -> HttpResponse:
    _require(permissions.can_manage_staff(request.user))
    page = Paginator(staff_members(), STAFF_PER_PAGE).get_page(request.GET.get("page"))
    members = list(page.object_list)
    for member in members:
        member.staff_roles = staff_roles_of(member)
    context = {
        "page_obj": page,
        "members": members,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
    }
    return render(request, "portal/staff/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def staff_invite_view(request: HttpRequest) -> HttpResponse:
    _require(permissions.can_manage_staff(request.user))
    form = StaffInviteForm(_posted(request), officer_profiles=officer_profiles_linkable())
    if request.method == "POST" and form.is_valid():
        try:
            member = staff_invite(
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                officer_profile=form.cleaned_data["officer_profile"],
                actor=request.user,
            )
        except ValidationError as exc:
            _add_error(form, exc, field_for={"email_taken": "email", "email_too_long": "email", "invalid": "email"})
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": member.email})
            return redirect("portal:staff-detail", pk=member.pk)
    return render(request, "portal/staff/invite.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def staff_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The person, their role (changed here), officer link, two-factor status and audit trail."""
    _require(permissions.can_manage_staff(request.user))
    member = _staff_member(pk)
    can_change_role = permissions.can_change_staff_role(request.user, member)
    initial_role = member.staff_roles[0].value if member.staff_roles else None
    form = StaffRoleForm(_posted(request), initial={"role": initial_role}, prefix="role")
    if request.method == "POST":
        _require(can_change_role)
        if form.is_valid():
            try:
                staff_change_role(user=member, role=form.cleaned_data["role"], actor=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The role is saved."))
                return redirect("portal:staff-detail", pk=member.pk)
    context = {
        "member": member,
        "form": form,
        "can_change_role": can_change_role,
        "can_deactivate": permissions.can_deactivate_staff(request.user, member),
        "can_reset_mfa": permissions.can_reset_staff_mfa(request.user, member),
        "audit_trail": staff_audit_trail(subject=member)[:200],
    }
    return render(request, "portal/staff/detail.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def staff_link_officer_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require(permissions.can_manage_staff(request.user))
    member = _staff_member(pk)
    current = getattr(member, "officer_profile", None)
    form = StaffLinkOfficerForm(
        _posted(request),
        officer_profiles=officer_profiles_linkable(to=member),
        initial={"officer_profile": current.pk if current else None},
    )
    if request.method == "POST" and form.is_valid():
        try:
            staff_link_officer(user=member, officer_profile=form.cleaned_data["officer_profile"], actor=request.user)
        except ValidationError as exc:
            _add_error(form, exc, field_for={"profile_taken": "officer_profile"})
        else:
            if form.cleaned_data["officer_profile"]:
                messages.success(request, _("The officer profile is linked."))
            else:
                messages.success(request, _("The officer profile is unlinked."))
            return redirect("portal:staff-detail", pk=member.pk)
    return render(
        request,
        "portal/staff/link_officer.html",
        {"member": member, "form": form},
        status=400 if form.errors else 200,
    )


def _confirm_view(
    request: HttpRequest,
    pk: int,
    *,
    service: Callable[..., User],
    template: str,
    allowed: Callable[[User, User], bool],
    done: str,
) -> HttpResponse:
    """GET: a confirmation page. POST: do it, then back to the person with a message."""
    _require(permissions.can_manage_staff(request.user))
    member = _staff_member(pk)
    form = ConfirmForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            service(user=member, actor=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, done)
            return redirect("portal:staff-detail", pk=member.pk)
    context = {"member": member, "form": form, "allowed": allowed(request.user, member)}
    return render(request, template, context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def staff_deactivate_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _confirm_view(
        request,
        pk,
        service=staff_deactivate,
        template="portal/staff/deactivate.html",
        allowed=lambda actor, member: permissions.can_deactivate_staff(actor, member) and member.is_active,
        done=_("The account is deactivated and its sessions have ended."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def staff_reactivate_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _confirm_view(
        request,
        pk,
        service=staff_reactivate,
        template="portal/staff/reactivate.html",
        allowed=lambda actor, member: permissions.can_manage_staff(actor) and not member.is_active,
        done=_("The account is active again."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def staff_reset_mfa_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _confirm_view(
        request,
        pk,
        service=staff_reset_mfa,
        template="portal/staff/reset_mfa.html",
        allowed=permissions.can_reset_staff_mfa,
        done=_("Two-factor sign-in is reset. They will set it up again when they next sign in."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def site_page_edit_view(request: HttpRequest, page: str) -> HttpResponse:
    _require(permissions.can_edit_site_pages(request.user))
    if page not in SitePage.Slug.values:
        raise Http404
    site_page = SitePage.objects.filter(slug=page).first()
    # Until a page is first saved, visitors see its default text: start the editor from it.
    initial = None if site_page else dict(site_page_defaults[page])
    form = SitePageForm(_posted(request), instance=site_page, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            site_page_update(slug=page, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The page is saved."))
            return redirect(f"portal:{page}")
    context = {"form": form, "page_slug": page, "page_label": SitePage.Slug(page).label, "site_page": site_page}
    return render(request, "portal/staff/page_edit.html", context, status=400 if form.errors else 200)


def _add_error(form, exc: ValidationError, *, field_for: dict[str, str]) -> None:
    """Put a service's error next to the field it is about (by its code), else above the form."""
    field = field_for.get(getattr(exc, "code", None) or "")
    form.add_error(field if field in form.fields else None, exc)
