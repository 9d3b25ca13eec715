"""Reading exports: typed exactly, and every malformed file refused with its file, row and column named."""
from __future__ import annotations

import io
from decimal import Decimal

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from readiness.dataflow import synthetic
from readiness.dataflow.readers import read_export, read_exports, read_folder, read_uploads
from readiness.dataflow.schema import ExportError

from sample_exports import AS_OF

POSITIONS = (b"portfolio_id,instrument_id,quantity,price,currency,market_value,base_currency,as_of\n"
             b"P-1,US0378331005,10,187.25,USD,1872.50,USD,2025-01-17\n"
             b"P-1,DE0007164600,5.5,182.4612,EUR,1089.03,USD,2025-01-17\n")


def problems_of(name: str, data: bytes) -> list[str]:
    with pytest.raises(ExportError) as caught:
        read_export(name, data)
    return [str(p) for p in caught.value.problems]


def test_positions_are_read_as_exact_decimals_and_dates_with_their_line_numbers():
    table, info = read_export("positions.csv", POSITIONS)
    assert table["price"].tolist() == [Decimal("187.25"), Decimal("182.4612")]
    assert table["quantity"].tolist() == [Decimal("10"), Decimal("5.5")]
    assert table["as_of"].tolist() == [AS_OF, AS_OF]
    assert table["_row"].tolist() == [2, 3]  # the header is line 1
    assert (info.kind, info.rows, len(info.sha256)) == ("positions", 2, 64)


def test_a_missing_column_is_named_with_what_the_export_needs():
    data = POSITIONS.replace(b",market_value", b"").replace(b",1872.50", b"").replace(b",1089.03", b"")
    assert problems_of("positions.csv", data) == [
        "positions.csv:1: missing column market_value: a positions export needs portfolio_id, instrument_id, "
        "quantity, price, currency, market_value, base_currency, as_of"]


def test_text_in_a_number_column_names_the_file_row_and_column():
    data = POSITIONS.replace(b"187.25", b"n/a").replace(b"5.5,", b'"1,234.5",')
    found = problems_of("positions.csv", data)
    assert ("positions.csv:2: price: 'n/a' is not a number (write a plain decimal like 1234.50, without "
            "separators)") in found
    assert any(p.startswith("positions.csv:3: quantity: '1,234.5' is not a number") for p in found)


def test_a_bad_date_is_refused_even_when_it_looks_like_one():
    data = POSITIONS.replace(b"2025-01-17\nP-1,DE", b"2025-02-30\nP-1,DE").replace(b"2025-01-17\n", b"17/01/2025\n")
    assert problems_of("positions.csv", data) == [
        "positions.csv:2: as_of: '2025-02-30' is not a date like 2025-01-17 (YYYY-MM-DD)",
        "positions.csv:3: as_of: '17/01/2025' is not a date like 2025-01-17 (YYYY-MM-DD)"]


def test_an_empty_file_is_refused():
    assert problems_of("totals.csv", b"")[0].startswith("totals.csv: is empty: expected a header line")
    assert problems_of("totals.csv", b"\n  \n") == problems_of("totals.csv", b"")


def test_a_duplicated_header_is_refused():
    data = POSITIONS.replace(b"as_of\n", b"as_of,price\n", 1)
    assert problems_of("positions.csv", data) == ["positions.csv:1: price: appears twice in the header"]


def test_a_header_without_rows_is_refused_except_for_a_day_without_transactions():
    header = POSITIONS.split(b"\n")[0] + b"\n"
    assert problems_of("positions.csv", header) == [
        "positions.csv: has a header but no rows: a positions export needs at least one row"]
    table, _ = read_export("transactions.csv", b"transaction_id,portfolio_id,instrument_id,as_of,quantity\n")
    assert len(table) == 0


def test_rows_with_the_wrong_number_of_values_and_empty_cells_are_located():
    assert problems_of("positions.csv", POSITIONS + b"P-2,X,1\n") == [
        "positions.csv:4: has 3 values, but the header names 8 columns"]
    assert problems_of("positions.csv", POSITIONS.replace(b",USD,2025", b",,2025", 1)) == [
        "positions.csv:2: base_currency: is empty"]


def test_too_many_digits_and_lower_case_currencies_are_refused():
    data = POSITIONS.replace(b"1872.50", b"12345678901234567890").replace(b"EUR", b"eur")
    found = problems_of("positions.csv", data)
    assert "positions.csv:2: market_value: '12345678901234567890' has too many digits: at most 18 before the " \
           "point and 12 after" in found
    assert "positions.csv:3: currency: 'eur' is not an ISO currency code like USD" in found


def test_problems_in_one_column_are_capped_with_a_count_of_the_rest():
    rows = b"".join(b"P-1,X%d,abc,1,USD,1,USD,2025-01-17\n" % i for i in range(12))
    found = problems_of("positions.csv", POSITIONS.split(b"\n")[0] + b"\n" + rows)
    assert len(found) == 6
    assert found[-1] == "positions.csv: quantity: and 7 more rows like these"


@pytest.mark.parametrize("name", ["../positions.csv", "data/positions.csv", "..\\positions.csv", ".positions.csv",
                                  "positions.csv\0.txt", ""])
def test_uploaded_names_with_folders_or_tricks_are_refused(name):
    with pytest.raises(ExportError, match="not accepted as a file name"):
        read_uploads("production", [(name, POSITIONS)])


@pytest.mark.parametrize("name, reason", [("positions.exe", "only .csv and .parquet exports are read"),
                                          ("positions.csv.zip", "only .csv and .parquet exports are read"),
                                          ("holdings.csv", "cannot tell which export this is")])
def test_uploaded_names_need_an_export_kind_and_extension(name, reason):
    with pytest.raises(ExportError, match=reason):
        read_uploads("production", [(name, POSITIONS)])


def test_parquet_exports_are_read_and_float_amounts_refused():
    frame = pd.read_csv(io.BytesIO(POSITIONS), dtype=str)
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), buffer)
    table, info = read_export("positions-2025-01-17.parquet", buffer.getvalue())
    assert info.kind == "positions" and table["price"].tolist()[1] == Decimal("182.4612")
    assert table["_row"].tolist() == [1, 2]

    frame["price"] = frame["price"].astype(float)
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), buffer)
    assert problems_of("positions.parquet", buffer.getvalue()) == [
        "positions.parquet: price: is stored as double (floating point), which cannot hold amounts exactly: export "
        "it as decimal or text"]


def test_a_file_that_is_not_parquet_is_refused():
    assert problems_of("positions.parquet", POSITIONS)[0].startswith("positions.parquet: cannot be read as Parquet")


def test_files_of_one_kind_are_joined_and_problems_of_all_files_reported_together(exports):
    files = synthetic.as_files(exports)
    positions = exports["positions"]
    halves = [("positions-1.csv", synthetic.csv_bytes(positions.iloc[:5])),
              ("positions-2.csv", synthetic.csv_bytes(positions.iloc[5:]))]
    read = read_exports("staging", "test", [f for f in files if f[0] != "positions.csv"] + halves)
    assert len(read.table("positions")) == len(positions)
    assert set(read.table("positions")["_file"]) == {"positions-1.csv", "positions-2.csv"}

    broken = [("totals.csv", b""), ("prices.csv", b"instrument_id,as_of,price\n")]
    with pytest.raises(ExportError) as caught:
        read_exports("staging", "test", broken)
    assert [p.file for p in caught.value.problems] == ["totals.csv", "prices.csv"]


def test_a_folder_is_read_and_files_that_are_not_exports_are_listed_as_ignored(exports, tmp_path):
    for name, data in synthetic.as_files(exports):
        (tmp_path / name).write_bytes(data)
    (tmp_path / "README.txt").write_text("notes")
    read = read_folder("staging", tmp_path)
    assert set(read.tables) == {"positions", "totals", "transactions", "prices", "valuations", "fx"}
    assert read.ignored == ["README.txt"]
    assert read.manifest()["files"][0]["sha256"]


def test_two_different_prices_for_one_instrument_and_day_are_refused_and_identical_ones_merged():
    prices = (b"instrument_id,as_of,price,currency\n"
              b"US0378331005,2025-01-17,187.25,USD\n"
              b"US0378331005,2025-01-17,187.2500,USD\n"
              b"US5949181045,2025-01-17,402.18,USD\n")
    read = read_exports("production", "test", [("prices.csv", prices)])
    assert len(read.table("prices")) == 2

    conflicting = prices + b"US5949181045,2025-01-17,401.00,USD\n"
    with pytest.raises(ExportError) as caught:
        read_exports("production", "test", [("prices.csv", conflicting)])
    assert [str(p) for p in caught.value.problems] == [
        "prices.csv:5: price: US5949181045 2025-01-17 already has price 402.18 (prices.csv row 4): give one price "
        "per instrument_id and as_of"]
