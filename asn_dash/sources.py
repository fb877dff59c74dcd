"""Shared wording about where values come from, and what kind of value a stored one is."""

from __future__ import annotations

PUBLISHED = "publicerad"  # figures from a published report
DEMO = "exempeldata"  # generated demo history

SOURCE_LABELS = {
    PUBLISHED: "Publicerad rapport",
    DEMO: "⚠ Exempeldata",
    "uppladdning": "Uppladdad",
    "kolada": "Kolada",
}
# Value kinds: what a stored value is. Only utfall is an outcome; the store's view `observations`
# shows nothing else, so a prognos or a budget can never be read as one.
UTFALL, PROGNOS, BUDGET = "utfall", "prognos", "budget"

DEMO_NOTE = (
    "Värden märkta «⚠ Exempeldata» är påhittade demovärden som visar hur panelen fungerar. "
    "De är förankrade i de publicerade siffrorna men är inte verkliga utfall."
)
