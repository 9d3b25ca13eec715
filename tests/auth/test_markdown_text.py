"""Free text put through a CommonMark renderer with the extensions Streamlit uses comes out as typed."""
from __future__ import annotations

import html
import re

import pytest
from markdown_it import MarkdownIt

from readiness.ui.text import plain, quote

HOSTILE = [
    "<script>alert(1)</script> **bold** [x](javascript:alert(1))",
    '<img src=x onerror="alert(1)"> ![pixel](https://tracker.example/p.png)',
    "https://phish.example/login www.phish.example <https://phish.example>",
    "# Heading\n- list\n1. numbered\n> quote\n    indented code\n```\nfence\n```",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "~~struck~~ `code` _em_ *em* \\*escaped\\* &amp; &lt;b&gt; :red[red] :material/home: $x^2$",
    "<!-- comment --> <a href='https://x.example'>link</a> [ref]: https://x.example",
]


@pytest.fixture(scope="module")
def render():
    # Raw HTML on and autolinking of bare addresses on: the most a renderer could read into the text.
    md = MarkdownIt("commonmark", {"html": True, "linkify": True}).enable(["linkify", "table", "strikethrough"])
    return md.render


def _text_of(rendered: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", rendered))


def _tags(rendered: str) -> set[str]:
    return set(re.findall(r"<\s*([a-zA-Z][\w-]*)", rendered))


def test_the_renderer_would_otherwise_make_links_emphasis_and_html_of_it(render):
    rendered = render("**bold** [x](https://x.example) <img src=x onerror=alert(1)> https://phish.example")
    assert {"strong", "a", "img"} <= _tags(rendered)


@pytest.mark.parametrize("text", HOSTILE)
def test_plain_text_renders_as_one_paragraph_of_the_same_characters(render, text):
    rendered = render(plain(text))
    assert _tags(rendered) == {"p"}
    assert _text_of(rendered).strip() == " ".join(text.split())


@pytest.mark.parametrize("text", HOSTILE)
def test_quoted_text_keeps_its_lines_and_makes_nothing_else(render, text):
    rendered = render(quote(text))
    assert _tags(rendered) <= {"blockquote", "p", "br"}
    shown = [line.strip().replace("\u00a0", " ") for line in _text_of(rendered).splitlines() if line.strip()]
    assert shown == [line.strip() for line in text.splitlines() if line.strip()]


def test_quoted_text_keeps_an_indent_as_text_not_as_code(render):
    rendered = render(quote("steps:\n    run the job"))
    assert "<code>" not in rendered and "\u00a0" * 4 + "run the job" in rendered


def test_empty_and_missing_text_render_nothing_of_their_own(render):
    assert plain(None) == "" and plain("   ") == ""
    assert _tags(render(quote(""))) <= {"blockquote"}
