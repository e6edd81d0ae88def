"""Markdown → safe HTML for updates (rendered once, when an update is saved, into body_html).

markdown-it-py parses CommonMark (plus tables and strikethrough) with raw HTML allowed, and nh3
then keeps only an allow-list of tags and attributes: a `<script>` or `<style>` goes with its
content, `on*` attributes and `style` go, and a URL keeps only the http, https, mailto and tel
schemes or a relative path (so `javascript:` and `data:` links and images lose their address).
Every link gets rel="nofollow noopener". Heading levels are renumbered from <h2> (the levels
used, in order): the update's title is the page's only <h1> and no level is skipped below it.

Sanitising runs on the output, not the input, so nothing markdown-it produces (or lets through)
reaches a page unless nh3 allows it.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "h2", "h3", "h4", "h5", "h6",
        "strong", "em", "b", "i", "s", "del", "code", "pre", "blockquote", "abbr", "sub", "sup",
        "ul", "ol", "li", "a", "img",
        "table", "thead", "tbody", "tr", "th", "td", "caption",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "ol": {"start"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
# Removed WITH their content (the rest of the disallowed tags are unwrapped, keeping their text).
CONTENT_REMOVED = frozenset({"script", "style", "iframe", "object", "embed", "template", "noscript"})
LINK_REL = "nofollow noopener"


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])

    def shift_headings(state) -> None:
        # The levels used, in order, become h2, h3, ...: "#" and "###" alone give h2 and h3, and
        # a text starting at "##" starts at h2, so no heading level is skipped below the title.
        headings = [token for token in state.tokens if token.type in ("heading_open", "heading_close")]
        levels = {level: min(rank + 2, 6) for rank, level in enumerate(sorted({token.tag for token in headings}))}
        for token in headings:
            token.tag = f"h{levels[token.tag]}"

    md.core.ruler.push("portal_shift_headings", shift_headings)
    return md


_MD = _markdown()


def sanitize_html(html: str) -> str:
    """Keep only the allow-listed tags, attributes and URL schemes (see the module docstring)."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(CONTENT_REMOVED),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
        set_tag_attribute_values={"table": {"class": "usa-table"}},
    )


def render_markdown(text: str) -> str:
    """The update's Markdown as sanitised HTML ('' for no text)."""
    if not text or not text.strip():
        return ""
    return sanitize_html(_MD.render(text)).strip()
