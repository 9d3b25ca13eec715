"""Benchmark the portfolio data-accuracy validation on a million position rows and print the figures.

    python bench/data_accuracy.py                       # 10,000 portfolios × 50 holdings × 2 days
    python bench/data_accuracy.py --portfolios 1000     # a quicker, smaller run
    python bench/data_accuracy.py --keep /tmp/exports   # keep the generated CSV files

The exports are generated first (staging, and production with 0.1% of today's market values
broken so the at-fault path is measured too); the validation then runs in a fresh process, so
its peak memory is its own and not the generator's.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PLATFORM = ROOT / "data" / "platforms" / "demo.yaml"


def generate(folder: Path, portfolios: int, holdings: int) -> dict[str, object]:
    import numpy as np

    from readiness.dataflow import synthetic

    started = time.perf_counter()
    exports = synthetic.bulk(portfolios=portfolios, holdings=holdings)
    rows = {kind: len(frame) for kind, frame in exports.items()}
    sizes = {}
    for environment in ("staging", "production"):
        if environment == "production":
            positions = exports["positions"]
            today = np.flatnonzero(positions["as_of"].to_numpy() == positions["as_of"].max())
            broken = today[:: 1000]  # one market value in a thousand is off by 1.00
            positions.loc[broken, "market_value"] = [f"{float(v) + 1:.2f}"
                                                     for v in positions.loc[broken, "market_value"]]
        out = folder / environment
        out.mkdir(parents=True, exist_ok=True)
        for name, data in synthetic.as_files(exports):
            (out / name).write_bytes(data)
        sizes[environment] = sum(p.stat().st_size for p in out.iterdir())
    return {"rows": rows, "bytes": sizes, "generate_seconds": round(time.perf_counter() - started, 1)}


def measure(folder: Path) -> dict[str, object]:
    """Run in its own process: read both environments, run every check, and time each step."""
    started = time.perf_counter()
    from readiness.dataflow.validate import gather_exports, validate_exports
    from readiness.platform import load_platform

    platform = load_platform(PLATFORM)
    imported = time.perf_counter()
    cpu_at_import = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
    reads = {}
    inputs = {}
    for environment in ("staging", "production"):
        begin = time.perf_counter()
        inputs.update(gather_exports(platform, [environment], folder=folder))
        reads[environment] = round(time.perf_counter() - begin, 2)
    steps: list[tuple[float, str]] = []
    begin = time.perf_counter()
    run = validate_exports(platform, inputs, progress=lambda _, message: steps.append((time.perf_counter(), message)))
    finished = time.perf_counter()
    timings = [(message, round(steps[i + 1][0] - at, 2)) for i, (at, message) in enumerate(steps[:-1])]
    return {
        "import_seconds": round(imported - started, 2),
        "read_seconds": reads,
        "checks_seconds": round(finished - begin, 2),
        "total_seconds": round(finished - imported, 2),
        "steps": timings,
        "findings": len(run.findings),
        "failing_findings": sum(f.status.value == "fail" for f in run.findings),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        # processor time is the figure to compare between runs while other work shares the processors
        "cpu_seconds": round(sum(resource.getrusage(resource.RUSAGE_SELF)[:2]) - cpu_at_import, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--portfolios", type=int, default=10_000)
    parser.add_argument("--holdings", type=int, default=50)
    parser.add_argument("--keep", metavar="DIR", help="write the exports here and keep them")
    parser.add_argument("--measure", metavar="DIR", help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(Path(args.measure))))
        return
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(args.keep or scratch)
        made = generate(folder, args.portfolios, args.holdings)
        child = subprocess.run([sys.executable, __file__, "--measure", str(folder)], capture_output=True,
                               text=True, check=True)
        figures = json.loads(child.stdout.strip().splitlines()[-1])
    rows = made["rows"]
    print(f"Exports per environment: {rows['positions']:,} position rows (two as-of dates), "
          f"{rows['valuations']:,} valuation rows, {rows['transactions']:,} transactions, "
          f"{rows['totals']:,} totals, {rows['prices']:,} prices; "
          f"{made['bytes']['production'] / 1e6:,.0f} MB of CSV (generated in {made['generate_seconds']} s)")
    print(f"Read and type-check: staging {figures['read_seconds']['staging']} s, "
          f"production {figures['read_seconds']['production']} s")
    for message, seconds in figures["steps"]:
        print(f"  {seconds:6.2f} s  {message}")
    one = figures["read_seconds"]["staging"] + sum(t for m, t in figures["steps"] if m.endswith("(staging)"))
    print(f"One environment, read and every rule: {one:.1f} s")
    print(f"All checks, both environments and the comparison: {figures['checks_seconds']} s")
    print(f"Total after imports ({figures['import_seconds']} s): {figures['total_seconds']} s elapsed, "
          f"{figures.get('cpu_seconds', '?')} s of processor time; peak memory {figures['peak_rss_mb']:,} MB; "
          f"{figures['findings']:,} findings ({figures['failing_findings']:,} failing)")


if __name__ == "__main__":
    main()
