"""Read portfolio exports (CSV or Parquet, from a folder, an upload or S3) into checked, typed tables.

Every value is checked before any rule runs: a missing column, text in a number column, a bad
date or an empty file stops the validation with errors naming the file, row and column, so a
malformed export can never pass for a good one.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Iterable

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from readiness.dataflow.exact import decimal_type, plain, series
from readiness.dataflow.schema import (
    EXTENSIONS, KINDS, MAX_FRACTION_DIGITS, MAX_INTEGER_DIGITS, MAX_TEXT, SCHEMAS, Column, ExportError,
    ExportProblem, ExportSchema,
)

MAX_PROBLEMS_PER_COLUMN = 5
MAX_NAME = 200
NUMBER = rf"^[+-]?\d{{1,{MAX_INTEGER_DIGITS}}}(\.\d{{1,{MAX_FRACTION_DIGITS}}})?$"
LOOSE_NUMBER = r"^[+-]?\d+(\.\d+)?$"
DATE = r"^\d{4}-\d{2}-\d{2}$"
CURRENCY = r"^[A-Z]{3}$"
ROW, FILE = "_row", "_file"  # where each row came from, kept beside the data to name rows at fault
REFERENCE = {"prices": "price", "fx": "rate"}  # reference data, and the value each key must have once


@dataclass(frozen=True)
class ExportFile:
    """What was read from one file: enough to prove later which data a run judged."""

    name: str
    kind: str
    rows: int
    bytes: int
    sha256: str

    def manifest(self) -> dict[str, object]:
        return {"name": self.name, "kind": self.kind, "rows": self.rows, "bytes": self.bytes, "sha256": self.sha256}


@dataclass
class EnvironmentExports:
    """The exports of one environment, one table per kind, with the files they came from."""

    environment: str
    source: str  # s3://bucket/prefix/, a folder, or "upload"
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    files: list[ExportFile] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # files whose names are not an export kind
    unreadable: str | None = None  # why the exports could not be read at all (e.g. access denied)
    api_calls: int = 0

    def table(self, kind: str) -> pd.DataFrame | None:
        return self.tables.get(kind)

    def file_names(self, kind: str) -> str:
        names = [f.name for f in self.files if f.kind == kind]
        return ", ".join(names) if names else f"{kind} export"

    def manifest(self) -> dict[str, object]:
        return {"source": self.source, "files": [f.manifest() for f in self.files], "ignored": self.ignored}


def export_kind(name: str) -> str | None:
    """The kind a file name announces: positions.csv, totals-2025-01-17.parquet, FX.csv."""
    stem, _, extension = name.lower().rpartition(".")
    if "." + extension not in EXTENSIONS:
        return None
    for kind in KINDS:
        if stem == kind or (stem.startswith(kind) and stem[len(kind)] in "_-"):
            return kind
    return None


def checked_name(name: str) -> str:
    """A file name safe to show and to key by: a base name only, of an export kind, .csv or .parquet."""
    expected = ", ".join(f"{k}.csv" for k in KINDS)
    # Control and invisible characters too: a line break forges lines where the name is shown, a
    # right-to-left mark makes "x.exe.csv" read as another name.
    if (not name or len(name) > MAX_NAME or any(c in name for c in "/\\\0") or ".." in name or name.startswith(".")
            or not name.isprintable()):
        shown = "".join(c if c.isprintable() else "?" for c in name[:MAX_NAME])
        raise ExportError([ExportProblem(shown or "(no name)", None, None,
                                         "not accepted as a file name: give the file's own name, without folders")])
    if not name.lower().endswith(EXTENSIONS):
        raise ExportError([ExportProblem(name, None, None, "only .csv and .parquet exports are read")])
    if export_kind(name) is None:
        raise ExportError([ExportProblem(name, None, None, f"cannot tell which export this is: name it after its kind "
                                                           f"({expected}, or .parquet)")])
    return name


# ---- one file ------------------------------------------------------------------------------

def read_export(name: str, data: bytes) -> tuple[pd.DataFrame, ExportFile]:
    """Parse and check one export file; raises ExportError listing every problem found."""
    name = checked_name(name)
    kind = export_kind(name)
    assert kind is not None
    schema = SCHEMAS[kind]
    if name.lower().endswith(".parquet"):
        raw, first_row = _parquet_columns(name, data, schema), 1
    else:
        raw, first_row = _csv_columns(name, data, schema), 2
    table = _typed(name, raw, schema, first_row)
    if len(table) == 0 and not schema.may_be_empty:
        raise ExportError([ExportProblem(name, None, None, f"has a header but no rows: a {schema.title.lower()} "
                                                           "export needs at least one row")])
    return table, ExportFile(name=name, kind=kind, rows=len(table), bytes=len(data),
                             sha256=hashlib.sha256(data).hexdigest())


def _csv_columns(name: str, data: bytes, schema: ExportSchema) -> pa.Table:
    if not re.search(rb"\S", data):  # searched, not stripped: a large file is not copied
        raise ExportError([ExportProblem(name, None, None, f"is empty: expected a header line with the columns "
                                                           f"{', '.join(schema.required)}")])
    data = data.removeprefix(b"\xef\xbb\xbf")  # a byte-order mark, as spreadsheets write
    line_end = data.find(b"\n")
    first_line = data[:line_end if line_end >= 0 else len(data)].decode("utf-8", errors="replace").strip("\r")
    header = [h.strip() for h in next(csv.reader([first_line]))]
    _check_header(name, header, schema, row=1)
    wanted = [c.name for c in schema.columns if c.name in header]
    try:
        return pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(data)[:_content_end(data)]),  # a view: no copy of the file
            read_options=pacsv.ReadOptions(column_names=[h or f"_blank{i}" for i, h in enumerate(header)],
                                           skip_rows=1),
            parse_options=pacsv.ParseOptions(ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in wanted},
                                                 include_columns=wanted),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise ExportError(_csv_shape_problems(name, data, len(header)) or
                          [ExportProblem(name, None, None, f"cannot be read as CSV: {exc}")]) from None


def _content_end(data: bytes) -> int:
    """Where the file's last line ends (with its line break), so trailing blank lines are no rows."""
    end = len(data)
    while end and data[end - 1] in b"\r\n\t ":
        end -= 1
    return end + 1 if end < len(data) else end


def _csv_shape_problems(name: str, data: bytes, width: int) -> list[ExportProblem]:
    """Find the lines that broke the CSV parser (only on the error path, so reading stays fast)."""
    problems = []
    text = data.decode("utf-8", errors="replace")
    for line_number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if row and len(row) != width:
            problems.append(ExportProblem(name, line_number, None,
                                          f"has {len(row)} values, but the header names {width} columns"))
            if len(problems) >= MAX_PROBLEMS_PER_COLUMN:
                break
    if not problems:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(ExportProblem(name, None, None, f"is not UTF-8 text (byte {exc.start})"))
    return problems


def _parquet_columns(name: str, data: bytes, schema: ExportSchema) -> pa.Table:
    if not data:
        raise ExportError([ExportProblem(name, None, None, "is empty: expected a Parquet file")])
    try:
        table = pq.read_table(io.BytesIO(data))
    except (pa.ArrowException, OSError) as exc:
        raise ExportError([ExportProblem(name, None, None, f"cannot be read as Parquet: {exc}")]) from None
    _check_header(name, table.column_names, schema, row=None)
    problems, columns = [], {}
    for column in schema.columns:
        if column.name not in table.column_names:
            continue
        values = table.column(column.name)
        if pa.types.is_floating(values.type) and column.type == "decimal":
            problems.append(ExportProblem(name, None, column.name, f"is stored as {values.type} (floating point), "
                                          "which cannot hold amounts exactly: export it as decimal or text"))
            continue
        try:
            columns[column.name] = pc.cast(values, pa.string())
        except pa.ArrowNotImplementedError:
            problems.append(ExportProblem(name, None, column.name, f"has type {values.type}, expected {column.type}"))
    if problems:
        raise ExportError(problems)
    return pa.table(columns)


def _check_header(name: str, header: list[str], schema: ExportSchema, row: int | None) -> None:
    problems = []
    seen: set[str] = set()
    for column in header:
        if column in seen and column in {c.name for c in schema.columns}:
            problems.append(ExportProblem(name, row, column, "appears twice in the header"))
        seen.add(column)
    missing = [c for c in schema.required if c not in header]
    if missing:
        problems.append(ExportProblem(name, row, None,
                                      f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}: a "
                                      f"{schema.title.lower()} export needs {', '.join(schema.required)}"))
    if problems:
        raise ExportError(problems)


# ---- values --------------------------------------------------------------------------------

def _typed(name: str, raw: pa.Table, schema: ExportSchema, first_row: int) -> pd.DataFrame:
    problems: list[ExportProblem] = []
    index = pd.RangeIndex(raw.num_rows)
    out: dict[str, pd.Series] = {}
    for column in schema.columns:
        if column.name in raw.column_names:
            text = pc.utf8_trim_whitespace(pc.fill_null(raw.column(column.name), ""))
        else:
            text = pa.array([column.default or ""] * raw.num_rows, pa.string())
        converted, found = _convert(name, column, text, first_row)
        problems.extend(found)
        out[column.name] = series(converted, index) if converted is not None else None  # type: ignore[assignment]
    if problems:
        raise ExportError(problems)
    out[ROW] = pd.Series(pd.RangeIndex(first_row, first_row + raw.num_rows), index=index, dtype="int64")
    return pd.DataFrame(out)


def _real_dates(text: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Which values are real dates written YYYY-MM-DD (strptime would roll 2025-02-30 over to March)."""
    well_formed = pc.match_substring_regex(text, DATE)
    parsed = pc.strptime(pc.if_else(well_formed, text, "1970-01-01"), format="%Y-%m-%d", unit="s",
                         error_is_null=True)
    return pc.fill_null(pc.and_(well_formed, pc.equal(pc.strftime(parsed, format="%Y-%m-%d"), text)), False)


def _valid_everywhere(text, test) -> bool:
    """Dates and currencies repeat: testing each distinct value once is enough to pass a column."""
    return bool(pc.all(test(pc.unique(text))).as_py())


def _convert(name: str, column: Column, text: pa.ChunkedArray, first_row: int):
    empty = pc.equal(pc.binary_length(text), 0)
    problems = _report(name, column.name, text, empty, first_row, lambda v: "is empty")
    if column.type == "text":
        too_long = pc.greater(pc.utf8_length(text), MAX_TEXT)
        problems += _report(name, column.name, text, too_long, first_row,
                            lambda v: f"is longer than {MAX_TEXT} characters")
        return text, problems
    if column.type == "currency":
        currency = partial(pc.match_substring_regex, pattern=CURRENCY)
        if not _valid_everywhere(text, currency):
            problems += _report(name, column.name, text, pc.and_(pc.invert(empty), pc.invert(currency(text))),
                                first_row, lambda v: f"{v!r} is not an ISO currency code like USD")
        return text, problems
    if column.type == "date":
        if not problems and _valid_everywhere(text, _real_dates):
            return pc.cast(text, pa.date32()), problems
        problems += _report(name, column.name, text, pc.and_(pc.invert(empty), pc.invert(_real_dates(text))),
                            first_row, lambda v: f"{v!r} is not a date like 2025-01-17 (YYYY-MM-DD)")
        return None, problems
    # decimal
    number = pc.match_substring_regex(text, NUMBER)
    bad = pc.and_(pc.invert(empty), pc.invert(number))
    problems += _report(name, column.name, text, bad, first_row, _number_problem)
    if problems:
        return None, problems
    point = pc.find_substring(text, ".")
    fraction = pc.if_else(pc.less(point, 0), 0, pc.subtract(pc.subtract(pc.utf8_length(text), point), 1))
    scale = pc.max(fraction).as_py() or 0
    return pc.cast(text, decimal_type(MAX_INTEGER_DIGITS + scale, scale)), problems


def _number_problem(value: str) -> str:
    if re.match(LOOSE_NUMBER, value):
        return (f"{value!r} has too many digits: at most {MAX_INTEGER_DIGITS} before the point and "
                f"{MAX_FRACTION_DIGITS} after")
    return f"{value!r} is not a number (write a plain decimal like 1234.50, without separators)"


def _report(name, column, text, mask, first_row, describe) -> list[ExportProblem]:
    at_fault = pc.indices_nonzero(pc.fill_null(mask, False)).to_pylist()
    if not at_fault:
        return []
    shown = at_fault[:MAX_PROBLEMS_PER_COLUMN]
    problems = [ExportProblem(name, first_row + i, column, describe(text[i].as_py())) for i in shown]
    if len(at_fault) > len(shown):
        problems.append(ExportProblem(name, None, column, f"and {len(at_fault) - len(shown):,} more rows like these"))
    return problems


# ---- several files ---------------------------------------------------------------------------

def read_exports(environment: str, source: str, files: Iterable[tuple[str, bytes]]) -> EnvironmentExports:
    """Read every file of one environment; files of one kind are joined; all problems are listed."""
    exports = EnvironmentExports(environment=environment, source=source)
    parts: dict[str, list[pd.DataFrame]] = {}
    problems: list[ExportProblem] = []
    for name, data in files:
        try:
            table, info = read_export(name, data)
        except ExportError as exc:
            problems.extend(exc.problems)
            continue
        table[FILE] = name
        parts.setdefault(info.kind, []).append(table)
        exports.files.append(info)
        # Parsing a file leaves freed buffers in Arrow's pool; hand them back before the next one.
        pa.default_memory_pool().release_unused()
    if problems:
        raise ExportError(problems)
    for kind, tables in parts.items():
        exports.tables[kind] = _joined(tables)
        if kind in REFERENCE:
            exports.tables[kind] = _one_value_per_key(kind, exports.tables[kind])
    return exports


def _one_value_per_key(kind: str, table: pd.DataFrame) -> pd.DataFrame:
    """Reference data (prices, FX rates) must name one value per key: a second, different one is refused."""
    schema = SCHEMAS[kind]
    key, value = list(schema.key), REFERENCE[kind]
    repeated = table[table.duplicated(key, keep=False).to_numpy()]
    if not len(repeated):
        return table
    problems = []
    for _, group in repeated.groupby(key, observed=True, sort=False):
        if group[value].nunique() > 1:
            first, *others = group.to_dict("records")
            for other in others[:MAX_PROBLEMS_PER_COLUMN]:
                named = " ".join(str(other[k]) for k in key)
                problems.append(ExportProblem(str(other[FILE]), int(other[ROW]), value,
                                              f"{named} already has {value} {plain(first[value])} ({first[FILE]} row "
                                              f"{first[ROW]}): give one {value} per {' and '.join(key)}"))
        if len(problems) >= MAX_PROBLEMS_PER_COLUMN:
            break
    if problems:
        raise ExportError(problems)
    return table.drop_duplicates(key, keep="first").reset_index(drop=True)  # repeated identically: harmless


def _joined(tables: list[pd.DataFrame]) -> pd.DataFrame:
    if len(tables) > 1:  # decimals of different scales must share one type before they are stacked
        for column in tables[0].columns:
            kinds = [t[column].dtype for t in tables]
            if all(isinstance(k, pd.ArrowDtype) and pa.types.is_decimal(k.pyarrow_dtype) for k in kinds):
                scale = max(k.pyarrow_dtype.scale for k in kinds)
                common = pd.ArrowDtype(decimal_type(MAX_INTEGER_DIGITS + scale, scale))
                for t in tables:
                    t[column] = t[column].astype(common)
    joined = pd.concat(tables, ignore_index=True)
    joined[FILE] = joined[FILE].astype("category")
    return joined


def read_folder(environment: str, folder: Path | str) -> EnvironmentExports:
    """The exports in one folder (not its subfolders); files that are not exports are listed as ignored."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ExportError([ExportProblem(str(folder), None, None, "is not a folder")])
    chosen, ignored = [], []
    for path in sorted(folder.iterdir()):
        if path.is_file() and export_kind(path.name):
            chosen.append(path)
        elif path.is_file():
            ignored.append(path.name)
    exports = read_exports(environment, str(folder), ((p.name, p.read_bytes()) for p in chosen))
    exports.ignored = ignored
    return exports


def read_uploads(environment: str, uploads: Iterable[tuple[str, bytes]]) -> EnvironmentExports:
    """Files uploaded in the app: only their base names count, and each must name an export kind."""
    return read_exports(environment, "upload", list(uploads))
