"""(Being built.)"""

from django.http import Http404, HttpRequest, HttpResponse


def department_feed_view(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def personal_feed_view(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def guest_rsvp_feed_view(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def event_feed_view(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def personal_calendar_view(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404
