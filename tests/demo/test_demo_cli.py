"""The demo from the command line: `demo serve` runs the simulation; `collect --demo` starts its own."""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from readiness.cli import main
from readiness.commands.demo import REAL_CREDENTIAL_SETTINGS
from readiness.demo import DEMO_PLATFORM_FILE
from readiness.demo.accounts import admin_clients, isolated_session
from readiness.platform import REPO_ROOT

STARTUP_SECONDS = 180  # a fresh interpreter imports the simulation and seeds it; generous for a busy machine


def serve(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "readiness", "demo", "serve", *args], cwd=REPO_ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=dict(os.environ))


def read_until(process: subprocess.Popen, marker: str) -> str:
    seen, deadline = [], time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        seen.append(line)
        if marker in line:
            return "".join(seen)
    process.kill()
    pytest.fail(f"no {marker!r} from demo serve; it said:\n{''.join(seen)}")


def test_demo_serve_runs_the_seeded_simulation_until_stopped_and_says_how_to_collect() -> None:
    process = serve()
    try:
        banner = read_until(process, "Press Ctrl+C")
        endpoint = re.search(r"running at (http://127\.0\.0\.1:\d+)", banner).group(1)
        assert f"--endpoint-url {endpoint}" in banner and "--demo" in banner
        production = admin_clients(isolated_session("us-east-1"), endpoint, "222222222222", "us-east-1")
        assert production("ssm").get_parameter(Name="/northwind/production/db/portfolio/pool-size")
        process.send_signal(signal.SIGINT)
        rest, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
    assert "stopped" in rest


def test_demo_serve_refuses_a_taken_port_with_the_reason() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        process = serve("--port", str(port))
        output, _ = process.communicate(timeout=STARTUP_SECONDS)
    assert process.returncode == 2
    assert f"127.0.0.1:{port}" in output and "Traceback" not in output


@pytest.fixture
def restore_credential_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """`collect --demo` swaps this process's AWS settings for fake ones: put them back afterwards."""
    for name in (*REAL_CREDENTIAL_SETTINGS, "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        if name in os.environ:
            monkeypatch.setenv(name, os.environ[name])
        else:
            monkeypatch.delenv(name, raising=False)


def test_collect_demo_starts_the_simulation_and_reports_its_gaps(estate, restore_credential_settings,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["collect", "--platform", str(DEMO_PLATFORM_FILE), "--demo", "--no-store", "--json",
                 "--check", "environment.ssm_parity", "--check", "deployment.circuit_breaker"])
    out = capsys.readouterr()
    assert code == 0, out.err
    reported = {(f["check"], f["environment"], f["resource"], f["status"]) for f in json.loads(out.out)["findings"]}
    expected = {(g.check, g.environment, g.resource, g.status.value) for g in estate.gaps
                if g.check in ("environment.ssm_parity", "deployment.circuit_breaker")}
    assert expected and expected <= reported
    assert "Simulated AWS running at" in out.err


def test_collect_demo_refuses_a_platform_that_is_not_a_demo(tmp_path: Path, restore_credential_settings,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    real = tmp_path / "real.yaml"
    text = DEMO_PLATFORM_FILE.read_text().replace("demo: true", "demo: false")
    real.write_text(text.replace("checklist: data/", f"checklist: {REPO_ROOT}/data/"))
    assert main(["collect", "--platform", str(real), "--demo", "--no-store"]) == 2
    assert "not one" in capsys.readouterr().err


def test_collect_demo_refuses_an_endpoint_as_well(restore_credential_settings,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["collect", "--platform", str(DEMO_PLATFORM_FILE), "--demo", "--no-store",
                 "--endpoint-url", "http://127.0.0.1:1"])
    assert code == 2
    assert "not both" in capsys.readouterr().err
