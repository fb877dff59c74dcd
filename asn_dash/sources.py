"""Shared wording about where values come from."""

from __future__ import annotations

PUBLISHED = "publicerad"  # figures from a published report
DEMO = "exempeldata"  # generated demo history

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
