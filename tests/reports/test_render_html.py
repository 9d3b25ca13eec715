"""The HTML report, parsed back: the right numbers, free text kept as text, nothing fetched from the network."""
from __future__ import annotations

import base64
import re
from html.parser import HTMLParser

import pytest

from readiness.reports import charts
from readiness.reports.render_html import render_html
from report_samples import NASTY_NOTE, NASTY_RATIONALE


class Page(HTMLParser):
    """The parts of the page the tests read: text by element id, table rows by table id, tags and URLs."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.by_id: dict[str, str] = {}
        self.tables: dict[str, list[list[str]]] = {}
        self.tags: list[str] = []
        self.urls: list[str] = []
        self._open: list[tuple[str, str | None]] = []
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        self.urls += [v for k, v in attrs.items() if k in ("src", "href") and v]
        if tag in ("meta", "img", "br", "link", "input"):
            return
        self._open.append((tag, attrs.get("id")))
        if attrs.get("id"):
            self.by_id[attrs["id"]] = ""
        if tag == "table":
            self._table = attrs.get("id")
            self.tables[self._table] = []
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        while self._open:
            open_tag, _ = self._open.pop()
            if open_tag == tag:
                break
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table:
            self.tables[self._table].append(self._row)
            self._row = None

    def handle_data(self, data):
        for _, element_id in self._open:
            if element_id:
                self.by_id[element_id] += data
        if self._cell is not None:
            self._cell.append(data)

    def text(self, element_id: str) -> str:
        return " ".join(self.by_id[element_id].split())

    def rows(self, table_id: str) -> list[list[str]]:
        return self.tables[table_id][1:]  # without the heading row


@pytest.fixture(scope="module")
def html_without_images(reported):
    """Rendered once for the module, as on a machine without Chromium."""
    def unavailable(*_args, **_kwargs):
        raise charts.ChartExportUnavailable("no browser in this test")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(charts, "figure_image", unavailable)
        return render_html(reported.report)


def test_html_report_shows_the_decision_and_the_numbers_of_the_score(reported, html_without_images):
    page = Page(html_without_images)
    score = reported.score
    assert page.text("decision").startswith("CONDITIONAL GO")
    assert page.text("overall") == str(score.overall)
    assert page.text("coverage") == f"{score.coverage}%"
    assert page.text("blocker-count") == "1" and page.text("waiver-count") == "1"
    areas = {row[0]: row[1] for row in page.rows("areas")}
    assert areas == {a.title: str(a.score) for a in score.areas}


def test_html_report_lists_blockers_waivers_sign_offs_and_every_control(reported, html_without_images):
    page = Page(html_without_images)
    assert [row[0] for row in page.rows("blockers")] == [reported.blocker]
    waivers = {row[0]: row[-1] for row in page.rows("waivers")}
    assert waivers[reported.blocker].startswith("active") and "decision relies on it" in waivers[reported.blocker]
    assert waivers[reported.failing_control] == "pending approval"
    assert [row[:3] for row in page.rows("sign-offs")] == [["engineering", "Eli Eng", "approves"],
                                                          ["security", "Sam Sec", "objects"]]
    control_rows = [row for row in page.rows("controls") if len(row) > 1]
    assert len(control_rows) == len(reported.score.controls())
    assert page.text("rationale") == NASTY_RATIONALE


def test_html_report_shows_free_text_as_text_and_never_as_markup(reported, html_without_images):
    page = Page(html_without_images)
    assert page.urls == []  # no link or image came out of the free text

    notes = [row[-1] for row in page.rows("controls") if row and row[0] == reported.nasty_control]
    assert notes == [" ".join(NASTY_NOTE.split())]
    assert "<script>alert" not in html_without_images and "&lt;script&gt;alert" in html_without_images
    assert "<img src=x" not in html_without_images
    assert "Go-live &lt;review&gt; &amp; sign" in html_without_images


def test_html_report_without_a_browser_embeds_interactive_charts_that_work_offline(html_without_images):
    page = Page(html_without_images)
    assert not [u for u in page.urls if re.match(r"^(https?:)?//", u)]  # no CDN, no fonts, no images from afar
    assert html_without_images.count("Plotly.newPlot") == 3  # areas, moves since the last final, history
    assert "Charts are interactive" in html_without_images


def test_html_report_with_a_browser_embeds_charts_as_svg_images(reported, chart_images):
    html = render_html(reported.report)
    page = Page(html)
    images = [u for u in page.urls if u.startswith("data:image/svg+xml;base64,")]
    assert len(images) == 3 and "script" not in page.tags
    first = base64.b64decode(images[0].split(",", 1)[1]).decode("utf-8")
    assert first.lstrip().startswith("<svg") and all(a.title in first for a in reported.score.areas)
    assert not [u for u in page.urls if re.match(r"^(https?:)?//", u)]
