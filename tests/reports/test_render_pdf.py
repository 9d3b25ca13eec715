"""The PDF board pack, read back with pypdf: the decision on the cover, the numbers, risks and sign-offs inside."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from readiness.reports import charts
from readiness.reports import render_pdf as pdf_renderer
from readiness.reports.render_pdf import render_pdf


def _reader(data: bytes) -> PdfReader:
    assert data.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(data))


def _text(reader: PdfReader) -> list[str]:
    return [" ".join((page.extract_text() or "").split()) for page in reader.pages]


def _no_chart_images(*_args, **_kwargs):
    raise charts.ChartExportUnavailable("no browser in this test")


@pytest.fixture(scope="module")
def pdf_without_images(reported) -> bytes:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(charts, "figure_image", _no_chart_images)
        return render_pdf(reported.report)


def test_pdf_cover_shows_the_decision_the_score_and_the_reasons(reported, pdf_without_images):
    cover = _text(_reader(pdf_without_images))[0]
    score = reported.score
    assert "CONDITIONAL GO" in cover
    assert str(score.overall) in cover and f"{score.coverage}%" in cover
    assert "Northwind Wealth (demo)" in cover and "Environment: production" in cover
    assert f"Blocker {reported.blocker}" in cover  # the reason naming the waived blocker


def test_pdf_has_a_score_table_per_area_and_the_risks_and_sign_offs(reported, pdf_without_images):
    reader = _reader(pdf_without_images)
    body = " ".join(_text(reader)[1:])
    for area in reported.score.areas:
        assert f"{area.title} {area.score}" in body
    assert "Vendor patch <due> soon" in body  # the waiver reason, as written
    assert "Eli Eng approves" in body and "Sam Sec objects" in body
    assert "Since the previous final assessment" in body
    assert len(reader.pages) >= 4
    assert reader.metadata.title == "Readiness: Northwind Wealth (demo), production"


def test_pdf_lists_every_control_in_its_appendix(reported, pdf_without_images):
    body = " ".join(_text(_reader(pdf_without_images)))
    appendix = body[body.index("Appendix: every control"):]
    assert all(c.control_id in appendix for c in reported.score.controls())


def test_pdf_with_a_browser_carries_the_charts_as_images(reported, chart_images):
    reader = _reader(render_pdf(reported.report))
    pictures = [image for page in reader.pages for image in page.images]
    assert len(pictures) == 3  # scores by area, moves since the last final, history
    assert all(p.image.width >= 1000 for p in pictures)


def test_pdf_without_a_unicode_font_falls_back_to_latin_text(reported, monkeypatch):
    monkeypatch.setattr(pdf_renderer, "FONT_DIRS", ())
    monkeypatch.setattr(charts, "figure_image", _no_chart_images)
    pages = _text(_reader(render_pdf(reported.report)))
    assert "CONDITIONAL GO" in pages[0] and "Go-live <review> & sign" in pages[0]
    assert "->" in " ".join(pages)  # arrows written the Latin-1 way
