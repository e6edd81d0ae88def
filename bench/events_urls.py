"""The real URLconf plus /bench/bare/: a bare Django view, the baseline of bench/events_load.py.

It goes through the same middleware as every page, so the comparison measures what a page does
beyond Django's own cost per request.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from portal.urls import handler400, handler403, handler404, handler500
from portal.urls import urlpatterns as portal_urlpatterns

BARE_BODY = "bare view ok"


def bare_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse(BARE_BODY, content_type="text/plain")


urlpatterns = [path("bench/bare/", bare_view, name="bench-bare"), *portal_urlpatterns]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
