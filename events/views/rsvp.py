"""(Being built.)"""

from django.http import Http404, HttpRequest, HttpResponse


def my_events_view(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def rsvp_create_view(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def rsvp_change_view(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def rsvp_cancel_view(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def seat_qr_view(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404
