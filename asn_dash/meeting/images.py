"""Chart images (PNG, SVG) through Plotly + kaleido, which drives the system Chromium.

kaleido starts a browser per call unless a server is running: the first image starts one
(~2 s), later ones take ~0.15 s. Calls are serialised with a lock, because the Streamlit
server renders images from several session threads.
"""

from __future__ import annotations

import atexit
import os
import shutil
import threading
import warnings

import plotly.graph_objects as go
import plotly.io as pio

from asn_dash.errors import AsnError

PRESENTATION = (1920, 1080)
PAPER = (1600, 900)
FORMATS = {"png": "image/png", "svg": "image/svg+xml"}

_lock = threading.Lock()
_server = False


class ImageError(AsnError):
    """A chart image could not be made."""


def _browser() -> str | None:
    return os.environ.get("BROWSER_PATH") or shutil.which("chromium") or shutil.which("chromium-browser") \
        or shutil.which("google-chrome")


def _start() -> None:
    global _server
    if _server:
        return
    import kaleido

    pio.defaults.mathjax = None  # offline: no MathJax download
    path = _browser()
    if path is None:
        raise ImageError("Diagrambilder kräver Chromium (apt-get install chromium); den hittades inte.",
                         "Chart images need Chromium on PATH (or BROWSER_PATH).")
    os.environ.setdefault("BROWSER_PATH", path)
    kaleido.start_sync_server(silence_warnings=True)
    atexit.register(_stop)
    _server = True


def _stop() -> None:
    global _server
    if _server:
        import kaleido

        kaleido.stop_sync_server(silence_warnings=True)
        _server = False


def render(fig: go.Figure, fmt: str = "png", size: tuple[int, int] = PAPER, scale: float = 1.0) -> bytes:
    """The figure as PNG or SVG bytes, ``size`` in CSS pixels (PNG gets ``scale`` × as many)."""
    if fmt not in FORMATS:
        raise ImageError(f"Okänt bildformat '{fmt}': välj png eller svg.")
    with _lock:
        _start()
        try:
            with warnings.catch_warnings():  # "kopts ignored if using a server": expected
                warnings.simplefilter("ignore", UserWarning)
                return fig.to_image(format=fmt, width=size[0], height=size[1], scale=scale)
        except Exception as exc:  # kaleido reports browser failures with many exception types
            raise ImageError(f"Diagrambilden kunde inte skapas: {exc}", f"Chart image failed: {exc}") from exc
