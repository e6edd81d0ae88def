"""How every open data endpoint pages, filters, throttles and reports bad input.

Bad input is a 400 with a JSON body {"detail": "<one sentence>", "errors": {"<parameter>":
["<message>", ...]}} in the reader's language (Accept-Language), never a 500.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle

MAX_PAGE_SIZE = 100


class BadParameters(APIException):
    """A 400 naming each bad query parameter and what is wrong with it."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _("Some query parameters are not valid.")
    default_code = "invalid"

    def __init__(self, errors: dict[str, list[str]]) -> None:
        summary = " ".join(str(message) for messages in errors.values() for message in messages)
        super().__init__(
            detail={
                "detail": f"{self.default_detail} {summary}".strip(),
                "errors": {name: [str(message) for message in messages] for name, messages in errors.items()},
            }
        )


def bad_parameter(name: str, message: str) -> BadParameters:
    return BadParameters({name: [message]})


class FilterBackend(DjangoFilterBackend):
    """django-filter, with an invalid value answered as BadParameters instead of DRF's bare dict."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            errors = filterset.form.errors
            raise BadParameters({name: list(messages) for name, messages in errors.items()})
        return filterset.qs


class ApiPagination(PageNumberPagination):
    """?page=N (1 or more) and ?page_size=N (1 to MAX_PAGE_SIZE; more is capped at MAX_PAGE_SIZE).

    A page or page size that is not a positive whole number is a 400; a page past the last is a 404.
    """

    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    invalid_page_message = _("There is no page with this number.")

    def _positive_int(self, request, name: str) -> int | None:
        raw = request.query_params.get(name)
        if raw is None or raw == "":
            return None
        try:
            value = int(raw)
        except ValueError:
            value = 0
        if value < 1 or len(raw) > 9:
            raise bad_parameter(
                name, str(_("“%(name)s” must be a whole number of 1 or more, like 2.") % {"name": name})
            )
        return value

    def get_page_size(self, request) -> int:
        size = self._positive_int(request, self.page_size_query_param)
        if size is None:
            return self.page_size or api_settings.PAGE_SIZE
        return min(size, self.max_page_size)

    def paginate_queryset(self, queryset, request, view=None):
        self._positive_int(request, self.page_query_param)
        return super().paginate_queryset(queryset, request, view)


class ApiThrottle(AnonRateThrottle):
    """The anonymous rate from settings (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["anon"]).

    The client is found the way sign-in rate limits find it (allauth's adapter, which trusts
    X-Forwarded-For only as far as ALLAUTH_TRUSTED_PROXY_COUNT says), so a made-up header does
    not buy a fresh allowance. The rate is read on every request, so a changed setting applies.
    """

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def __init__(self) -> None:  # the stock __init__ reads the rate once, at construction
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)

    def get_ident(self, request) -> str:
        try:
            return get_adapter().get_client_ip(request._request)
        except PermissionDenied:
            return super().get_ident(request)


def not_found(message: Any) -> NotFound:
    return NotFound(detail=message)
