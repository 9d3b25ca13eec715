"""Export the whole store to one JSON file and import it back, losslessly (backups, moving to PostgreSQL)."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from sqlalchemy import Date, DateTime, func, inspect, select, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import readiness.store.tables  # noqa: F401  (registers the tables)
from readiness.errors import InvalidInput
from readiness.store.tables import UTCDateTime

FORMAT = "readiness-store-export"
FORMAT_VERSION = 1


def _tables():
    return list(SQLModel.metadata.sorted_tables)  # parents before children


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _decoder(column):
    kind = column.type
    if isinstance(kind, (UTCDateTime, DateTime)):
        return lambda v: None if v is None else dt.datetime.fromisoformat(v)
    if isinstance(kind, Date):
        return lambda v: None if v is None else dt.date.fromisoformat(v)
    return lambda v: v


def export_store(engine: Engine) -> dict[str, Any]:
    out: dict[str, Any] = {"format": FORMAT, "format_version": FORMAT_VERSION,
                           "exported_at": dt.datetime.now(dt.UTC).isoformat(), "tables": {}}
    with engine.connect() as conn:
        for table in _tables():
            pk = list(table.primary_key.columns)
            rows = conn.execute(select(table).order_by(*pk)).mappings()
            out["tables"][table.name] = [{k: _encode(v) for k, v in row.items()} for row in rows]
    return out


def write_export(engine: Engine, path: Path) -> dict[str, int]:
    data = export_store(engine)
    tmp = path.with_name(path.name + ".partial")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
    tmp.replace(path)  # a failed export never leaves a half-written file under the real name
    return {name: len(rows) for name, rows in data["tables"].items()}


def import_store(engine: Engine, data: dict[str, Any]) -> dict[str, int]:
    """Load an export into an empty, migrated store, in one transaction."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InvalidInput("This file is not a Readiness store export.")
    if data.get("format_version") != FORMAT_VERSION:
        raise InvalidInput(f"Export format version {data.get('format_version')} is not supported.")
    tables = {t.name: t for t in _tables()}
    unknown = set(data.get("tables", {})) - set(tables)
    if unknown:
        raise InvalidInput(f"The export has tables this version does not know: {', '.join(sorted(unknown))}.")
    counts: dict[str, int] = {}
    with engine.begin() as conn:
        for table in tables.values():
            if conn.execute(select(func.count()).select_from(table)).scalar():
                raise InvalidInput(f"The target store is not empty (table {table.name} has rows); "
                                   "import into a new database.")
        for name, table in tables.items():
            rows = data["tables"].get(name, [])
            decoders = {c.name: _decoder(c) for c in table.columns}
            decoded = []
            for i, row in enumerate(rows):
                extra = set(row) - set(decoders)
                if extra:
                    raise InvalidInput(f"{name} row {i + 1} has unknown columns: {', '.join(sorted(extra))}.")
                decoded.append({k: decoders[k](v) for k, v in row.items()})
            if decoded:
                conn.execute(table.insert(), decoded)
            counts[name] = len(decoded)
        if conn.dialect.name == "postgresql":
            for name, table in tables.items():
                for column in table.primary_key.columns:
                    if column.autoincrement is True or (column.autoincrement == "auto" and
                                                        isinstance(column.type.python_type, type) and
                                                        column.type.python_type is int):
                        conn.execute(text(
                            f"SELECT setval(pg_get_serial_sequence('{name}', '{column.name}'), "
                            f"COALESCE((SELECT MAX({column.name}) FROM {name}), 0) + 1, false)"))
    return counts


def table_names(engine: Engine) -> list[str]:
    return inspect(engine).get_table_names()
