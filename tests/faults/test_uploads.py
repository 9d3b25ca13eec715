"""Uploaded file names with path tricks are refused, named harmlessly; nothing is written anywhere."""
from __future__ import annotations

import os
from pathlib import Path, PurePosixPath, PureWindowsPath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readiness.auth import LOCAL_USER
from readiness.dataflow.readers import MAX_NAME, checked_name, export_kind, read_uploads
from readiness.dataflow.schema import EXTENSIONS, KINDS, ExportError
from readiness.dataflow.validate import validate_and_store
from readiness.store import session_scope
from readiness.store.audit import event_count
from scenarios import demo_platform

POSITIONS = (b"portfolio_id,instrument_id,quantity,price,currency,market_value,base_currency,as_of\n"
             b"P-1,US0378331005,10,187.25,USD,1872.50,USD,2025-01-17\n")

TRICKS = {
    "parent_folders": "../../escaped/positions.csv",
    "parent_folders_windows": "..\\..\\escaped\\positions.csv",
    "absolute": "/tmp/positions.csv",
    "windows_drive": "C:\\exports\\positions.csv",
    "unc_share": "\\\\server\\share\\positions.csv",
    "nul_then_extension": "positions.csv\x00.exe",
    "nul_inside": "posi\x00tions.csv",
    "hidden": ".positions.csv",
    "dot_dot_inside": "positions..csv",
    "very_long": "positions-" + "x" * 300 + ".csv",
    "wrong_extension": "positions.exe",
    "double_extension": "positions.csv.exe",
    "no_extension": "positions",
    "not_an_export": "passwd.csv",
    "empty": "",
    "line_breaks": "positions-\r\nforged line.csv",
    "escape_sequence": "positions-\x1b[2J.csv",
    "right_to_left_override": "positions-\u202evsc.exe.csv",
    "zero_width": "positions\u200b.csv",
}


@pytest.mark.parametrize("trick", TRICKS)
def test_a_file_name_with_a_path_trick_is_refused_with_a_printable_label(trick):
    with pytest.raises(ExportError) as caught:
        read_uploads("production", [(TRICKS[trick], POSITIONS)])
    [problem] = caught.value.problems
    assert problem.file.isprintable() and 0 < len(problem.file) <= MAX_NAME, repr(problem.file)
    assert "/" not in problem.message or "without folders" in problem.message


def test_an_ordinary_export_name_is_read():
    exports = read_uploads("production", [("positions-2025-01-17.csv", POSITIONS)])
    assert [f.name for f in exports.files] == ["positions-2025-01-17.csv"]


@settings(max_examples=400, deadline=None)
@given(name=st.one_of(
    st.text(max_size=60),
    st.tuples(st.sampled_from(["", "../", "./", "/", "\\", "C:", "..\\", "~/", "\x00", "%2e%2e/", "\u202e"]),
              st.sampled_from(KINDS), st.text(max_size=8), st.sampled_from(EXTENSIONS + (".exe", "", ".CSV"))
              ).map("".join),
))
def test_any_accepted_name_is_a_plain_base_name_of_an_export(name):
    try:
        accepted = checked_name(name)
    except ExportError as refused:
        assert all(p.file.isprintable() for p in refused.problems)
        return
    assert accepted == name
    assert PurePosixPath(name).name == name and PureWindowsPath(name).name == name
    assert os.path.basename(name) == name and name not in (".", "..") and not name.startswith(".")
    assert name.isprintable() and len(name) <= MAX_NAME and "\x00" not in name
    assert name.lower().endswith(EXTENSIONS) and export_kind(name) in KINDS


def test_a_refused_upload_writes_nothing_anywhere_and_stores_nothing(tmp_path, store_engine, monkeypatch):
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    before = sorted(p for p in tmp_path.rglob("*"))
    with session_scope(store_engine) as session:
        events = event_count(session)
    uploads = {"production": [("../../escaped.csv", POSITIONS), ("/tmp/positions.csv", POSITIONS),
                              ("..\\..\\positions.csv", POSITIONS)]}
    with pytest.raises(ExportError) as caught:
        validate_and_store(store_engine, platform=demo_platform(), actor=LOCAL_USER, uploads=uploads)
    assert len(caught.value.problems) == 3
    assert sorted(p for p in tmp_path.rglob("*")) == before
    assert not (tmp_path / "escaped.csv").exists() and not Path("/tmp/positions.csv").exists()
    with session_scope(store_engine) as session:
        assert event_count(session) == events
