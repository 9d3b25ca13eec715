"""The real app in a real browser: start an assessment, answer a control, watch the score move."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
TIMEOUT_MS = 30_000


def _browser_or_skip():
    """Playwright's sync API, or a skip naming what is missing (a failure when CI=true)."""
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing.append("the Python package playwright (pip install -r requirements-dev.txt)")
        sync_playwright = None
    if missing:
        reason = "browser test needs " + " and ".join(missing)
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return sync_playwright


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    """`streamlit run app.py` on a free port and a fresh store; its address once it answers."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(READINESS_DATABASE_URL=f"sqlite:///{tmp_path / 'readiness.db'}", AWS_ACCESS_KEY_ID="testing",
               AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
    log = (tmp_path / "streamlit.log").open("w")  # a file, not a pipe nobody reads
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
                    if response.read() == b"ok":
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not come up:\n{(tmp_path / 'streamlit.log').read_text()}")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _overall_score(page) -> str:
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="Overall score")
    return metric.locator('[data-testid="stMetricValue"]').inner_text().strip()


def test_answering_a_control_moves_the_score_on_the_overview(server):
    sync_playwright = _browser_or_skip()
    SCREENSHOTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(server)

        sidebar = page.get_by_test_id("stSidebar")
        sidebar.get_by_label("Title").fill("Production go-live")
        sidebar.get_by_role("button", name="Start", exact=True).click()
        page.get_by_test_id("stToast").filter(has_text="Started").wait_for()
        page.get_by_test_id("stPlotlyChart").wait_for()
        before = _overall_score(page)
        assert before == "0.0"

        sidebar.get_by_role("link", name="Checklist").click()
        page.get_by_role("tab", name="Environment consistency").click()
        card = page.locator(".st-key-checklist_card_ENV-01")
        card.get_by_text("Met", exact=True).click()
        card.get_by_role("button", name="Save").click()
        page.get_by_test_id("stToast").filter(has_text="ENV-01 saved: met").wait_for()
        page.screenshot(path=str(SCREENSHOTS / "checklist.png"))

        sidebar.get_by_role("link", name="Overview").click()
        page.get_by_test_id("stPlotlyChart").wait_for()
        page.wait_for_function(
            """before => [...document.querySelectorAll('[data-testid="stMetric"]')].some(m =>
                 m.innerText.includes('Overall score')
                 && m.querySelector('[data-testid="stMetricValue"]').innerText.trim() !== before)""", arg=before)
        after = _overall_score(page)
        page.set_viewport_size({"width": 1440, "height": 1500})  # the app scrolls inside its own pane
        page.get_by_test_id("stDataFrame").wait_for()
        page.screenshot(path=str(SCREENSHOTS / "overview.png"))
        browser.close()

    assert re.fullmatch(r"\d+\.\d", after) and float(after) > float(before)
