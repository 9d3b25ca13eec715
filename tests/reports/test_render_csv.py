"""The CSV of every control, read back: one row per control, the same numbers, formulas neutralised."""
from __future__ import annotations

import csv
import io
from decimal import Decimal

from readiness.reports.export import FORMATS
from readiness.reports.render_csv import COLUMNS, neutralise
from report_samples import FORMULA_NOTE


def _rows(reported) -> list[dict[str, str]]:
    data = FORMATS["csv"].render(reported.report)
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_has_one_row_per_control_with_answer_evidence_value_and_waiver(reported):
    rows = _rows(reported)
    assert list(rows[0]) == COLUMNS
    assert [r["control_id"] for r in rows] == [c.control_id for c in reported.score.controls()]
    for row in rows:
        control = reported.score.control(row["control_id"])
        assert row["answer"] == control.answer.label
        assert row["evidence"] == control.evidence.label
        assert (Decimal(row["value"]) if row["value"] else None) == control.value
        assert row["waived"] == ("yes" if control.waived else "no")
    blocker = next(r for r in rows if r["control_id"] == reported.blocker)
    assert blocker["blocker"] == "yes" and blocker["waiver"].startswith("active until")
    failing = next(r for r in rows if r["control_id"] == reported.failing_control)
    assert failing["findings"].startswith("fail ") and failing["state"] == "not met"


def test_csv_cells_that_a_spreadsheet_would_run_start_with_a_quote(reported):
    row = next(r for r in _rows(reported) if r["control_id"] == reported.formula_control)
    assert row["note"] == "'" + FORMULA_NOTE
    assert [neutralise(v) for v in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "plain", "")] == [
        "'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx", "plain", ""]
