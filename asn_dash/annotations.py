"""What people add to the figures: dated comments, manual statuses and assessment overrides.

Every write validates its input (clear Swedish message, nothing written on error), runs in one
transaction together with its audit-log row, and never deletes earlier rows. Rows name people by
user name; the readers give "Namn (användarnamn)" (:mod:`asn_dash.people`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from asn_dash import people
from asn_dash.auth import User, require
from asn_dash.errors import AsnError
from asn_dash.rules.assessment import COLOURS, ManualStatus
from asn_dash.rules.periods import Period, parse_key
from asn_dash.store.store import Store, audit

MAX_TEXT = 4000
MIN_OVERRIDE_COMMENT = 10


class AnnotationError(AsnError):
    """A comment, status or override that cannot be saved as given."""


@dataclass(frozen=True)
class Override:
    id: int
    colour: str
    comment: str
    author: str
    decided_on: date


def _text(value: str, what: str, minimum: int = 1) -> str:
    text = (value or "").strip()
    if len(text) < minimum:
        raise AnnotationError(
            f"{what} saknas." if minimum == 1 else f"{what} måste vara minst {minimum} tecken.")
    if len(text) > MAX_TEXT:
        raise AnnotationError(f"{what} är för lång ({len(text)} tecken, högst {MAX_TEXT}).")
    return text


def _indicator(store: Store, indicator_id: str) -> None:
    if not store.scalar("SELECT count(*) FROM indicators WHERE id = ?", [indicator_id]):
        raise AnnotationError(f"Okänd indikator '{indicator_id}'.")


def _period(value: str) -> Period:
    try:
        return parse_key(value)
    except ValueError as exc:
        raise AnnotationError(str(exc)) from None


def add_comment(store: Store, by: User, indicator_id: str, period: str, text: str,
                unit_id: str | None = None) -> None:
    """A dated comment on an indicator and period ("Senaste kommentar (2025-09-02)")."""
    require(by, "kommentera")
    _indicator(store, indicator_id)
    key = _period(period).key
    body, who = _text(text, "Kommentaren"), by.username
    with store.writing() as cur:
        people.remember(cur, by)
        cur.execute("INSERT INTO comments (indicator_id, unit_id, period, author, written_on, text)"
                    " VALUES (?,?,?,?,?,?)", [indicator_id, unit_id, key, who, date.today(), body]).fetchall()
        audit(cur, who, "kommentar", f"{indicator_id} {key}", body[:200])


def comments(store: Store, indicator_id: str) -> pd.DataFrame:
    """Newest first; ``author`` as "Namn (användarnamn)"."""
    rows = store.query(
        "SELECT period, written_on, author, text, source FROM comments WHERE indicator_id = ?"
        " ORDER BY written_on DESC, id DESC", [indicator_id])
    rows["author"] = people.labelled(rows["author"], people.names(store))
    return rows


def latest_comments(store: Store, indicator_ids: list[str], year: int, up_to: Period) -> dict[str, pd.Series]:
    """Per indicator, the newest comment written for a period of ``year`` ending by ``up_to``."""
    if not indicator_ids:
        return {}
    rows = store.query(
        "SELECT indicator_id, period, written_on, author, text FROM comments"
        " WHERE list_contains(?, indicator_id) ORDER BY written_on, id", [indicator_ids])
    rows["author"] = people.labelled(rows["author"], people.names(store))
    out: dict[str, pd.Series] = {}
    for _, r in rows.iterrows():
        p = parse_key(r["period"])
        if p.year == year and p.end <= up_to.end:
            out[r["indicator_id"]] = r
    return out


def set_manual_status(store: Store, by: User, indicator_id: str, period: str, colour: str, text: str) -> None:
    """The förvaltning's own judgement of a 'manuell' indicator for a period."""
    require(by, "sätta förvaltningens bedömning")
    _indicator(store, indicator_id)
    key = _period(period).key
    if colour not in COLOURS:
        raise AnnotationError(f"Ogiltig färg '{colour}': välj Grön, Gul eller Röd.")
    body, who = _text(text, "Motiveringen"), by.username
    with store.writing() as cur:
        people.remember(cur, by)
        cur.execute("INSERT INTO manual_statuses (indicator_id, period, colour, text, author) VALUES (?,?,?,?,?)",
                    [indicator_id, key, colour, body, who]).fetchall()
        audit(cur, who, "bedömning", f"{indicator_id} {key}", f"{colour}: {body[:200]}")


def manual_statuses(store: Store, indicator_ids: list[str], up_to: Period) -> dict[str, tuple[Period, ManualStatus]]:
    """Per indicator, the newest status set for a period ending by ``up_to`` in the same year."""
    if not indicator_ids:
        return {}
    rows = store.query(
        "SELECT indicator_id, period, colour, text, author, created_at FROM manual_statuses"
        " WHERE list_contains(?, indicator_id) ORDER BY created_at, id", [indicator_ids])
    rows["author"] = people.labelled(rows["author"], people.names(store))
    out: dict[str, tuple[Period, ManualStatus]] = {}
    for r in rows.itertuples(index=False):
        p = parse_key(r.period)
        if p.year != up_to.year or p.end > up_to.end:
            continue
        current = out.get(r.indicator_id)
        if current is None or p.end >= current[0].end:
            out[r.indicator_id] = (p, ManualStatus(r.colour, r.text, r.author, r.created_at.date()))
    return out


def add_override(store: Store, by: User, plan_year: int, indicator_id: str, period: str, colour: str,
                 comment: str) -> None:
    """Replace the computed colour; a comment of at least 10 characters is mandatory."""
    require(by, "ändra bedömningar")
    _indicator(store, indicator_id)
    key = _period(period).key
    if colour not in COLOURS:
        raise AnnotationError(f"Ogiltig färg '{colour}': välj Grön, Gul eller Röd.")
    body = _text(comment, "En kommentar som motiverar ändringen", MIN_OVERRIDE_COMMENT)
    who = by.username
    with store.writing() as cur:
        people.remember(cur, by)
        cur.execute("INSERT INTO assessment_overrides (plan_year, indicator_id, period, colour, comment, author)"
                    " VALUES (?,?,?,?,?,?)", [plan_year, indicator_id, key, colour, body, who]).fetchall()
        audit(cur, who, "ändrad bedömning", f"{indicator_id} {key} ({plan_year})", f"{colour}: {body[:200]}")


def withdraw_override(store: Store, by: User, override_id: int) -> None:
    require(by, "ändra bedömningar")
    who = by.username
    if not store.scalar("SELECT count(*) FROM assessment_overrides WHERE id = ? AND withdrawn_at IS NULL",
                        [override_id]):
        raise AnnotationError(f"Ändringen {override_id} finns inte eller är redan återtagen.")
    with store.writing() as cur:
        people.remember(cur, by)
        cur.execute("UPDATE assessment_overrides SET withdrawn_at = current_timestamp, withdrawn_by = ? WHERE id = ?",
                    [who, override_id]).fetchall()
        audit(cur, who, "återtagen ändring", f"ändring {override_id}", "")


def active_overrides(store: Store, plan_year: int, period: str) -> dict[str, Override]:
    """Per indicator, the newest override in force for exactly this plan year and period."""
    rows = store.query(
        "SELECT id, indicator_id, colour, comment, author, created_at FROM assessment_overrides"
        " WHERE plan_year = ? AND period = ? AND withdrawn_at IS NULL ORDER BY created_at, id",
        [plan_year, period])
    rows["author"] = people.labelled(rows["author"], people.names(store))
    return {r.indicator_id: Override(int(r.id), r.colour, r.comment, r.author, r.created_at.date())
            for r in rows.itertuples(index=False)}


def audit_log(store: Store, limit: int = 500) -> pd.DataFrame:
    """Newest first; ``user_name`` as stored, ``who`` as "Namn (användarnamn)"."""
    rows = store.query("SELECT logged_at, user_name, action, target, detail FROM audit_log ORDER BY id DESC LIMIT ?",
                       [limit])
    rows.insert(1, "who", people.labelled(rows["user_name"], people.names(store)))
    return rows
