"""The pages administrators edit in both languages: the privacy notice and accessibility statement.

The text is plain, with three conventions that `site_page_body_html` turns into HTML (everything
else is escaped): a blank line between paragraphs, a line starting with "## " is a heading, and
lines starting with "- " make a bulleted list. Until an administrator saves a page, the default
text in portal/site_page_texts/ is shown (and `seed_demo` stores it), so a fresh install is never
without one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.utils.html import escape, format_html_join
from django.utils.safestring import SafeString, mark_safe

from portal.models import SitePage

TEXTS_DIR = Path(__file__).resolve().parent / "site_page_texts"
TITLES: dict[str, dict[str, str]] = {
    SitePage.Slug.PRIVACY: {"en": "Privacy notice", "es": "Aviso de privacidad"},
    SitePage.Slug.ACCESSIBILITY: {"en": "Accessibility statement", "es": "Declaración de accesibilidad"},
    SitePage.Slug.COMPLAINTS: {"en": "How complaints work", "es": "Cómo funcionan las quejas"},
}


def _default_texts() -> dict[str, dict[str, str]]:
    # The texts are files (portal/site_page_texts/<slug>.<language>.txt) so they read as what they are.
    return {
        slug: {
            "title_en": titles["en"],
            "body_en": (TEXTS_DIR / f"{slug}.en.txt").read_text(encoding="utf-8").strip(),
            "title_es": titles["es"],
            "body_es": (TEXTS_DIR / f"{slug}.es.txt").read_text(encoding="utf-8").strip(),
        }
        for slug, titles in TITLES.items()
    }


# What a page shows until an administrator saves it, in both languages; seed_demo stores it.
DEFAULTS = _default_texts()


@dataclass(frozen=True)
class ShownSitePage:
    slug: str
    title: str
    body_html: SafeString
    language: str  # the language the text is actually in
    is_fallback: bool  # Spanish was asked for, English is shown
    updated_at: datetime | None


def site_page_for_language(*, slug: str, language: str) -> ShownSitePage:
    """The page as a visitor sees it: the saved text, else the default; Spanish falls back to English."""
    page = SitePage.objects.filter(slug=slug).first()
    if page is not None:
        fields = {
            "title_en": page.title_en,
            "body_en": page.body_en,
            "title_es": page.title_es,
            "body_es": page.body_es,
        }
    else:
        fields = DEFAULTS[slug]
    wants_spanish = language == "es"
    has_spanish = bool(fields["body_es"].strip())
    shown_language = "es" if wants_spanish and has_spanish else "en"
    return ShownSitePage(
        slug=slug,
        title=(fields["title_es"] if shown_language == "es" else "") or fields["title_en"],
        body_html=site_page_body_html(fields[f"body_{shown_language}"]),
        language=shown_language,
        is_fallback=wants_spanish and not has_spanish,
        updated_at=page.updated_at if page is not None else None,
    )


def site_page_body_html(text: str) -> SafeString:
    """Plain text to HTML: paragraphs, "## " headings and "- " lists; everything else escaped."""
    blocks = [block.strip("\n") for block in text.replace("\r\n", "\n").split("\n\n")]
    html: list[str] = []
    for block in blocks:
        lines = [line.rstrip() for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        if len(lines) == 1 and lines[0].startswith("## "):
            html.append(f"<h2>{escape(lines[0][3:].strip())}</h2>")
            continue
        # A heading line directly above a paragraph or list (no blank line between) still counts.
        if lines[0].startswith("## "):
            html.append(f"<h2>{escape(lines[0][3:].strip())}</h2>")
            lines = lines[1:]
        if all(line.lstrip().startswith("- ") for line in lines):
            items = format_html_join("", "<li>{}</li>", ((line.lstrip()[2:].strip(),) for line in lines))
            html.append(f"<ul>{items}</ul>")
        else:
            html.append("<p>" + "<br>".join(escape(line) for line in lines) + "</p>")
    return mark_safe("\n".join(html))  # every piece of text above is escaped
