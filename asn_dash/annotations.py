"""What people add to the figures: dated comments and official verdicts (the förvaltning's
bedömning of a målområde, nämndmål or indicator; an analytiker's replacement of a computed colour).

Every write validates its input (clear Swedish message, nothing written on error), runs in one
transaction together with its audit-log row, and never deletes earlier rows. Rows name people by
user name; the readers give "Namn (användarnamn)" (:mod:`asn_dash.people`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from asn_dash import people, texts
from asn_dash.auth import User, require
from asn_dash.errors import AsnError
from asn_dash.rules.periods import Period, parse_key
from asn_dash.store.store import Store, audit

if TYPE_CHECKING:  # the ingest imports this module (MAX_TEXT): none of these, which cost start-up time
    import pandas as pd

    from asn_dash.rules.assessment import ManualStatus
    from asn_dash.rules.verdicts import OfficialVerdict

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
    """The text as stored: ends stripped, at least ``minimum`` visible characters, no control or
    format characters (:func:`asn_dash.texts.refusal`), at most ``MAX_TEXT`` characters."""
    text = (value or "").strip()
    reason = texts.refusal(text, what, minimum)
    if reason:
        raise AnnotationError(reason)
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


# --- official verdicts (asn_dash/rules/verdicts.py, imported where used) ------------------------


def set_verdict(store: Store, by: User, plan_year: int, level: str, target: str, period: str, colour: str,
                text: str, *, min_text: int = 1, action: str = "bedömning") -> int:
    """An analytiker's official verdict for a målområde, nämndmål or indicator and one period of the
    plan year: colour and motivation, with author and date. It supersedes the earlier ones (which
    stay in the history). Returns its id."""
    from asn_dash.rules.assessment import COLOURS
    from asn_dash.rules.verdicts import ANALYST, AREA, GOAL, INDICATOR, LEVELS

    require(by, "sätta förvaltningens bedömning")
    if level not in LEVELS:
        raise AnnotationError(f"Okänd nivå '{level}': välj målområde, nämndmål eller indikator.")
    if level == INDICATOR:
        _indicator(store, target)
    sql, what = {
        AREA: ("SELECT count(*) FROM goal_areas WHERE plan_year = ? AND id = ?", "målområdet"),
        GOAL: ("SELECT count(*) FROM goals WHERE plan_year = ? AND id = ?", "nämndmålet"),
        INDICATOR: ("SELECT count(*) FROM plan_indicators WHERE plan_year = ? AND indicator_id = ?", "indikatorn"),
    }[level]
    if not store.scalar(sql, [plan_year, target]):
        raise AnnotationError(f"{what.capitalize()} '{target}' finns inte i planen för {plan_year}.")
    p = _period(period)
    if p.year != plan_year:
        raise AnnotationError(f"Perioden {p.label()} hör inte till planåret {plan_year}.")
    if colour not in COLOURS:
        raise AnnotationError(f"Ogiltig färg '{colour}': välj Grön, Gul eller Röd.")
    what_text = "Motiveringen" if min_text == 1 else "En kommentar som motiverar ändringen"
    body, who = _text(text, what_text, min_text), by.username
    with store.writing() as cur:
        people.remember(cur, by)
        new_id = cur.execute(
            "INSERT INTO verdicts (plan_year, level, target_id, period, colour, text, origin, author)"
            " VALUES (?,?,?,?,?,?,?,?) RETURNING id",
            [plan_year, level, target, p.key, colour, body, ANALYST, who]).fetchall()[0][0]
        audit(cur, who, action, f"{level} {target} {p.key} ({plan_year})", f"{colour}: {body[:200]}")
    return int(new_id)


def withdraw_verdict(store: Store, by: User, verdict_id: int, *, action: str = "återtagen bedömning") -> None:
    """Withdraw an analytiker's verdict: the one before it (e.g. the report's) counts again. The row
    stays, marked withdrawn, with who and when."""
    from asn_dash.rules.verdicts import ANALYST

    require(by, "ändra bedömningar")
    who = by.username
    if not store.scalar("SELECT count(*) FROM verdicts WHERE id = ? AND origin = ? AND withdrawn_at IS NULL",
                        [verdict_id, ANALYST]):
        raise AnnotationError(f"Bedömningen {verdict_id} finns inte, är redan återtagen eller kommer från en "
                              f"publicerad rapport.")
    with store.writing() as cur:
        people.remember(cur, by)
        cur.execute("UPDATE verdicts SET withdrawn_at = current_timestamp, withdrawn_by = ? WHERE id = ?",
                    [who, verdict_id]).fetchall()
        audit(cur, who, action, f"bedömning {verdict_id}", "")


_VERDICT_COLUMNS = ("id, plan_year, level, target_id, period, colour, text, origin, source_ref, author, created_at,"
                    " unit_id, withdrawn_at IS NOT NULL AS withdrawn")


def _official(rows: pd.DataFrame, store: Store) -> list[OfficialVerdict]:
    from asn_dash.rules.verdicts import OfficialVerdict

    authors = people.labelled([a if isinstance(a, str) else "" for a in rows["author"]], people.names(store))
    return [OfficialVerdict(int(r.id), int(r.plan_year), r.level, r.target_id, r.period, _str(r.colour), _str(r.text),
                            r.origin, _str(r.source_ref), author or None, r.created_at.date(), _str(r.unit_id),
                            bool(r.withdrawn))
            for r, author in zip(rows.itertuples(index=False), authors)]


def _str(value) -> str | None:
    return value if isinstance(value, str) and value else None


def plan_verdicts(store: Store, plan_year: int) -> list[OfficialVerdict]:
    """Every official verdict of the plan year for the whole administration, oldest first (the
    withdrawn ones flagged): pick the ones in force with :func:`verdicts.in_force`."""
    rows = store.query(f"SELECT {_VERDICT_COLUMNS} FROM verdicts WHERE plan_year = ? AND unit_id IS NULL"
                       " ORDER BY created_at, id", [plan_year])
    return _official(rows, store)


def verdict_history(store: Store, plan_year: int, level: str, target: str) -> pd.DataFrame:
    """Every official verdict ever given for one target of a plan year, newest first, with whether
    it is in force, superseded or withdrawn."""
    import pandas as pd

    rows = store.query(f"SELECT {_VERDICT_COLUMNS}, withdrawn_by FROM verdicts WHERE plan_year = ? AND level = ?"
                       " AND target_id = ? AND unit_id IS NULL ORDER BY created_at, id", [plan_year, level, target])
    verdicts = _official(rows, store)
    newest: dict[str, int] = {}
    for v in verdicts:
        if not v.withdrawn:
            newest[v.period] = v.id
    withdrawn_by = people.labelled([w if isinstance(w, str) else "" for w in rows["withdrawn_by"]],
                                   people.names(store))
    table = pd.DataFrame({
        "Period": [parse_key(v.period).label() for v in verdicts],
        "Bedömning": [v.colour or "–" for v in verdicts],
        "Motivering": [v.text or "" for v in verdicts],
        "Av": [v.by for v in verdicts],
        "Status": [f"återtagen av {w}" if v.withdrawn else ("gäller" if newest.get(v.period) == v.id else "ersatt")
                   for v, w in zip(verdicts, withdrawn_by)],
        "id": [v.id for v in verdicts],
    })
    return table.iloc[::-1].reset_index(drop=True)


def unit_verdicts(store: Store, plan_year: int, period: Period) -> pd.DataFrame:
    """Per målområde and unit, the units' own published colours of the newest period up to
    ``period``'s end ("Andelen enheter som når sina mål")."""
    frame = store.query(
        """
        SELECT v.target_id AS goal_area_id, v.unit_id, v.period, v.colour, v.source_ref,
               coalesce((SELECT h.name FROM unit_history h WHERE h.unit_id = v.unit_id
                         ORDER BY h.valid_from DESC LIMIT 1), v.unit_id) AS unit_name
        FROM verdicts v
        WHERE v.plan_year = ? AND v.level = 'målområde' AND v.unit_id IS NOT NULL AND v.withdrawn_at IS NULL
          AND v.colour IS NOT NULL
        """, [plan_year])
    if frame.empty:
        return frame
    frame["end"] = frame["period"].map(lambda k: parse_key(k).end)
    frame = frame[frame["end"] <= period.end]
    if frame.empty:
        return frame
    newest = frame.groupby("goal_area_id")["end"].transform("max")
    return frame[frame["end"] == newest].drop(columns="end")


# --- the earlier names, kept for their callers: statuses and overrides are official verdicts ----

def set_manual_status(store: Store, by: User, indicator_id: str, period: str, colour: str, text: str) -> None:
    """The förvaltning's own judgement of a 'manuell' indicator for a period (an official verdict of
    the period's plan year)."""
    from asn_dash.rules.verdicts import INDICATOR

    set_verdict(store, by, _period(period).year, INDICATOR, indicator_id, period, colour, text)


def manual_statuses(store: Store, indicator_ids: list[str], up_to: Period) -> dict[str, tuple[Period, ManualStatus]]:
    """Per indicator, the newest bedömning set for a period ending by ``up_to`` in the same year."""
    from asn_dash.rules.assessment import ManualStatus
    from asn_dash.rules.verdicts import INDICATOR, in_force

    found = in_force(plan_verdicts(store, up_to.year), up_to, carry=indicator_ids)
    return {target: (parse_key(v.period), ManualStatus(v.colour, v.text or "", v.author or v.by, v.decided_on))
            for (level, target), v in found.items()
            if level == INDICATOR and target in indicator_ids and v.colour is not None}


def add_override(store: Store, by: User, plan_year: int, indicator_id: str, period: str, colour: str,
                 comment: str) -> None:
    """Replace the computed colour; a comment of at least 10 characters is mandatory."""
    from asn_dash.rules.verdicts import INDICATOR

    require(by, "ändra bedömningar")
    set_verdict(store, by, plan_year, INDICATOR, indicator_id, period, colour, comment,
                min_text=MIN_OVERRIDE_COMMENT, action="ändrad bedömning")


def withdraw_override(store: Store, by: User, override_id: int) -> None:
    withdraw_verdict(store, by, override_id, action="återtagen ändring")


def active_overrides(store: Store, plan_year: int, period: str) -> dict[str, Override]:
    """Per indicator, the analytiker's verdict in force for exactly this plan year and period."""
    from asn_dash.rules.verdicts import ANALYST, INDICATOR, in_force

    found = in_force(plan_verdicts(store, plan_year), parse_key(period))
    return {target: Override(v.id, v.colour, v.text or "", v.author or "", v.decided_on)
            for (level, target), v in found.items() if level == INDICATOR and v.origin == ANALYST}


def audit_log(store: Store, limit: int = 500) -> pd.DataFrame:
    """Newest first; ``user_name`` as stored, ``who`` as "Namn (användarnamn)"."""
    rows = store.query("SELECT logged_at, user_name, action, target, detail FROM audit_log ORDER BY id DESC LIMIT ?",
                       [limit])
    rows.insert(1, "who", people.labelled(rows["user_name"], people.names(store)))
    return rows
