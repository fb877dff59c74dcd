"""End-to-end harness: a real `streamlit run app.py` on a free port with its own store, driven
by Debian's chromium through Playwright's Python API. Later suites reuse these fixtures."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def pytest_collection_modifyitems(items) -> None:
    """Every test in tests/e2e is a browser test (marker e2e), whether or not its file says so:
    `-m "not e2e"` must never start a browser."""
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StreamlitServer:
    def __init__(self, db: Path, env: dict | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db = db
        self.log = db.parent / "streamlit.log"
        self._env = {**os.environ, "ASN_DB": str(db), "ASN_USERS": str(db.parent / "no-users.toml"),
                     "ASN_DEMO": "1", **(env or {})}
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 90) -> "StreamlitServer":
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            cwd=ROOT, env=self._env, stdout=self.log.open("w"), stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited early:\n{self.log.read_text()}")
            try:
                if requests.get(f"{self.url}/_stcore/health", timeout=2).text == "ok":
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"streamlit did not become healthy in {timeout}s:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: run scripts/test.sh, which installs Debian's chromium")
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """A server started on an empty store path: the store is created and seeded on first start."""
    srv = StreamlitServer(tmp_path_factory.mktemp("e2e") / "asn.duckdb").start()
    yield srv
    srv.stop()


def module_server(name: str):
    """A module-scoped app with its own empty store path, for suites that change data."""
    @pytest.fixture(scope="module")
    def fixture(tmp_path_factory):
        srv = StreamlitServer(tmp_path_factory.mktemp(name) / "asn.duckdb").start()
        yield srv
        srv.stop()
    return fixture


def accounts_server(name: str, *users: tuple[str, str, str, str]):
    """A module-scoped app with local accounts (user name, display name, role, password) in its
    own users file (``srv.users``), which a test may change while the app runs."""
    @pytest.fixture(scope="module")
    def fixture(tmp_path_factory):
        from asn_dash import auth

        folder = tmp_path_factory.mktemp(name)
        path = folder / "users.toml"
        for user in users:
            auth.add_user(path, *user)
        srv = StreamlitServer(folder / "asn.duckdb", env={"ASN_USERS": str(path)}).start()
        srv.users = path
        yield srv
        srv.stop()
    return fixture


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="sv-SE")
    pg = context.new_page()
    yield pg
    context.close()


def wait_for_app(pg, heading: str, timeout: float = 60_000) -> None:
    """Wait until Streamlit has rendered a page whose h1 is ``heading`` and stopped running.
    (The status widget can appear after the heading; callers still use ``expect`` for content.)"""
    pg.get_by_role("heading", name=heading, level=1).wait_for(timeout=timeout)
    pg.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout)


def settled(pg, timeout: float = 60_000) -> None:
    """Wait until the script run has finished and no element of the previous run is left (the
    status widget is hidden in presentation mode, so it cannot be waited on there)."""
    pg.wait_for_function(
        "() => document.querySelector('[data-testid=\"stApp\"]')?.dataset.testScriptState === 'notRunning'"
        " && !document.querySelector('[data-stale=\"true\"]')", timeout=timeout)


def screenshot(pg, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    pg.screenshot(path=str(path), full_page=False)
    return path
