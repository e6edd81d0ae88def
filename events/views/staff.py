"""(Being built.)"""

from django.http import Http404, HttpRequest, HttpResponse


def staff_event_list_view(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def staff_event_create_view(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def staff_event_detail_view(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def staff_event_edit_view(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def staff_event_publish_view(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def staff_event_cancel_view(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def staff_event_duplicate_view(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def staff_attendees_csv_view(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def staff_checkin_view(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def staff_checkin_mark_view(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def staff_walk_ins_view(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def staff_attendance_view(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404
