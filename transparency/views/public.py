"""Public update pages: the list (filters by category, district and year), one update (the Spanish
version to Spanish readers, else the English one with a notice), its PDF attachments (published
only, through this view), and Atom feeds (all, per category, per district).

Drafts and scheduled updates do not exist here: every read goes through the published selectors,
so they answer 404 to everyone, staff included (staff read them on the staff pages).
The list's rows and each update's public part are cached fragments (transparency.caching).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.paginator import InvalidPage, Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.safestring import SafeString
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from portal import fragments, page_shells
from portal.models import District
from transparency import selectors
from transparency.caching import UPDATES_SCOPE
from transparency.forms_public import UpdateFilterForm
from transparency.models import Category, Update

# --- Helpers ------------------------------------------------------------------------------------


def reads_spanish() -> bool:
    return (translation.get_language() or "").startswith("es")


def localized(update: Update) -> dict[str, Any]:
    """What a reader in the active language sees: Spanish when there is a Spanish version and the
    page is Spanish; otherwise English (with `untranslated` True on a Spanish page)."""
    spanish = getattr(update, "spanish_ready", None)  # annotated by the selectors
    if spanish is None:
        spanish = update.has_spanish()
    if reads_spanish() and spanish:
        return {"title": update.title_es, "summary": update.summary_es, "lang": "es", "untranslated": False}
    return {"title": update.title, "summary": update.summary, "lang": "en", "untranslated": reads_spanish()}


def _directory_version() -> int:
    return fragments.fragment_version(scope=fragments.DIRECTORY)


def _districts_for_filter() -> list[District]:
    return fragments.fragment_get_or_render(
        scope=fragments.DIRECTORY,
        name="transparency-districts",
        vary_on=[],
        render=lambda: list(District.objects.order_by("name").only("pk", "slug", "name")),
    )


def _years_for_filter() -> list[int]:
    return fragments.fragment_get_or_render(
        scope=UPDATES_SCOPE, name="years", vary_on=[], render=selectors.update_years
    )


# --- The list -----------------------------------------------------------------------------------


def update_results_html(*, form: UpdateFilterForm, page_number: int) -> SafeString:
    """The rows and pagination for these filters, cached under the updates' version."""
    query = form.query()

    def render_rows() -> str:
        paginator = Paginator(selectors.updates_public_list(filters=form.filters()), settings.TRANSPARENCY_PER_PAGE)
        try:
            page = paginator.page(page_number)
        except InvalidPage as error:
            raise Http404(str(error)) from error
        rows = list(page.object_list)
        for update in rows:
            update.shown = localized(update)
        return render_to_string(
            "transparency/includes/update_results.html",
            {
                "page_obj": page,
                "updates": rows,
                "count": paginator.count,
                "page_range": list(paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)),
                "base_query": urlencode(query),
                "filtered": bool(query),
            },
        )

    return SafeString(
        fragments.fragment_get_or_render(
            scope=UPDATES_SCOPE,
            name="list-results",
            vary_on=[query, page_number, settings.TRANSPARENCY_PER_PAGE, _directory_version()],
            render=render_rows,
        )
    )


LIST_TEMPLATE = "transparency/list.html"
# The list's parameters; a query with any other is rendered each time, never kept as a shell.
LIST_PARAMETERS = frozenset({"category", "district", "year", "page"})


def _list_context(request: HttpRequest) -> tuple[dict[str, Any], int]:
    form = UpdateFilterForm(request.GET, districts=_districts_for_filter(), years=_years_for_filter())
    context: dict[str, Any] = {"form": form, "results_html": None}
    if not form.is_valid():
        return context, 400
    context["results_html"] = update_results_html(form=form, page_number=form.cleaned_data["page"] or 1)
    context["district"] = form.district_obj
    context["category_filtered"] = form.cleaned_data["category"]
    return context, 200


@require_GET
def update_list_view(request: HttpRequest) -> HttpResponse:
    """Published updates, newest first. Unknown filter values → 400 with the form's messages; a
    page out of range → 404. For visitors who are not signed in, a valid page is served from a
    cached shell of the whole page (portal.page_shells), stale as soon as an update changes."""
    if not (page_shells.shell_allowed(request) and set(request.GET) <= LIST_PARAMETERS):
        context, status = _list_context(request)
        return render(request, LIST_TEMPLATE, context, status=status)

    def render_page() -> dict:
        context, status = _list_context(request)
        if status != 200:
            raise page_shells.NotShared(render(request, LIST_TEMPLATE, context, status=status))
        return {"html": page_shells.render_shell(request, LIST_TEMPLATE, context, [])}

    try:
        shell = page_shells.shell_get_or_render(
            name="transparency-list",
            vary_on=[request.get_full_path(), page_shells.offers_spanish(request)],
            scopes=(UPDATES_SCOPE, fragments.DIRECTORY),
            render=render_page,
        )
    except page_shells.NotShared as not_shared:
        return not_shared.response
    return page_shells.fill_shell(request, shell["html"], {})


# --- One update ---------------------------------------------------------------------------------


def update_public_html(*, slug: str) -> dict[str, Any]:
    """The public part of one update's page (cached per language); Http404 unless published."""

    def render_article() -> dict[str, Any]:
        update = selectors.update_published_get(slug=slug)
        if update is None:
            raise Http404("No published update has this address.")
        shown = localized(update)
        body_html = update.body_es_html if shown["lang"] == "es" else update.body_html
        event = update.event if update.event is not None and update.event.status != "draft" else None
        html = render_to_string(
            "transparency/includes/update_article.html",
            {"update": update, "shown": shown, "body_html": SafeString(body_html), "event": event},
        )
        return {"html": html, "title": shown["title"], "summary": shown["summary"], "lang": shown["lang"]}

    return fragments.fragment_get_or_render(
        scope=UPDATES_SCOPE, name="detail", vary_on=[slug, _directory_version()], render=render_article
    )


def _detail_context(slug: str) -> dict[str, Any]:
    part = update_public_html(slug=slug)
    return {
        "article_html": SafeString(part["html"]),
        "title": part["title"],
        "summary": part["summary"],
        "content_lang": part["lang"],
        "untranslated": reads_spanish() and part["lang"] != "es",
    }


@require_GET
def update_detail_view(request: HttpRequest, slug: str) -> HttpResponse:
    """One published update (404 otherwise, never stored). Served from a cached page shell to
    visitors who are not signed in."""
    if not (page_shells.shell_allowed(request) and not request.GET):
        return render(request, "transparency/detail.html", _detail_context(slug))

    def render_page() -> dict:
        return {"html": page_shells.render_shell(request, "transparency/detail.html", _detail_context(slug), [])}

    try:
        shell = page_shells.shell_get_or_render(
            name="transparency-detail",
            vary_on=[request.get_full_path(), page_shells.offers_spanish(request)],
            scopes=(UPDATES_SCOPE, fragments.DIRECTORY),
            render=render_page,
        )
    except page_shells.NotShared as not_shared:
        return not_shared.response
    return page_shells.fill_shell(request, shell["html"], {})


# --- Attachments --------------------------------------------------------------------------------


@require_GET
def attachment_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A PDF of a published update: downloaded (or shown inline with ?inline=1), never sniffed."""
    attachment = selectors.attachment_published_get(slug=slug, pk=pk)
    if attachment is None:
        raise Http404("No such document.")
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404("This document is missing.") from exc
    inline = request.GET.get("inline") == "1"
    response = FileResponse(
        handle,
        content_type="application/pdf",
        as_attachment=not inline,
        filename=f"{slugify(attachment.title) or 'document'}.pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "public, max-age=3600"
    return response


# --- Atom feeds ---------------------------------------------------------------------------------


class LatestUpdatesFeed(Feed):
    """Every published update, newest first, in the reader's language (the /es/ feed is Spanish)."""

    feed_type = Atom1Feed
    limit = 30

    def title(self, obj: Any = None) -> str:
        return _("%(department)s: updates") % {"department": settings.DEPARTMENT_NAME}

    def subtitle(self, obj: Any = None) -> str:
        return _("What the department publishes: policy changes, statistics, minutes, training and alerts.")

    def link(self, obj: Any = None) -> str:
        return reverse("transparency:list")

    def items(self, obj: Any = None) -> list[Update]:
        return selectors.updates_for_feed(limit=self.limit)

    def item_title(self, item: Update) -> str:
        return localized(item)["title"]

    def item_description(self, item: Update) -> str:
        return localized(item)["summary"]

    def item_link(self, item: Update) -> str:
        return item.get_absolute_url()  # reversed in the active language: /es/... for the Spanish feed

    def item_pubdate(self, item: Update):
        return item.published_at

    def item_updateddate(self, item: Update):
        return item.corrected_at or item.published_at

    def item_categories(self, item: Update) -> list[str]:
        return [str(Category(item.category).label)]


class CategoryUpdatesFeed(LatestUpdatesFeed):
    def get_object(self, request: HttpRequest, category: str) -> str:
        if category not in Category.values:
            raise Http404("No such category.")
        return category

    def title(self, obj: str) -> str:
        return _("%(department)s: %(category)s") % {
            "department": settings.DEPARTMENT_NAME,
            "category": Category(obj).label,
        }

    def link(self, obj: str) -> str:
        return f"{reverse('transparency:list')}?category={obj}"

    def items(self, obj: str) -> list[Update]:
        return selectors.updates_for_feed(category=obj, limit=self.limit)


class DistrictUpdatesFeed(LatestUpdatesFeed):
    def get_object(self, request: HttpRequest, slug: str) -> District:
        district = District.objects.filter(slug=slug).first()
        if district is None:
            raise Http404("No such district.")
        return district

    def title(self, obj: District) -> str:
        return _("%(department)s: updates for %(district)s") % {
            "department": settings.DEPARTMENT_NAME,
            "district": obj.name,
        }

    def link(self, obj: District) -> str:
        return f"{reverse('transparency:list')}?district={obj.slug}"

    def items(self, obj: District) -> list[Update]:
        return selectors.updates_for_feed(district=obj, limit=self.limit)
