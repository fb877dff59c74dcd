"""Shared wording about where values come from."""

from __future__ import annotations

from asn_dash.store.seed import DEMO, PUBLISHED

SOURCE_LABELS = {
    PUBLISHED: "Publicerad rapport",
    DEMO: "⚠ Exempeldata",
    "uppladdning": "Uppladdad",
    "kolada": "Kolada",
}
DEMO_NOTE = (
    "Värden märkta «⚠ Exempeldata» är påhittade demovärden som visar hur panelen fungerar. "
    "De är förankrade i de publicerade siffrorna men är inte verkliga utfall."
)
