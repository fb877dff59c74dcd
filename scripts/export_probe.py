"""Check that a fresh install can make what leaves the dashboard: a chart image through kaleido
and the system Chromium, and a PDF from a Word file through LibreOffice, with fonts that have
Swedish letters and the symbols ✔ ▲ ✖.

    .venv/bin/python scripts/export_probe.py

Prints one line and exits 0 when the PNG has the asked size and the PDF embeds Liberation Sans
(the report's Arial, as LibreOffice draws it) and DejaVu (the symbols); 1 otherwise. Used by scripts/fresh-machine-test.sh.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

import plotly.graph_objects as go
from docx import Document

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from asn_dash.meeting.images import render  # noqa: E402

TEXT = "Måluppfyllelse: ✔ Grön ▲ Gul ✖ Röd – Tyresö, Äppelviken"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def main() -> int:
    fig = go.Figure(go.Scatter(x=["jan", "feb", "mar"], y=[389, 374, 401], name=TEXT))
    fig.update_layout(title=TEXT)
    width, height = png_size(render(fig, "png", (800, 450)))
    soffice = shutil.which("soffice")
    if soffice is None:
        print("export probe: soffice not found")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        doc = Document()
        doc.add_heading("Tertialrapport T2 2025", 1)
        doc.add_paragraph(TEXT)
        doc.add_paragraph().add_run("Arial, som i rapporten").font.name = "Arial"
        source = Path(tmp) / "rapport.docx"
        doc.save(source)
        subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp}/profile", "--convert-to", "pdf",
                        "--outdir", tmp, str(source)], check=True, capture_output=True, timeout=180)
        pdf = (Path(tmp) / "rapport.pdf").read_bytes()
    dejavu, liberation = b"DejaVu" in pdf, b"LiberationSans" in pdf
    ok = (width, height) == (800, 450) and pdf.startswith(b"%PDF") and dejavu and liberation
    print(f"export probe: chart PNG {width}×{height} via kaleido; rapport.docx → PDF {len(pdf)} bytes via "
          f"LibreOffice, DejaVu font {'embedded' if dejavu else 'MISSING'}, Liberation Sans "
          f"{'embedded' if liberation else 'MISSING'}: {'OK' if ok else 'FAILED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
