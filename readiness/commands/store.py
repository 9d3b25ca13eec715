"""`export`, `import` and `audit verify`: back up, move and check the store."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from readiness.commands import add_db_option
from readiness.errors import InvalidInput
from readiness.store import open_store, session_scope
from readiness.store.audit import verify_chain
from readiness.store.transfer import import_store, write_export

MAX_IMPORT_BYTES = 512 * 1024 * 1024


def register(sub: argparse._SubParsersAction) -> None:
    export = sub.add_parser("export", help="write the whole store to a JSON file")
    export.add_argument("-o", "--output", required=True, type=Path, metavar="FILE.json")
    add_db_option(export)
    export.set_defaults(handler=run_export)

    imp = sub.add_parser("import", help="load a JSON export into an empty store")
    imp.add_argument("file", type=Path, metavar="FILE.json")
    add_db_option(imp)
    imp.set_defaults(handler=run_import)

    audit = sub.add_parser("audit", help="check the audit trail")
    inner = audit.add_subparsers(dest="audit_command", required=True)
    verify = inner.add_parser("verify", help="verify the hash chain (exit 0 intact, 1 tampered)")
    add_db_option(verify)
    verify.set_defaults(handler=run_verify)


def run_export(args: argparse.Namespace) -> int:
    counts = write_export(open_store(args.db), args.output)
    print(f"Exported {sum(counts.values())} rows from {len(counts)} tables to {args.output}.")
    return 0


def run_import(args: argparse.Namespace) -> int:
    try:
        if args.file.stat().st_size > MAX_IMPORT_BYTES:
            raise InvalidInput(f"{args.file} is larger than {MAX_IMPORT_BYTES // 2**20} MiB.")
        data = json.loads(args.file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidInput(f"{args.file}: file not found") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{args.file}: not a JSON export ({exc})") from None
    counts = import_store(open_store(args.db), data)
    print(f"Imported {sum(counts.values())} rows into {len(counts)} tables.")
    return 0


def run_verify(args: argparse.Namespace) -> int:
    with session_scope(open_store(args.db)) as session:
        report = verify_chain(session)
    if report.intact:
        print(f"Audit trail intact: {report.events} events.")
        return 0
    print(f"Audit trail TAMPERED at event {report.first_bad_id}: {report.reason}.")
    return 1
