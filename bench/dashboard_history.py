"""Benchmark the leadership pages on a store with years of history, against the same pages with one assessment.

    python bench/dashboard_history.py                          # 20 platforms × 156 weekly reviews (3 years)
    python bench/dashboard_history.py --platforms 5 --weeks 52 # a quicker, smaller run
    python bench/dashboard_history.py --keep /tmp/history.db   # keep the store (and reuse it next time)

Both stores are filled first; each is then opened in a fresh process that runs the app through
Streamlit's AppTest and times every page twice: cold (the page's cached reads emptied, as on the first
visit after a write) and warm (a rerun). Figures: script seconds, and the SQL statements each page ran.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

PAGES = {"Overview": "pages/overview.py", "Checklist": "pages/checklist.py", "History": "pages/history.py",
         "Go/No-Go": "pages/decision.py"}
TARGET_RATIO = 2.0  # × the page's time with one assessment
TARGET_SECONDS = 1.0
RUNS = 3  # cold runs per page; the figure is their median


def build(path: Path, platforms: int, weeks: int, finals: bool) -> dict:
    from history_store import HistorySize, fill, template_platform

    from readiness.store import open_store

    started = time.perf_counter()
    engine = open_store(f"sqlite:///{path}")
    written = fill(engine, HistorySize(platforms=platforms, weeks=weeks), template_platform(),
                   today=dt.datetime.now(dt.UTC).date(), finals=finals)
    engine.dispose()
    return {"rows": written, "seconds": time.perf_counter() - started, "megabytes": path.stat().st_size / 2 ** 20}


def measure(url: str) -> dict:
    """In its own process: the app on `url`, each page timed cold and warm, with the SQL it ran."""
    import statistics

    import streamlit as st
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from streamlit.testing.v1 import AppTest

    os.environ.update(READINESS_DATABASE_URL=url, READINESS_DEMO_AUTOSTART="0")
    sql = {"statements": 0}

    @event.listens_for(Engine, "after_cursor_execute")
    def count(*_) -> None:
        sql["statements"] += 1

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()  # imports, the store opened: what a server does once
    if at.exception:
        raise SystemExit(f"the app failed: {at.exception}")
    figures = {}
    for name, page in PAGES.items():
        at.switch_page(page).run()  # once, so imports the page alone needs are not counted
        cold, statements = [], []
        for _ in range(RUNS):
            st.cache_data.clear()
            sql.update(statements=0)
            began = time.perf_counter()
            at.run()
            cold.append(time.perf_counter() - began)
            statements.append(sql["statements"])
            if at.exception:
                raise SystemExit(f"{name} failed: {at.exception}")
        began = time.perf_counter()
        at.run()
        figures[name] = {"cold": statistics.median(cold), "warm": time.perf_counter() - began,
                         "statements": statements[-1]}
    return figures


def run_child(url: str) -> dict:
    child = subprocess.run([sys.executable, __file__, "--measure", url], capture_output=True, text=True)
    if child.returncode != 0:
        raise SystemExit(f"measuring {url} failed:\n{child.stderr[-4000:]}")
    return json.loads(child.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--platforms", type=int, default=20)
    parser.add_argument("--weeks", type=int, default=156, help="weekly final assessments per environment")
    parser.add_argument("--keep", metavar="FILE", help="the history store's file: reused if it exists, else kept")
    parser.add_argument("--measure", metavar="URL", help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    with tempfile.TemporaryDirectory() as scratch:
        history = Path(args.keep) if args.keep else Path(scratch) / "history.db"
        built = None if history.exists() else build(history, args.platforms, args.weeks, finals=True)
        single = Path(scratch) / "single.db"
        build(single, 1, 1, finals=False)
        large = run_child(f"sqlite:///{history}")
        small = run_child(f"sqlite:///{single}")
    if built:
        rows = built["rows"]
        print(f"History store: {args.platforms} platforms × {args.weeks} weeks: {rows.get('assessment', 0):,} "
              f"assessments, {rows.get('answer', 0):,} answers, {rows.get('evidence_run', 0):,} evidence runs with "
              f"{rows.get('finding', 0):,} findings; {built['megabytes']:,.0f} MB (filled in {built['seconds']:.0f} s)")
    else:
        print(f"History store: {history} (kept from an earlier run)")
    print(f"{'Page':<10} {'one assessment':>16} {'with history':>14} {'ratio':>7} {'warm rerun':>11} "
          f"{'SQL statements':>16}")
    for name in PAGES:
        one, many = small[name], large[name]
        ratio = many["cold"] / one["cold"]
        verdict = "" if ratio <= TARGET_RATIO and many["cold"] < TARGET_SECONDS else "  MISSED"
        print(f"{name:<10} {one['cold']:>14.2f} s {many['cold']:>12.2f} s {ratio:>6.1f}× {many['warm']:>9.2f} s "
              f"{one['statements']:>7} → {many['statements']:<6}{verdict}")
    load = os.getloadavg()
    print(f"Targets: each page within {TARGET_RATIO:g}× its one-assessment time and under {TARGET_SECONDS:g} s "
          f"(cold: cached reads emptied; median of {RUNS}). Machine: {os.cpu_count()} cores, load average "
          f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f}.")


if __name__ == "__main__":
    main()
