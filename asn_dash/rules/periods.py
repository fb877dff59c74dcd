"""Reporting periods and their canonical keys.

Every stored value belongs to one period, written as a short key:

* ``2025-03``  a calendar month,
* ``2025-T1``  tertial 1, January–April (delårsrapport 1, per 30 April),
* ``2025-T2``  tertial 2, January–August (per 31 August),
* ``2025``     the whole year (verksamhetsberättelse),
* ``2025-08-R12`` the rolling 12 months up to and including August 2025.

Tertials are cumulative from January, as in the committee's reports.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

MONTHS_SV = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]
MONTHS_SV_LONG = [
    "januari", "februari", "mars", "april", "maj", "juni",
    "juli", "augusti", "september", "oktober", "november", "december",
]

KIND_MONTH = "månad"
KIND_TERTIAL = "tertial"
KIND_YEAR = "år"
KIND_R12 = "r12"

_TERTIAL_END_MONTH = {1: 4, 2: 8}
_KEY_RE = re.compile(r"^(?P<year>\d{4})(?:-(?:(?P<month>\d{2})(?P<r12>-R12)?|T(?P<tertial>[12])))?$")


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period: a month, a cumulative tertial, a whole year, or the rolling 12
    months up to a month (``rolling`` with ``month`` set)."""

    year: int
    month: int | None = None
    tertial: int | None = None
    rolling: bool = False

    @property
    def kind(self) -> str:
        if self.rolling:
            return KIND_R12
        if self.month is not None:
            return KIND_MONTH
        if self.tertial is not None:
            return KIND_TERTIAL
        return KIND_YEAR

    @property
    def key(self) -> str:
        if self.rolling:
            return f"{self.year}-{self.month:02d}-R12"
        if self.month is not None:
            return f"{self.year}-{self.month:02d}"
        if self.tertial is not None:
            return f"{self.year}-T{self.tertial}"
        return f"{self.year}"

    @property
    def first_month(self) -> int:
        if self.rolling:
            return self.month % 12 + 1
        return self.month if self.month is not None else 1

    @property
    def first_year(self) -> int:
        return self.year - 1 if self.rolling and self.month < 12 else self.year

    @property
    def last_month(self) -> int:
        if self.month is not None:
            return self.month
        if self.tertial is not None:
            return _TERTIAL_END_MONTH[self.tertial]
        return 12

    @property
    def start(self) -> date:
        return date(self.first_year, self.first_month, 1)

    @property
    def end(self) -> date:
        last = self.last_month
        return date(self.year, last, calendar.monthrange(self.year, last)[1])

    def label(self) -> str:
        """Swedish label as the reports write it: ``mar 2025``, ``T2 2025``, ``helår 2025``,
        ``R12 t.o.m. aug 2025``."""
        if self.rolling:
            return f"R12 t.o.m. {MONTHS_SV[self.month - 1]} {self.year}"
        if self.month is not None:
            return f"{MONTHS_SV[self.month - 1]} {self.year}"
        if self.tertial is not None:
            return f"T{self.tertial} {self.year}"
        return f"helår {self.year}"

    def span_label(self) -> str:
        """The months a period covers, e.g. ``jan–aug 2025``, ``sep 2024–aug 2025``."""
        if self.rolling:
            first = MONTHS_SV[self.first_month - 1]
            last = MONTHS_SV[self.month - 1]
            if self.first_year != self.year:
                return f"{first} {self.first_year}–{last} {self.year}"
            return f"{first}–{last} {self.year}"
        if self.month is not None:
            return self.label()
        return f"{MONTHS_SV[0]}–{MONTHS_SV[self.last_month - 1]} {self.year}"

    def __str__(self) -> str:
        return self.key

    @property
    def code(self) -> int:
        """The integer the store keys values by: 202503 (month), 202541/202542 (T1/T2), 202500 (year).
        Rolling periods are computed, never stored, so they have none."""
        if self.rolling:
            raise ValueError(f"R12-perioden {self.key} lagras inte; den räknas fram ur månaderna.")
        if self.month is not None:
            return self.year * 100 + self.month
        if self.tertial is not None:
            return self.year * 100 + 40 + self.tertial
        return self.year * 100

    def shifted(self, years: int) -> "Period":
        """The same period ``years`` later (negative: earlier)."""
        return Period(self.year + years, month=self.month, tertial=self.tertial, rolling=self.rolling)

    def months(self) -> list["Period"]:
        """The calendar months the period covers."""
        if self.rolling:
            return rolling_12(Period(self.year, month=self.month))
        return [Period(self.year, month=m) for m in range(self.first_month, self.last_month + 1)]


def parse_key(key: str) -> Period:
    """Parse a canonical period key; raise ``ValueError`` with a Swedish message otherwise."""
    match = _KEY_RE.match(str(key).strip())
    if not match:
        raise ValueError(f"Ogiltig period '{key}': använd ÅÅÅÅ-MM, ÅÅÅÅ-T1, ÅÅÅÅ-T2, ÅÅÅÅ eller ÅÅÅÅ-MM-R12.")
    year = int(match["year"])
    if match["month"]:
        month = int(match["month"])
        if not 1 <= month <= 12:
            raise ValueError(f"Ogiltig period '{key}': månaden måste vara 01–12.")
        return Period(year, month=month, rolling=bool(match["r12"]))
    if match["tertial"]:
        return Period(year, tertial=int(match["tertial"]))
    return Period(year)


def from_code(code: int) -> Period:
    """The period of a store key (see :attr:`Period.code`)."""
    year, rest = divmod(int(code), 100)
    if rest == 0:
        return Period(year)
    if rest in (41, 42):
        return Period(year, tertial=rest - 40)
    if 1 <= rest <= 12:
        return Period(year, month=rest)
    raise ValueError(f"Ogiltig periodkod {code}.")


def month(year: int, month_no: int) -> Period:
    return Period(year, month=month_no)


def months_between(first: Period, last: Period) -> list[Period]:
    """All calendar months from the first month of ``first`` to the last month of ``last``."""
    out = []
    y, m = first.year, first.first_month
    while (y, m) <= (last.year, last.last_month):
        out.append(Period(y, month=m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def rolling_12(end: Period) -> list[Period]:
    """The 12 calendar months ending with the last month of ``end`` (R12)."""
    last = Period(end.year, month=end.last_month)
    first = Period(last.year - 1, month=last.month + 1) if last.month < 12 else Period(last.year, month=1)
    return months_between(first, last)


def periods_for_year(year: int, latest_month: int = 12) -> list[Period]:
    """The periods a user can pick within a year, newest first, up to ``latest_month``."""
    picks: list[Period] = []
    if latest_month >= 12:
        picks.append(Period(year))
    if latest_month >= 8:
        picks.append(Period(year, tertial=2))
    if latest_month >= 4:
        picks.append(Period(year, tertial=1))
    picks.append(Period(year, month=latest_month, rolling=True))
    picks.extend(Period(year, month=m) for m in range(latest_month, 0, -1))
    return picks
