"""The report as PDF: the same DOCX converted by LibreOffice headless.

LibreOffice (Debian ``libreoffice-writer-nogui``) lays out Word documents faithfully, keeps the
document's styles and fields and needs no network or browser. Each conversion gets a private
user profile (``-env:UserInstallation``), so conversions at the same time never share one, and
a time limit after which the whole process group is killed. With LibreOffice's Python bridge
(Debian ``python3-uno``) the contents list and its page numbers are updated before the export
(``lo_convert.py``); without it the plain ``soffice --convert-to pdf`` keeps the list as saved
(headings without page numbers).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from functools import lru_cache
from pathlib import Path

from asn_dash.errors import AsnError

TIMEOUT = 180.0  # seconds; a first start of LibreOffice with a fresh profile takes ~3 s here
_HELPER = Path(__file__).with_name("lo_convert.py")
MISSING = ("PDF kräver LibreOffice (programmet soffice), som inte hittades. Installera paketet "
           "libreoffice-writer-nogui (scripts/setup.sh gör det) eller ladda ner Word-filen (DOCX) i stället.")


class PdfError(AsnError):
    """The PDF could not be made."""


def soffice() -> str | None:
    return os.environ.get("ASN_SOFFICE") or shutil.which("soffice") or shutil.which("libreoffice")


@lru_cache(maxsize=1)
def uno_python() -> str | None:
    """A Python that can ``import uno`` (Debian's python3-uno is built for /usr/bin/python3)."""
    for candidate in dict.fromkeys([sys.executable, "/usr/bin/python3", shutil.which("python3") or ""]):
        if candidate and Path(candidate).exists():
            try:
                ok = subprocess.run([candidate, "-c", "import uno"], capture_output=True, timeout=30).returncode == 0
            except (OSError, subprocess.TimeoutExpired):
                ok = False
            if ok:
                return candidate
    return None


def _run(command: list[str], timeout: float) -> subprocess.CompletedProcess:
    """Run in a new process group and kill all of it (LibreOffice forks) on timeout."""
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise PdfError(f"PDF-konverteringen tog mer än {timeout:.0f} s och avbröts. Försök igen, eller ladda ner "
                       f"Word-filen (DOCX).", f"LibreOffice conversion timed out after {timeout:.0f} s") from None
    return subprocess.CompletedProcess(command, proc.returncode, out, err)


def docx_to_pdf(data: bytes, timeout: float = TIMEOUT, update_contents: bool = True) -> bytes:
    """``data`` (a .docx) as PDF bytes. ``update_contents=False`` skips the bridge (plain convert)."""
    office = soffice()
    if office is None:
        raise PdfError(MISSING, "LibreOffice (soffice) not found on PATH")
    python = uno_python() if update_contents else None
    with tempfile.TemporaryDirectory(prefix="asn-pdf-") as tmp:
        folder = Path(tmp)
        source, profile = folder / "rapport.docx", folder / "profile"
        source.write_bytes(data)
        target = folder / "rapport.pdf"
        if python:
            command = [python, str(_HELPER), office, str(profile), str(source), str(target)]
        else:
            command = [office, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                       "--convert-to", "pdf", "--outdir", str(folder), str(source)]
        result = _run(command, timeout)
        if result.returncode != 0 or not target.exists():
            detail = (result.stderr or result.stdout).decode("utf-8", "replace").strip().splitlines()
            raise PdfError("LibreOffice kunde inte göra en PDF av rapporten"
                           + (f": {detail[-1]}" if detail else ".") + " Ladda ner Word-filen (DOCX) i stället.",
                           f"LibreOffice failed (exit {result.returncode}): {' '.join(detail[-3:])}")
        return target.read_bytes()
