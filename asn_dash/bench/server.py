"""A real ``streamlit run`` server on a free local port, for the serve benchmark and its test.

It reports its own CPU time and memory from ``/proc`` (Linux), so a benchmark can charge the
server, not the load client, for each view."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"
EMPTY_APP = Path(__file__).resolve().parent / "empty_app.py"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``streamlit run script`` on ``db`` (open demo mode: no users file), as a context manager.

    ``options`` are Streamlit config options for the command line, e.g.
    ``{"runner.postScriptGC": "false"}``; the project's ``.streamlit/config.toml`` applies too,
    because the server runs in the checkout."""

    def __init__(self, db: Path, script: Path = APP, options: dict[str, str] | None = None,
                 env: dict[str, str] | None = None, log: Path | None = None):
        self.db = Path(db)
        self.script = Path(script)
        self.options = options or {}
        self.port = free_port()
        self.log = log or self.db.with_suffix(f".{self.port}.log")
        self.env = {**os.environ, "ASN_DB": str(self.db), "ASN_USERS": str(self.db.parent / "no-users.toml"),
                    "ASN_DEMO": "1",
                    **(env or {})}
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def stream_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/_stcore/stream"

    def start(self, timeout: float = 120) -> Server:
        flags = [f"--{k}={v}" for k, v in {"server.port": str(self.port), "server.address": "127.0.0.1",
                                           "server.headless": "true", "browser.gatherUsageStats": "false",
                                           "server.fileWatcherType": "none", **self.options}.items()]
        with self.log.open("w") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(self.script), *flags],
                                         cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited early:\n{self.log.read_text()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as answer:
                    if answer.read() == b"ok":
                        return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"streamlit did not become healthy in {timeout} s:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def cpu_seconds(self) -> float:
        """User + system CPU time the server process has used so far."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime

    def rss_mb(self) -> float:
        """The server process's resident memory now."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")
