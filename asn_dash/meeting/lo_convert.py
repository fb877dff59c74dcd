"""Run by the Python that has LibreOffice's ``uno`` module (Debian: python3-uno), not imported
by asn_dash: ``python3 lo_convert.py SOFFICE PROFILE_DIR IN.docx OUT.pdf``.

Starts a private headless LibreOffice (its own user profile, so conversions running at the same
time do not share one), opens the document, updates its indexes (the contents list and its page
numbers: ``soffice --convert-to pdf`` alone keeps the list as it was saved) and exports a PDF.
Only the standard library and ``uno``.
"""

import os
import subprocess
import sys
import time

import uno
from com.sun.star.beans import PropertyValue


def _prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def main(soffice, profile, source, target):
    pipe = f"asn_dash_{os.getpid()}"
    office = subprocess.Popen(
        [soffice, f"-env:UserInstallation={uno.systemPathToFileUrl(os.path.abspath(profile))}", "--headless",
         "--invisible", "--nologo", "--norestore", "--nodefault", "--nolockcheck",
         f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        while True:  # the caller's timeout bounds this wait
            try:
                context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except Exception:
                if office.poll() is not None:
                    sys.exit(f"LibreOffice avslutades direkt (kod {office.returncode}).")
                time.sleep(0.1)
        desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(os.path.abspath(source)), "_blank", 0,
                                           (_prop("Hidden", True),))
        if doc is None:
            sys.exit("LibreOffice kunde inte öppna dokumentet.")
        indexes = doc.getDocumentIndexes()
        for _ in range(2):  # twice: the first update can move the pages the second one numbers
            for n in range(indexes.getCount()):
                indexes.getByIndex(n).update()
        doc.storeToURL(uno.systemPathToFileUrl(os.path.abspath(target)), (_prop("FilterName", "writer_pdf_Export"),))
        doc.close(True)
        try:
            desktop.terminate()
        except Exception:  # the bridge closes as the office exits
            pass
        try:
            office.wait(timeout=30)
        except subprocess.TimeoutExpired:  # the PDF is written; an office that hangs on exit is killed
            pass
    finally:
        if office.poll() is None:
            office.kill()


if __name__ == "__main__":
    main(*sys.argv[1:5])
