"""(Being built.)"""

from django.http import Http404, HttpRequest, HttpResponse


def guest_rsvp_create_view(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def guest_rsvp_manage_view(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def guest_rsvp_confirm_view(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def guest_rsvp_change_view(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def guest_rsvp_cancel_view(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404
