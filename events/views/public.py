"""(Being built.)"""

from django.http import Http404, HttpRequest, HttpResponse


def event_list_view(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def event_past_list_view(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def event_detail_view(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404
