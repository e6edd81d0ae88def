"""The public wall of published feedback, its figures, and one published item."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET

from feedback import selectors
from feedback.caching import WALL_SCOPE
from feedback.forms_public import WallFilterForm, districts_for_filter
from portal import fragments, page_shells


def _directory_version() -> int:
    return fragments.fragment_version(scope=fragments.DIRECTORY)


def wall_items_html(*, form: WallFilterForm, page_number: int) -> SafeString:
    """The wall's items and pagination for these filters, cached under the wall's version."""
    data = form.cleaned_data
    filters = {key: data[key] for key in ("kind", "district", "officer") if data[key]}

    def render_items() -> str:
        items = selectors.feedback_wall(kind=data["kind"], district=form.district_obj, officer=form.officer_obj)
        paginator = Paginator(items, settings.FEEDBACK_PER_PAGE)
        try:
            page = paginator.page(page_number)
        except InvalidPage as error:
            raise Http404(str(error)) from error
        return render_to_string(
            "feedback/includes/wall_items.html",
            {
                "page_obj": page,
                "items": selectors.with_signatures(list(page.object_list)),
                "page_range": list(paginator.get_elided_page_range(page.number)),
                "base_query": urlencode(filters),
                "filtered": bool(filters),
            },
        )

    return SafeString(
        fragments.fragment_get_or_render(
            scope=WALL_SCOPE,
            name="wall-items",
            vary_on=[sorted(filters.items()), page_number, _directory_version()],
            render=render_items,
        )
    )


def figures_html() -> SafeString:
    """The figures table (recomputed at least hourly, and after every change to items or replies)."""
    now = timezone.now()

    def render_figures() -> str:
        figures = selectors.feedback_figures(since=selectors.figures_since(now=now))
        return render_to_string(
            "feedback/includes/figures.html", {"figures": figures, "days": settings.FEEDBACK_FIGURES_DAYS}
        )

    return SafeString(
        fragments.fragment_get_or_render(
            scope=WALL_SCOPE,
            name="figures",
            vary_on=[now.strftime("%Y-%m-%dT%H"), settings.FEEDBACK_FIGURES_DAYS, _directory_version()],
            render=render_figures,
        )
    )


WALL_TEMPLATE = "feedback/wall.html"
# The wall's parameters; a query with any other is rendered each time, never kept as a shell.
WALL_PARAMETERS = frozenset({"kind", "district", "officer", "page"})


def _wall_context(request: HttpRequest) -> tuple[dict, int]:
    form = WallFilterForm(request.GET, districts=districts_for_filter())
    if not form.is_valid():
        return {"form": form, "items_html": None}, 400
    return {
        "form": form,
        "officer": form.officer_obj,
        "items_html": wall_items_html(form=form, page_number=form.cleaned_data["page"] or 1),
        "figures_html": figures_html(),
    }, 200


def _wall_page_for_one(request: HttpRequest) -> HttpResponse:
    context, status = _wall_context(request)
    return render(request, WALL_TEMPLATE, context, status=status)


@require_GET
def wall_view(request: HttpRequest) -> HttpResponse:
    """The wall: filters (unknown values → 400 with the form's messages; a page out of range →
    404), the items with their public replies, and the figures. For visitors who are not signed
    in, a valid page is served from a cached shell of the whole page, keyed by its full path (the
    shared mechanism of portal.page_shells); signed-in people get the page rendered for them with
    the cached fragments inside."""
    if not (page_shells.shell_allowed(request) and set(request.GET) <= WALL_PARAMETERS):
        return _wall_page_for_one(request)

    def render_page() -> dict:
        context, status = _wall_context(request)
        if status != 200:
            raise page_shells.NotShared(render(request, WALL_TEMPLATE, context, status=status))
        return {"html": page_shells.render_shell(request, WALL_TEMPLATE, context, [])}

    try:
        shell = page_shells.shell_get_or_render(
            name="feedback-wall",
            vary_on=[
                request.get_full_path(),
                page_shells.offers_spanish(request),
                timezone.now().strftime("%Y-%m-%dT%H"),
            ],
            scopes=(WALL_SCOPE, fragments.DIRECTORY),
            render=render_page,
        )
    except page_shells.NotShared as not_shared:
        return not_shared.response
    return page_shells.fill_shell(request, shell["html"], {})


def _detail_context(pk: int) -> dict:
    item = selectors.feedback_published_get(pk=pk)
    if item is None:
        raise Http404("No published feedback has this number.")
    selectors.with_signatures([item])
    return {"item": item}


@require_GET
def published_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One published item with its public replies; unpublished or unknown → 404. Served from a
    cached page shell to visitors who are not signed in (a 404 is never stored)."""
    if not (page_shells.shell_allowed(request) and not request.GET):
        return render(request, "feedback/detail.html", _detail_context(pk))

    def render_page() -> dict:
        return {"html": page_shells.render_shell(request, "feedback/detail.html", _detail_context(pk), [])}

    try:
        shell = page_shells.shell_get_or_render(
            name="feedback-detail",
            vary_on=[request.get_full_path(), page_shells.offers_spanish(request)],
            scopes=(WALL_SCOPE, fragments.DIRECTORY),
            render=render_page,
        )
    except page_shells.NotShared as not_shared:
        return not_shared.response
    return page_shells.fill_shell(request, shell["html"], {})
