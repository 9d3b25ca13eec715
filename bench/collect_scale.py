"""Benchmark evidence collection of a large estate from a simulated AWS with a real round trip; print the figures.

    python bench/collect_scale.py                    # 2 environments of the default size, 25 ms a call, 8 workers
    python bench/collect_scale.py --scale 0.25       # a quicker run on a quarter of the estate
    python bench/collect_scale.py --latency-ms 50 --workers 16
    python bench/collect_scale.py --throttle 0.3     # AWS answers 30% of the calls with ThrottlingException
    python bench/collect_scale.py --rate default=20 --rate ssm=10   # the client-side limit, calls a second

moto's server runs in a process of its own and is seeded first; each collection then runs in a fresh
process (so its peak memory is its own), with every request delayed by the latency on the client side.
Figures: wall time, processor time (the figure to compare on a busy machine), API calls against the
least the estate needs (pages and batches counted from its size), wall time against its floor, the
speed-up over the same code on one thread, and peak memory.
"""
from __future__ import annotations

import argparse
import json
import os
import platform as host
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from minimum_calls import minimum_calls  # noqa: E402
from scale_estate import EstateSize, counts, environments, seed  # noqa: E402
from simulated_aws import SimulatedAws  # noqa: E402

TARGET_CALLS = 1.1  # × the minimum
TARGET_WALL = 1.5  # × the floor
TARGET_MEMORY_MB = 400


def measure(endpoint_url: str, envs: int, workers: int, latency_ms: float, rates: dict[str, str],
            throttle: float) -> dict:
    """In its own process: one full collection, timed; the figures as a dict."""
    import resource
    import threading
    from collections import Counter

    started = time.perf_counter()
    from bench_hooks import latency_hook, throttling_hook

    from readiness.assessment import checklist_for
    from readiness.evidence import runner
    from readiness.evidence.collecting import all_collectors
    from readiness.evidence.registry import all_checks
    from scale_estate import platform_of

    platform = platform_of(environments(envs), endpoint_url, rates=rates or None)
    checklist = checklist_for(platform)
    operations: Counter[str] = Counter()
    lock = threading.Lock()
    hooks = [latency_hook(latency_ms / 1000, operations, lock)]
    if throttle:
        hooks.append(throttling_hook(throttle))
    seconds: dict[str, list[float]] = {}
    judged: dict[str, float] = {}
    last = [0.0]
    begun: dict[tuple[str, str], float] = {}

    def progress(event) -> None:
        if event.stage == "collect":
            key = (event.environment, event.collector)
            if event.state == "started":
                begun[key] = time.perf_counter()
            else:
                began = begun.get(key, started)
                seconds[f"{event.environment}/{event.collector}"] = [began - imported, time.perf_counter() - began]
        elif event.stage == "check":  # reported as each check is judged, on this thread: the gap is its time
            now = time.perf_counter()
            judged[event.check] = judged.get(event.check, 0.0) + now - max(collected.get("at", now), last[0])
            last[0] = now

    def cpu() -> float:
        return sum(resource.getrusage(resource.RUSAGE_SELF)[:2])

    collected: dict[str, float] = {}
    reading = runner.collect

    def timed_collect(*args, **kwargs):  # the reading apart from the judging that follows it
        records = reading(*args, **kwargs)
        collected.update(at=time.perf_counter(), cpu=cpu())
        return records

    runner.collect = timed_collect
    # What every run of a process pays once, before its first collection: not the collection's own cost.
    all_checks(), all_collectors()
    imported = time.perf_counter()
    cpu_before = cpu()
    run = runner.run_evidence(platform, checklist, max_workers=workers, hooks=hooks, progress=progress)
    finished = time.perf_counter()
    return {
        "import_seconds": imported - started,
        "wall_seconds": collected["at"] - imported,
        "cpu_seconds": collected["cpu"] - cpu_before,
        "judge_seconds": finished - collected["at"],
        "judge_cpu_seconds": cpu() - collected["cpu"],
        "collected": [[r.environment, r.collector] for r in run.inventories],
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "api_calls": run.api_calls,
        "inventories": len(run.inventories),
        "unknown": {f"{r.environment}/{r.collector}": r.reason for r in run.inventories if r.status != "ok"},
        "calls_by_collector": {f"{r.environment}/{r.collector}": r.api_calls for r in run.inventories},
        "seconds_by_collector": seconds,
        "operations": dict(operations),
        "findings": len(run.findings),
        "checks": run.checks,
        "seconds_by_check": judged,
    }


def run_child(aws: SimulatedAws, args: argparse.Namespace, workers: int, throttle: float = 0.0) -> dict:
    """One collection in a fresh process, with the simulated AWS's processor time over it."""
    server_before = aws.cpu_seconds()
    command = [sys.executable, __file__, "--measure", aws.endpoint_url, "--envs", str(args.envs),
               "--workers", str(workers), "--latency-ms", str(args.latency_ms), "--throttle", str(throttle)]
    for rate in args.rate:
        command += ["--rate", rate]
    child = subprocess.run(command, capture_output=True, text=True, env=_fake_credentials())
    if child.returncode != 0:
        raise SystemExit(f"the collection failed:\n{child.stderr[-4000:]}")
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    figures["server_cpu_seconds"] = aws.cpu_seconds() - server_before
    return figures


def _fake_credentials() -> dict[str, str]:
    """The simulation's credentials and nothing of the person running the benchmark: no profile, no real key."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1",
               AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    return env


def report(args: argparse.Namespace, size: EstateSize, seeded: float, fast: dict, serial: dict | None,
           throttled: dict | None) -> None:
    envs = environments(args.envs)
    least = minimum_calls(size, [tuple(pair) for pair in fast["collected"]])
    floor_latency = least.total * args.latency_ms / 1000 / args.workers
    # What the simulated AWS needs to serve the minimum calls one after another: its processor time per call.
    floor_server = fast["server_cpu_seconds"] * least.total / max(1, fast["api_calls"])
    floor = max(floor_latency, floor_server)
    rows = [
        ("Estate", ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in counts(envs, size).items())
         + f" over {len(envs)} environments (seeded in {seeded:.0f} s)"),
        ("Round trip added per call", f"{args.latency_ms:g} ms; {args.workers} workers"),
        ("Collection wall time", f"{fast['wall_seconds']:.1f} s (floor {floor:.1f} s: the larger of "
                      f"{least.total:,} calls × {args.latency_ms:g} ms ÷ {args.workers} = {floor_latency:.1f} s "
                      f"and the simulated AWS serving them one after another, {floor_server:.1f} s)"),
        ("Wall time ÷ floor", _versus(fast["wall_seconds"] / floor, TARGET_WALL)),
        ("Processor time", f"collector {fast['cpu_seconds']:.1f} s, simulated AWS {fast['server_cpu_seconds']:.1f} s"),
        ("Checks after it", f"{fast['judge_seconds']:.1f} s wall, {fast['judge_cpu_seconds']:.1f} s processor "
                            f"({fast['checks']} checks, {fast['findings']:,} findings)"),
        ("API calls", f"{fast['api_calls']:,} against a minimum of {least.total:,}"),
        ("API calls ÷ minimum", _versus(fast["api_calls"] / least.total, TARGET_CALLS)),
        ("Peak memory", f"{fast['peak_rss_mb']:,.0f} MB (target under {TARGET_MEMORY_MB} MB)"
                        + ("" if fast["peak_rss_mb"] < TARGET_MEMORY_MB else "  MISSED")),
        ("Inventories", f"{fast['inventories']} read, {len(fast['unknown'])} unknown"),
    ]
    if serial:
        rows.append(("One worker", f"{serial['wall_seconds']:.1f} s wall, {serial['cpu_seconds']:.1f} s processor: "
                                   f"speed-up {serial['wall_seconds'] / fast['wall_seconds']:.1f}×"))
    if throttled:
        extra = throttled["api_calls"] - fast["api_calls"]
        bound = fast["api_calls"] * args.throttle * 5
        rows.append((f"Throttled ({args.throttle:.0%} of attempts)",
                     f"{throttled['wall_seconds']:.1f} s wall; {throttled['api_calls']:,} attempts "
                     f"({extra:+,}; bound {bound:,.0f}); {len(throttled['unknown'])} inventories unknown"))
    load = os.getloadavg()
    rows.append(("Machine", f"{os.cpu_count()} cores, {_memory_gib():.0f} GiB, {host.python_implementation()} "
                            f"{host.python_version()}; load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"))
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    if args.details:
        print("\nCalls by collector (both environments): made / minimum; per environment, when it started and "
              "how long it took (s)")
        made: dict[str, int] = {}
        spans: dict[str, list[str]] = {}
        for key, calls in fast["calls_by_collector"].items():
            env, name = key.split("/", 1)
            made[name] = made.get(name, 0) + calls
            began, took = fast["seconds_by_collector"].get(key, (0.0, 0.0))
            spans.setdefault(name, []).append(f"{env} {began:5.1f} +{took:5.1f}")
        longest = {name: max(float(span.rsplit("+", 1)[1]) for span in spans[name]) for name in spans}
        for name in sorted(made, key=lambda n: -longest[n]):
            print(f"  {name:<24} {made[name]:>6,} / {least.by_collector.get(name, 0):>6,}   {'   '.join(spans[name])}")
        print("\nThe slowest checks (s, both environments)")
        for check, took in sorted(fast["seconds_by_check"].items(), key=lambda item: -item[1])[:5]:
            print(f"  {check:<58} {took:6.2f}")
        print("\nCalls by operation")
        for operation, calls in sorted(fast["operations"].items(), key=lambda item: -item[1]):
            print(f"  {operation:<58} {calls:>6,}")
    for name, figures in (("", fast), (" when throttled", throttled or {})):
        if figures.get("unknown"):
            print(f"\nUnknown inventories{name}:")
            for key, reason in figures["unknown"].items():
                print(f"  {key}: {reason}")


def _versus(ratio: float, target: float) -> str:
    return f"{ratio:.2f} (target {target:g}){'' if ratio <= target else '  MISSED'}"


def _memory_gib() -> float:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--envs", type=int, default=2, help="environments, each in its own account (at least 2)")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every resource count by this")
    parser.add_argument("--latency-ms", type=float, default=25.0, help="added to every request, client side")
    parser.add_argument("--workers", type=int, default=8, help="collection threads")
    parser.add_argument("--rate", action="append", default=[], metavar="SERVICE=N",
                        help="client-side limit in calls a second, per service (or default=N); repeatable")
    parser.add_argument("--throttle", type=float, default=0.0,
                        help="also run with this share of attempts answered with ThrottlingException")
    parser.add_argument("--skip-serial", action="store_true", help="skip the one-worker run (the slow one)")
    parser.add_argument("--details", action="store_true", help="print calls and time per collector and operation")
    parser.add_argument("--measure", metavar="URL", help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    rates = dict(rate.split("=", 1) for rate in args.rate)
    if args.measure:
        print(json.dumps(measure(args.measure, args.envs, args.workers, args.latency_ms, rates, args.throttle)))
        return
    if args.envs < 2:
        parser.error("--envs must be at least 2 (the estate compares staging with production)")
    size = EstateSize.scaled(args.scale)
    with tempfile.TemporaryDirectory() as scratch:
        aws = SimulatedAws(Path(scratch) / "moto.log")
        try:
            seeded = seed(aws.endpoint_url, environments(args.envs), size)
            fast = run_child(aws, args, args.workers)
            throttled = run_child(aws, args, args.workers, throttle=args.throttle) if args.throttle else None
            serial = None if args.skip_serial else run_child(aws, args, 1)
        finally:
            aws.stop()
    report(args, size, seeded, fast, serial, throttled)


if __name__ == "__main__":
    main()
