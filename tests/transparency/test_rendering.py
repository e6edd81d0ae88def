"""Markdown → sanitised HTML (transparency.rendering): malicious input is neutralised."""

from __future__ import annotations

import pytest

from transparency.rendering import render_markdown, sanitize_html


def test_it_renders_ordinary_markdown():
    html = render_markdown("Hello **world**, see [the policy](https://example.org/p).\n\n- one\n- two")
    assert "<strong>world</strong>" in html
    assert '<a href="https://example.org/p" rel="nofollow noopener">the policy</a>' in html
    assert "<li>one</li>" in html


def test_it_moves_headings_one_level_down_so_the_title_stays_the_only_h1():
    html = render_markdown("# Big\n\n## Smaller")
    assert "<h1" not in html
    assert "<h2>Big</h2>" in html
    assert "<h3>Smaller</h3>" in html


def test_it_renders_tables_with_the_uswds_class():
    html = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |")
    assert '<table class="usa-table">' in html
    assert "<td>1</td>" in html


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert('x')</script>",
        "Text <script src=https://evil.example/x.js></script> more",
        "<SCRIPT>alert(1)</SCRIPT>",
        "<style>body{display:none}</style>",
        "<iframe src=https://evil.example></iframe>",
    ],
)
def test_it_removes_script_style_and_frames_with_their_content(source):
    html = render_markdown(source).lower()
    assert "<script" not in html
    assert "<style" not in html
    assert "<iframe" not in html
    assert "alert" not in html
    assert "display:none" not in html


@pytest.mark.parametrize(
    "source",
    [
        '<img src="x" onerror="alert(1)">',
        '<p onclick="alert(1)">hi</p>',
        '<a href="https://example.org" onmouseover="alert(1)">x</a>',
        '<svg onload="alert(1)"></svg>',
        '<div style="background:url(javascript:alert(1))">x</div>',
    ],
)
def test_it_strips_event_handler_and_style_attributes(source):
    html = render_markdown(source).lower()
    assert "onerror" not in html
    assert "onclick" not in html
    assert "onmouseover" not in html
    assert "onload" not in html
    assert "style=" not in html
    assert "javascript" not in html


@pytest.mark.parametrize(
    "source",
    [
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        '<a href="javascript:alert(1)">click</a>',
        '<a href="jav&#x09;ascript:alert(1)">click</a>',
        '<a href=" javascript:alert(1)">click</a>',
        "[click](vbscript:msgbox(1))",
    ],
)
def test_it_neutralises_javascript_links(source):
    html = render_markdown(source).lower()
    assert "href=" not in html  # the link keeps its text, not its address


@pytest.mark.parametrize(
    "source",
    [
        "![pixel](data:image/png;base64,iVBORw0KGgo=)",
        '<img src="data:image/svg+xml;base64,PHN2Zz4=">',
        '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    ],
)
def test_it_drops_data_uris(source):
    html = render_markdown(source).lower()
    assert "data:" not in html


def test_it_keeps_allowed_links_and_adds_rel_to_every_link():
    html = sanitize_html('<a href="/transparency/" rel="opener" target="_blank">ours</a>')
    assert 'href="/transparency/"' in html
    assert 'rel="nofollow noopener"' in html
    assert "target" not in html


def test_it_returns_nothing_for_empty_text():
    assert render_markdown("") == ""
    assert render_markdown("   \n") == ""


def test_it_starts_headings_at_h2_whatever_level_the_text_starts_at():
    html = render_markdown("## What\n\ntext\n\n#### Detail")
    assert "<h2>What</h2>" in html
    assert "<h3>Detail</h3>" in html
