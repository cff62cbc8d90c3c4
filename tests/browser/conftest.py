"""The browser tests' world: a temp store filled by real analysis (the Kursk example and a
fixture article) plus hand-built reports, ``reportedly serve`` on a free 127.0.0.1 port as a
subprocess, and Debian's headless Chromium driven by Playwright.

Every browser test skips, with a message, when /usr/bin/chromium (or ``REPORTEDLY_CHROMIUM``)
or the playwright package is missing: ``bash scripts/setup-browser.sh`` installs both.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from .reports import add_corroboration, border_report, echo_report, xss_report

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
CHROMIUM = os.environ.get("REPORTEDLY_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
SERVER_START_SECONDS = 120


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path

    def get(self, path: str, **kwargs) -> httpx.Response:
        return httpx.get(self.url + path, timeout=30, **kwargs)


@contextmanager
def serve(db: Path, *args: str, env: dict | None = None, log_name: str = "server") -> Iterator[Server]:
    """``reportedly serve`` as a subprocess; waits until it answers, stops it afterwards."""
    port = free_port()
    log = db.parent / f"{log_name}.log"
    command = [sys.executable, "-m", "reportedly", "serve", "--db", str(db), "--port", str(port), *args]
    with open(log, "wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env or os.environ.copy())
    server = Server(f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + SERVER_START_SECONDS
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited ({process.returncode}): {log.read_text()}")
            try:
                httpx.get(server.url + "/static/favicon.svg", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"server did not start: {log.read_text()}") from None
                time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def web_db(tmp_path_factory, kursk_report, pipeline) -> Path:
    """A store with the Kursk example and a fixture article analysed for real, plus the
    hand-built reports (one corroboration cluster between two of them)."""
    from reportedly.records import Article
    from reportedly.store import Store

    from .reports import UPLOAD_TEXT

    db = tmp_path_factory.mktemp("web") / "web.db"
    analysed = pipeline.analyze(Article(text=UPLOAD_TEXT.replace("Tuesday", "Wednesday"), title="Fixture: Kharkiv and Sumy",
                                        outlet="fixture.example", published="2024-11-06", id="fixture-kharkiv"))
    with Store.open(db) as store:
        store.add_reports([kursk_report, analysed, border_report(), echo_report(), xss_report()])
        add_corroboration(store, [(border_report().document.id, "e1"), (echo_report().document.id, "e1")])
    return db


@pytest.fixture(scope="session")
def server(web_db) -> Iterator[Server]:
    with serve(web_db, "--writable") as running:
        yield running


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: run `bash scripts/setup-browser.sh` (as root) to run the browser tests")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is missing: `.venv/bin/pip install playwright` (never `playwright install`)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(chromium, request):
    """A fresh page (1440x900) that records script errors; a screenshot helper is attached."""
    context = chromium.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("dialog", lambda dialog: (page.errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))

    def screenshot(name: str, full_page: bool = True) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    page.screenshot_as = screenshot
    yield page
    context.close()
