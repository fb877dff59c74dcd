"""Today's date for the rules that depend on it, read in one place: ``ASN_TODAY`` (``YYYY-MM-DD``)
stands in for the system date, so tests (and a re-check "as of" a date) need no patched clock."""

from __future__ import annotations

import os
from datetime import date

from asn_dash.errors import AsnError


def today() -> date:
    raw = os.environ.get("ASN_TODAY", "").strip()
    if not raw:
        return date.today()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise AsnError(f"ASN_TODAY='{raw}' är inget datum; skriv det som ÅÅÅÅ-MM-DD, t.ex. 2026-12-08.",
                       f"ASN_TODAY='{raw}' is not a date (YYYY-MM-DD).") from None
