"""`checklist validate`: check a checklist file and summarise it."""
from __future__ import annotations

import argparse
import json
import sys

from readiness.checklist import load_checklist, pending_checks
from readiness.evidence.registry import all_checks
from readiness.platform import REPO_ROOT
from readiness.yamlsource import ConfigError

DEFAULT_CHECKLIST = REPO_ROOT / "data" / "checklists" / "fintech-portfolio.yaml"


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("checklist", help="work with checklist files")
    inner = parser.add_subparsers(dest="checklist_command", required=True)
    validate = inner.add_parser("validate", help="validate a checklist (exit 0 valid, 2 invalid)")
    validate.add_argument("file", nargs="?", default=str(DEFAULT_CHECKLIST), help="checklist YAML")
    validate.add_argument("--json", action="store_true", help="print the parsed summary as JSON")
    validate.set_defaults(handler=run_validate)


def run_validate(args: argparse.Namespace) -> int:
    try:
        checklist = load_checklist(args.file)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        if args.json:
            print(json.dumps({"valid": False, "problems": [str(p) for p in exc.problems]}, indent=2))
        return 2
    pending = pending_checks(checklist, set(all_checks()))
    if args.json:
        print(json.dumps({
            "valid": True, "file": args.file, "id": checklist.id, "version": checklist.version,
            "digest": checklist.digest,
            "areas": [{"id": a.id, "title": a.title, "weight": str(a.weight),
                       "controls": [{"id": c.id, "title": c.title, "weight": str(c.weight), "blocker": c.blocker,
                                     "automated": c.automated, "checks": c.checks} for c in a.controls]}
                      for a in checklist.areas],
            "pending_checks": pending,
        }, indent=2))
        return 0
    controls = checklist.controls()
    print(f"{args.file}: valid. {len(checklist.areas)} areas, {len(controls)} controls, "
          f"{sum(c.blocker for c in controls)} blockers, digest {checklist.digest[:12]}.")
    for area in checklist.areas:
        print(f"  {area.id:<13} weight {area.weight:<4} {len(area.controls)} controls")
    if pending:
        print(f"{len(pending)} check id(s) named but not implemented yet (pending):")
        for check, control_ids in sorted(pending.items()):
            print(f"  {check}  (used by {', '.join(control_ids)})")
    return 0
