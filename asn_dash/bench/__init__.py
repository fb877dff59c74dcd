"""Benchmarks, run on purpose (``python -m asn_dash bench [PART ...]``), never as timed tests.

Each part is a module of this package with ``run(context) -> dict`` (its figures, as JSON) and
``lines(figures) -> list[str]`` (the same as a few lines of plain text with each target and
whether it was met). Parts that serve pages run on one large store (``large_store``), built
once per ``bench`` run. To add a part, write its module and name it in :data:`PARTS`.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Context:
    """What the parts share: the large store (built on first use) and the upload size."""

    folder: Path
    rows: int = 1_000_000
    _large: Path | None = None
    large_info: dict | None = None

    def large_store(self) -> Path:
        if self._large is None:
            from .large_store import build_large_store

            self._large = self.folder / "large.duckdb"
            started = time.perf_counter()
            self.large_info = build_large_store(self._large)
            self.large_info["build_s"] = round(time.perf_counter() - started, 1)
        return self._large


def _pages(ctx: Context) -> dict:
    proc = subprocess.run([sys.executable, "-m", "asn_dash.bench.pages", str(ctx.large_store())], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _ingest(ctx: Context) -> dict:
    from .ingest import bench_ingest

    return bench_ingest(ctx.rows)


def _kolada(ctx: Context) -> dict:
    from .kolada import bench_kolada
    from .large_store import LARGE

    return bench_kolada(kpis=LARGE["kolada_kpis"], municipalities=LARGE["municipalities"], years=LARGE["kolada_years"])


def _startup(ctx: Context) -> dict:
    from .startup import bench_startup

    return bench_startup()


def _serve(ctx: Context) -> dict:
    from .serve import bench_serve

    return bench_serve(ctx.large_store())


def _history(ctx: Context) -> dict:
    from .history import bench_history

    return bench_history(ctx.large_store())


# part name → (module with lines(), how to run it)
PARTS: dict[str, tuple[str, Callable[[Context], dict]]] = {
    "pages": ("pages", _pages),
    "ingest": ("ingest", _ingest),
    "kolada": ("kolada", _kolada),
    "startup": ("startup", _startup),
    "serve": ("serve", _serve),
    "history": ("history", _history),
}


def run(parts: list[str] | None = None, rows: int = 1_000_000) -> dict:
    """The figures of the chosen parts (all by default), with the large store's size if one was built."""
    chosen = parts or list(PARTS)
    with tempfile.TemporaryDirectory() as tmp:
        ctx = Context(Path(tmp), rows=rows)
        result = {name: PARTS[name][1](ctx) for name in chosen}
    if ctx.large_info is not None:
        result = {"store": ctx.large_info, **result}
    return result


def table(result: dict) -> str:
    """The figures as plain text (the JSON follows it in the command's output)."""
    out = []
    if "store" in result:
        s = result["store"]
        out += [f"Store: {s['observations']:,} values, {s['kolada_values']:,} Kolada values, {s['file_mb']} MB "
                f"(built in {s['build_s']} s)", ""]
    for name, figures in result.items():
        if name in PARTS:
            out += import_module(f"{__name__}.{PARTS[name][0]}").lines(figures) + [""]
    return "\n".join(out).rstrip()
