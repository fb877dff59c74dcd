"""The shape of Kolada's answers, checked field by field (docs: shared/domain/kolada-api.md §2–§4).

Policy: **a malformed field refuses the whole answer**, never only the one value. The stored
Kolada data is what the committee's comparisons rest on, and a pull replaces what is stored in
its scope: skipping a malformed value would silently delete the old value it replaces, and a
field of the wrong type means Kolada changed its format, which a person must look at. So every
check below raises :class:`Malformed` naming the field (``values[3].values[0].value``) and what
was wrong; the client adds the URL and the pull stops with the store unchanged.

Well-formed data that was not asked for (another KPI, municipality or year) is not an error:
it is left out and counted (see :mod:`asn_dash.kolada.scope`).
"""

from __future__ import annotations

import json
import math
import re

from asn_dash.kolada import KoladaError

ID = re.compile(r"[A-Za-z0-9_-]{1,40}")
MUNICIPALITY_ID = re.compile(r"[0-9]{4}")
GENDERS = ("T", "K", "M")
FIRST_YEAR, LAST_YEAR = 1900, 2100
MAX_TITLE, MAX_TEXT, MAX_CODE = 1000, 20000, 40
MAX_COUNT = 2**31 - 1  # the store's INTEGER


class Malformed(KoladaError):
    """A field of an answer is missing or has the wrong type or value (the client adds the URL)."""

    def __init__(self, where: str, problem: str):
        super().__init__(f"{where} {problem}")
        self.where, self.problem = where, problem


def shown(value: object) -> str:
    """A value as the message quotes it: short, one line, with its JSON type in Swedish."""
    kind = {str: "text", bool: "sant/falskt", int: "tal", float: "tal", list: "lista", dict: "objekt",
            type(None): "null"}.get(type(value), type(value).__name__)
    text = json.dumps(value, ensure_ascii=False)
    return f"{text[:40]}{'…' if len(text) > 40 else ''} ({kind})"


def _is_number(value: object) -> bool:
    """A finite JSON number that fits a double (Python parses NaN, 1e999 and 10**400 too)."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _field(obj: dict, key: str, where: str, required: bool = True):
    if key not in obj:
        if required:
            raise Malformed(f"{where}.{key}", "saknas")
        return None
    return obj[key]


def _object(value: object, where: str) -> dict:
    if not isinstance(value, dict):
        raise Malformed(where, f"är {shown(value)}, inte ett objekt")
    return value


def _list(value: object, where: str) -> list:
    if not isinstance(value, list):
        raise Malformed(where, f"är {shown(value)}, inte en lista")
    return value


def _id(obj: dict, key: str, where: str, pattern: re.Pattern = ID) -> str:
    value = _field(obj, key, where)
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise Malformed(f"{where}.{key}", f"är {shown(value)}, inte ett giltigt id")
    return value


def _text(obj: dict, key: str, where: str, required: bool = False, limit: int = MAX_TEXT) -> str | None:
    value = _field(obj, key, where, required)
    if value is None and not required:
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise Malformed(f"{where}.{key}", f"är {shown(value)}, inte en text på högst {limit} tecken")
    return value


def _flag(obj: dict, key: str, where: str) -> bool | None:
    value = obj.get(key)
    if value is None:
        return None
    if value not in (True, False, 0, 1) or isinstance(value, float):
        raise Malformed(f"{where}.{key}", f"är {shown(value)}, inte sant/falskt")
    return bool(value)


def _count(obj: dict, key: str, where: str) -> int | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_COUNT:
        raise Malformed(f"{where}.{key}", f"är {shown(value)}, inte ett heltal ≥ 0")
    return value


# --- the envelope ---------------------------------------------------------------------

def envelope(body: object) -> tuple[list, object]:
    """``values`` and the raw next-page link (``next_url``, or v2's ``next_page``) of one page."""
    if not isinstance(body, dict):
        raise Malformed("svaret", f"är {shown(body)}, inte ett JSON-objekt")
    values = _list(_field(body, "values", "svaret"), "values")
    _count(body, "count", "svaret")
    links = {}
    for key in ("next_url", "next_page", "previous_url", "previous_page"):
        link = body.get(key)
        if link is not None and not isinstance(link, str):
            raise Malformed(key, f"är {shown(link)}, inte en adress eller null")
        links[key] = link or None
    return values, links["next_url"] or links["next_page"]


# --- data objects ---------------------------------------------------------------------

def period(obj: dict, where: str) -> int:
    value = _field(obj, "period", where)
    year = value if isinstance(value, int) and not isinstance(value, bool) else (
        int(value) if isinstance(value, str) and re.fullmatch(r"[0-9]{4}", value) else None)
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        raise Malformed(f"{where}.period", f"är {shown(value)}, inte ett år ({FIRST_YEAR}–{LAST_YEAR})")
    return year


def data_rows(obj: object, where: str) -> list[tuple]:
    """One data object → rows ``(kpi, municipality, year, gender, value, count, status)``;
    deleted entries (``isdeleted``) are dropped, a null value stays null (not reported is not zero)."""
    obj = _object(obj, where)
    kpi, mun, year = _id(obj, "kpi", where), _id(obj, "municipality", where), period(obj, where)
    rows, genders = [], set()
    for i, entry in enumerate(_list(_field(obj, "values", where), f"{where}.values")):
        at = f"{where}.values[{i}]"
        entry = _object(entry, at)
        gender = _field(entry, "gender", at)
        if gender not in GENDERS:
            raise Malformed(f"{at}.gender", f"är {shown(gender)}, inte T, K eller M")
        if gender in genders:
            raise Malformed(f"{at}.gender", f"{gender} förekommer två gånger för {kpi}, {mun}, {year}")
        genders.add(gender)
        value = _field(entry, "value", at)
        if value is not None and not _is_number(value):
            raise Malformed(f"{at}.value", f"är {shown(value)}, inte ett tal eller null")
        count = _count(entry, "count", at)
        status = _text(entry, "status", at, limit=MAX_CODE)
        deleted = _flag(entry, "isdeleted", at) or _flag(entry, "is_deleted", at)
        if not deleted:
            rows.append((kpi, mun, year, gender, None if value is None else float(value), count, status or None))
    return rows


# --- metadata objects -----------------------------------------------------------------

def kpi(obj: object, where: str) -> dict:
    obj = _object(obj, where)
    checked = {"id": _id(obj, "id", where), "title": _text(obj, "title", where, True, MAX_TITLE),
               "description": _text(obj, "description", where),
               "operating_area": _text(obj, "operating_area", where, limit=MAX_TITLE),
               "is_divided_by_gender": _flag(obj, "is_divided_by_gender", where),
               "municipality_type": _text(obj, "municipality_type", where, limit=MAX_CODE)}
    published = obj.get("publication_date")
    if published is not None and not (isinstance(published, str) and len(published) <= MAX_CODE):
        raise Malformed(f"{where}.publication_date", f"är {shown(published)}, inte ett datum")
    return {**checked, "publication_date": published}


def municipality(obj: object, where: str) -> dict:
    obj = _object(obj, where)
    kind = _field(obj, "type", where)
    if kind not in ("K", "L"):
        raise Malformed(f"{where}.type", f"är {shown(kind)}, inte K eller L")
    return {"id": _id(obj, "id", where, MUNICIPALITY_ID), "title": _text(obj, "title", where, True, MAX_TITLE),
            "type": kind}


def group(obj: object, where: str) -> dict:
    """A KPI group or a municipality group: id, title and ``members`` (``member_id`` each)."""
    obj = _object(obj, where)
    members = []
    for i, member in enumerate(_list(_field(obj, "members", where), f"{where}.members")):
        at = f"{where}.members[{i}]"
        member = _object(member, at)
        members.append({"member_id": _id(member, "member_id", at),
                        "member_title": _text(member, "member_title", at, limit=MAX_TITLE)})
    return {"id": _id(obj, "id", where), "title": _text(obj, "title", where, True, MAX_TITLE), "members": members}


def passed(obj: object, where: str) -> object:
    """No check (for callers that check the objects themselves)."""
    return obj
