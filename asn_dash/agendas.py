"""Saved running orders (dagordningar): a named list of indicators, reused from meeting to meeting."""

from __future__ import annotations

from asn_dash import texts
from asn_dash.auth import User, require
from asn_dash.errors import AsnError
from asn_dash.store.store import Store, audit

MAX_NAME = 80


class AgendaError(AsnError):
    """A running order that cannot be saved as given."""


def names(store: Store) -> list[str]:
    return store.query("SELECT name FROM agendas ORDER BY saved_at DESC, name")["name"].tolist()


def load(store: Store, name: str) -> list[str]:
    ids = store.scalar("SELECT indicator_ids FROM agendas WHERE name = ?", [name])
    if ids is None:
        raise AgendaError(f"Det finns ingen sparad dagordning som heter '{name}'. Sparade: "
                          f"{', '.join(names(store)) or 'inga'}.")
    return list(ids)


def save(store: Store, by: User, name: str, indicator_ids: list[str]) -> None:
    """Save (or replace) a running order; known indicators only, each once."""
    require(by, "spara dagordningar")
    name = (name or "").strip()
    if texts.control_characters(name):  # zero-width spaces, NUL, …: refused by name
        raise AgendaError(texts.refusal(name, "Namnet"))
    if not texts.visible_length(name):
        raise AgendaError("Ge dagordningen ett namn, t.ex. \"Nämnden oktober\".")
    if any(ch in texts.ALLOWED_CONTROLS for ch in name):  # a name is one line (it is a list entry and a file name part)
        raise AgendaError("Namnet får inte innehålla radbrytningar eller tabbar.")
    if len(name) > MAX_NAME:
        raise AgendaError(f"Namnet är för långt ({len(name)} tecken, högst {MAX_NAME}).")
    if not indicator_ids:
        raise AgendaError("Välj minst en indikator till dagordningen.")
    if len(set(indicator_ids)) != len(indicator_ids):
        raise AgendaError("Samma indikator finns två gånger i dagordningen.")
    known = set(store.query("SELECT id FROM indicators WHERE list_contains(?, id)", [indicator_ids])["id"])
    unknown = [i for i in indicator_ids if i not in known]
    if unknown:
        raise AgendaError(f"Okända indikatorer: {', '.join(unknown)}.")
    with store.writing() as cur:
        cur.execute("INSERT INTO agendas (name, indicator_ids, saved_by) VALUES (?, ?, ?) ON CONFLICT (name)"
                    " DO UPDATE SET indicator_ids = excluded.indicator_ids, saved_by = excluded.saved_by,"
                    " saved_at = now()", [name, indicator_ids, by.username]).fetchall()
        audit(cur, by.username, "dagordning", name, ", ".join(indicator_ids)[:200])
