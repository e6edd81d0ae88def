"""The open data API: read-only JSON, public records only, no sessions (nothing personal, no CSRF).

Every endpoint pages (?page, ?page_size up to 100), answers bad filters with a 400 JSON message,
is throttled per client (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["anon"]) and runs a fixed
number of queries whatever the rows. The docs page is ours (templates/transparency/api/docs.html):
Swagger UI from drf-spectacular-sidecar's static files, started by static/js/api-docs.js, so it
runs under the site's CSP without an inline script.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import cache_page
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularAPIView
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.models import District
from transparency.api import queries, serializers
from transparency.api.filters import EventFilter, FeedbackFilter, OfficerFilter, UpdateFilter
from transparency.api.mechanics import ApiPagination, ApiThrottle, FilterBackend, bad_parameter, not_found
from transparency.api.statistics import (
    PERIODS,
    DatasetFilterError,
    DatasetNotFound,
    dataset_catalogue,
    dataset_exists,
    dataset_json,
)

SCHEMA_CACHE_SECONDS = 60 * 60

BAD_PARAMETERS = OpenApiResponse(serializers.BadParametersSerializer, description="A query parameter is not valid.")
NOT_FOUND = OpenApiResponse(serializers.ErrorSerializer, description="No such public record (or page).")
THROTTLED = OpenApiResponse(serializers.ErrorSerializer, description="Too many requests; see Retry-After.")


def documented(serializer: Any, *, many: bool = False, **kwargs: Any) -> Any:
    """The answers an endpoint may give besides its records, in the OpenAPI description."""
    responses = {
        200: serializer(many=True) if many else serializer,
        400: BAD_PARAMETERS,
        404: NOT_FOUND,
        429: THROTTLED,
    }
    return extend_schema_view(get=extend_schema(responses=responses, **kwargs))


class PublicApiMixin:
    """Read-only, anonymous, throttled, paged and filtered."""

    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes = [ApiThrottle]
    pagination_class = ApiPagination
    filter_backends = [FilterBackend]
    http_method_names = ["get", "head", "options"]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # /api/v1/ has no /es/ twin, and Django keeps unprefixed paths English: messages here
        # follow the client's Accept-Language instead (LocaleMiddleware then sets Content-Language).
        translation.activate(translation.get_language_from_request(request._request, check_path=False))
        super().initial(request, *args, **kwargs)
        for name, values in request.query_params.lists():
            # PostgreSQL refuses text with a NUL character (a 500 if it reached a query).
            if "\x00" in name or any("\x00" in value for value in values):
                raise bad_parameter(name.replace("\x00", ""), _("Query parameters cannot contain a null character."))


class ApiDetailView(PublicApiMixin, generics.RetrieveAPIView):
    lookup_field = "slug"
    filter_backends: list = []
    not_found_message: Any = ""

    def get_object(self) -> Any:
        obj = self.get_queryset().filter(**{self.lookup_field: self.kwargs[self.lookup_field]}).first()
        if obj is None:
            raise not_found(self.not_found_message)
        return obj


# --- Root -----------------------------------------------------------------------------------------


class ApiRootView(PublicApiMixin, APIView):
    """Links to every collection, the OpenAPI description and this reference."""

    @extend_schema(
        responses={200: serializers.ApiRootSerializer, 429: THROTTLED}, operation_id="root_retrieve", tags=["root"]
    )
    def get(self, request: Request) -> Response:
        names = {
            "districts": "api:district-list",
            "officers": "api:officer-list",
            "events": "api:event-list",
            "feedback": "api:feedback-list",
            "updates": "api:update-list",
            "statistics": "api:statistics-list",
            "schema": "api:schema",
            "docs": "api:docs",
        }
        return Response({key: request.build_absolute_uri(reverse(name)) for key, name in names.items()})


class SchemaView(SpectacularAPIView):
    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes = [ApiThrottle]


# Building the description takes tens of milliseconds and only changes with a deployment: cached
# for an hour per format and language (Vary: Accept-Language), and cacheable by browsers as long.
schema_view = cache_page(SCHEMA_CACHE_SECONDS)(SchemaView.as_view())


def docs_view(request: HttpRequest) -> HttpResponse:
    """Swagger UI over /api/v1/schema/, from our own static files (no inline script)."""
    # The API has no /es/ twin: the page follows the browser's language, so the language switcher
    # shows the current language only, and no "also in Spanish" offer points at a 404.
    current = translation.get_language_from_request(request, check_path=False) or settings.LANGUAGE_CODE
    translation.activate(current)
    context = {
        "schema_url": reverse("api:schema") + "?format=json",
        "language_links": [{"code": current, "url": request.path, "current": True}],
        "offer_spanish": False,
    }
    return render(request, "transparency/api/docs.html", context)


# --- Districts, officers, events ------------------------------------------------------------------


@documented(serializers.DistrictSerializer, many=True)
class DistrictListView(PublicApiMixin, generics.ListAPIView):
    """Every district, by name, with how many officers it has in the public directory."""

    serializer_class = serializers.DistrictSerializer
    filter_backends: list = []

    def get_queryset(self):
        return queries.districts()


@documented(serializers.DistrictSerializer)
class DistrictDetailView(ApiDetailView):
    """One district."""

    serializer_class = serializers.DistrictSerializer
    not_found_message = gettext_lazy("No district has this slug.")

    def get_queryset(self):
        return queries.districts()


@documented(serializers.OfficerSerializer, many=True)
class OfficerListView(PublicApiMixin, generics.ListAPIView):
    """Officers in the public directory, by name. Filter by district and by a language they speak."""

    serializer_class = serializers.OfficerSerializer
    filterset_class = OfficerFilter

    def get_queryset(self):
        return queries.officers()


@documented(serializers.OfficerDetailSerializer)
class OfficerDetailView(ApiDetailView):
    """One officer in the public directory, with the training their page shows."""

    serializer_class = serializers.OfficerDetailSerializer
    not_found_message = gettext_lazy("No officer in the public directory has this slug.")

    def get_queryset(self):
        return queries.officer_details()


@documented(serializers.EventSerializer, many=True)
class EventListView(PublicApiMixin, generics.ListAPIView):
    """Published and cancelled events, soonest first.

    Filter by district, kind, status and start day (from, to)."""

    serializer_class = serializers.EventSerializer
    filterset_class = EventFilter

    def get_queryset(self):
        return queries.events()


@documented(serializers.EventSerializer)
class EventDetailView(ApiDetailView):
    """One published or cancelled event."""

    serializer_class = serializers.EventSerializer
    not_found_message = gettext_lazy("No published event has this slug.")

    def get_queryset(self):
        return queries.events()


# --- Feedback and updates -------------------------------------------------------------------------


@documented(serializers.FeedbackSerializer, many=True)
class FeedbackListView(PublicApiMixin, generics.ListAPIView):
    """Published feedback (the moderated text) with its public replies, newest first.

    Filter by kind, district and officer."""

    serializer_class = serializers.FeedbackSerializer
    filterset_class = FeedbackFilter

    def get_queryset(self):
        return queries.feedback()


@documented(serializers.FeedbackSerializer)
class FeedbackDetailView(ApiDetailView):
    """One published feedback item with its public replies."""

    serializer_class = serializers.FeedbackSerializer
    lookup_field = "pk"
    not_found_message = gettext_lazy("No published feedback has this number.")

    def get_queryset(self):
        return queries.feedback()


@documented(serializers.UpdateSerializer, many=True)
class UpdateListView(PublicApiMixin, generics.ListAPIView):
    """Published updates, newest first, in English and (when written) Spanish. Filter by category and district."""

    serializer_class = serializers.UpdateSerializer
    filterset_class = UpdateFilter

    def get_queryset(self):
        return queries.updates()


@documented(serializers.UpdateSerializer)
class UpdateDetailView(ApiDetailView):
    """One published update."""

    serializer_class = serializers.UpdateSerializer
    not_found_message = gettext_lazy("No published update has this address.")

    def get_queryset(self):
        return queries.updates()


# --- Statistics -----------------------------------------------------------------------------------


class StatisticsListView(PublicApiMixin, APIView):
    """The statistics datasets, each with the link to its figures."""

    @extend_schema(responses={200: serializers.DatasetListSerializer, 429: THROTTLED}, operation_id="statistics_list")
    def get(self, request: Request) -> Response:
        results = [
            {
                "slug": slug,
                "title": title,
                "description": description,
                "url": request.build_absolute_uri(reverse("api:statistics-detail", kwargs={"dataset": slug})),
            }
            for slug, title, description in dataset_catalogue()
        ]
        return Response({"count": len(results), "results": results})


class StatisticsDetailView(PublicApiMixin, APIView):
    """One dataset's figures: aggregates only, small counts suppressed (null, with the reason in the
    row's "suppressed" object). Filter by district; group by month, quarter or year."""

    @extend_schema(
        responses={200: serializers.DatasetSerializer, 400: BAD_PARAMETERS, 404: NOT_FOUND, 429: THROTTLED},
        operation_id="statistics_retrieve",
        parameters=[
            OpenApiParameter("district", OpenApiTypes.STR, description="A district's slug."),
            OpenApiParameter("period", OpenApiTypes.STR, enum=list(PERIODS), description="Default: month."),
        ],
    )
    def get(self, request: Request, dataset: str) -> Response:
        if not dataset_exists(dataset):
            raise not_found(_("There is no dataset called “%(value)s”.") % {"value": dataset})
        period = request.query_params.get("period") or "month"
        if period not in PERIODS:
            raise bad_parameter("period", _("The period must be “month”, “quarter” or “year”."))
        district = None
        slug = request.query_params.get("district") or ""
        if slug:
            district = District.objects.filter(slug=slug).first()
            if district is None:
                raise bad_parameter("district", _("There is no district called “%(value)s”.") % {"value": slug})
        try:
            return Response(dataset_json(dataset, district=district, period=period))
        except DatasetNotFound as exc:
            raise not_found(str(exc)) from exc
        except DatasetFilterError as exc:
            raise bad_parameter("period", str(exc)) from exc
