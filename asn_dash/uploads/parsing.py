"""Reading the cells analysts write: blanks and names, numbers and periods.

Each rule that runs over a whole upload in DuckDB (a million rows stay fast) is written once as
data here and turned both into a SQL expression (``*_sql``, used by ``ingest._check``) and into
its Python twin (used for single values and unit tests); ``tests/test_parsing.py`` runs both
over the same table of cases so they cannot drift. The patterns use only what Python's ``re``
and DuckDB's RE2 read alike (explicit character classes, no ``\\d``/``\\s``).

**Number grammar** (after blanks at both ends are dropped):

* an optional minus, ``-`` or ``−``;
* digits, either plain (``1234``) or grouped in threes by a space, no-break space, narrow
  no-break space or thin space (``1 234 567``);
* optionally a decimal part: a comma and digits (``1 234,5``), or — only after plain digits, as
  systems write it — a point and digits (``1234.5``);
* optionally ``%``, with or without a space before it (``5,5 %``).

Rejected, each with a message that shows how to write it: both a point and a comma
(``1,234.5``, ``1.234,5``), several points or commas (``1.234.567``), space groups with a
decimal point (``1 234.5``), exponents (``1e5``), Excel errors (``#N/A``), anything else, and
the **ambiguous** ``1.234`` / ``1,234``: one to three digits (not starting with 0), then a
point or comma and exactly three digits. Written by a Swedish hand it is a decimal, by an
English system or a German Excel it is a thousand; a reader of the file cannot tell which, so
it is refused: write ``1234`` or ``1 234`` for the thousand, ``1,2340`` for the decimal.
``0,125`` and ``1234,567`` are not ambiguous (no thousands grouping could produce them).
"""

from __future__ import annotations

import math
import re
import sys
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from asn_dash.rules.periods import MONTHS_SV, MONTHS_SV_LONG, Period
from asn_dash.store.store import UTFALL, VALUE_KINDS

# --- blanks and names ----------------------------------------------------------------------

# Every blank an export or a paste can put in a cell: space, tab, line breaks, no-break and
# narrow no-break space, the typographic spaces, zero-width space and BOM.
BLANKS = (" \t\n\r\f\v\u00a0\u1680" + "".join(map(chr, range(0x2000, 0x200C)))
          + "\u2028\u2029\u202f\u205f\u3000\ufeff")
BLANK = f"[{BLANKS}]"
_EDGES = f"^{BLANK}+|{BLANK}+$"
_RUNS_RE = re.compile(f"{BLANK}+")
_NEWLINE = "\r\n?"


def _q(text: str) -> str:
    """A SQL string literal."""
    return "'" + str(text).replace("'", "''") + "'"


def clean(text: str) -> str:
    """A cell without blanks at either end."""
    return text.strip(BLANKS)


def clean_sql(expr: str) -> str:
    # the regular expression only where a cell starts or ends with a blank: most do not
    text = f"coalesce({expr}, '')"
    return (f"(CASE WHEN contains({_q(BLANKS)}, left({text}, 1)) OR contains({_q(BLANKS)}, right({text}, 1)) "
            f"THEN regexp_replace({text}, {_q(_EDGES)}, '', 'g') ELSE {text} END)")


def name_key(text: str) -> str:
    """How names and headers are compared: letters composed (NFC: an ``ö`` written as ``o`` and
    a combining diaeresis, as macOS and some web systems do, is the ``ö`` of the catalogue),
    blanks at the ends dropped, every run of blanks inside (tabs, no-break spaces, double
    spaces) one space, lower case."""
    return _RUNS_RE.sub(" ", unicodedata.normalize("NFC", text)).strip(" ").lower()


def name_key_sql(expr: str) -> str:
    return f"lower(trim(regexp_replace(nfc_normalize(coalesce({expr}, '')), {_q(BLANK + '+')}, ' ', 'g')))"


def comment_text(text: str) -> str:
    """A comment as stored: line breaks as ``\\n``, no blanks at the ends, no export guard."""
    return unguard(clean(re.sub(_NEWLINE, "\n", text)))


def comment_sql(expr: str) -> str:
    return unguard_sql(clean_sql(f"regexp_replace({expr}, {_q(_NEWLINE)}, '\n', 'g')"))


# --- the export guard against spreadsheet formulas (OWASP CSV injection) -----------------

_FORMULA = "[=+\\-@\t\r]"
_GUARDED = f"^'+{_FORMULA}"  # what an export wrote: one apostrophe more than the text had


def guard(text: str) -> str:
    """Text a spreadsheet will not run as a formula: a leading apostrophe before ``= + - @``,
    tab or CR — also before apostrophes that already precede one, so ``unguard`` is exact."""
    return "'" + text if re.match(f"'*{_FORMULA}", text) else text


def unguard(text: str) -> str:
    return text[1:] if re.match(_GUARDED, text) else text


def unguard_sql(expr: str) -> str:
    return f"(CASE WHEN regexp_matches({expr}, {_q(_GUARDED)}) THEN ({expr})[2:] ELSE {expr} END)"


# --- numbers -----------------------------------------------------------------------------

_SIGN = "[-−]?"
_GROUP = "[ \u00a0\u202f\u2009]"  # thousands separators
_PCT = f"(?:{_GROUP}*%)?"

AMBIGUOUS = ("tvetydigt tal: tre siffror efter punkt eller komma kan vara tusental; skriv 1234 eller 1 234 "
             "för tusental, 1,2340 för ett decimaltal")
BOTH_MARKS = ("både punkt och komma; skriv decimaler med komma och tusental med mellanslag, t.ex. 1 234,5 "
              "(eller 1234.5 utan tusentalsavgränsare)")
SEVERAL_MARKS = ("flera punkter eller komman; skriv tusental med mellanslag och högst ett decimaltecken, "
                 "t.ex. 1 234 567,5")
GROUPS_WITH_POINT = "tusental med mellanslag kräver decimalkomma; skriv 1 234,5 (eller 1234.5 utan mellanslag)"
EXPONENT = "tal med exponent tas inte emot; skriv talet utan exponent, t.ex. 1500 eller 0,0015"
EXCEL_ERROR = "cellen innehåller ett Excel-fel; rätta formeln i filen eller skriv in värdet"
NOT_A_NUMBER = "inte ett tal; skriv t.ex. 1234, 1 234,5, 1234.5, -2 eller 5,5 %"
TOO_LARGE = "talet är för stort"

_AMBIGUOUS = f"{_SIGN}[1-9][0-9]{{0,2}}[.,][0-9]{{3}}{_PCT}"  # 1.234, 1,234

# (pattern, message): the first pattern matching the whole cell decides; None = a number.
NUMBER_RULES: list[tuple[str, str | None]] = [
    (f"{_SIGN}[0-9]+{_PCT}", None),  # 1234, -5, 12 %: most cells, so first
    (_AMBIGUOUS, AMBIGUOUS),
    (f"{_SIGN}[0-9]+[.,][0-9]+{_PCT}", None),  # 1234,5, 1234.5, 0,125
    (f"{_SIGN}[0-9]{{1,3}}(?:{_GROUP}[0-9]{{3}})+(?:,[0-9]+)?{_PCT}", None),  # 1 234, 1 234,5
    (f"{_SIGN}[0-9]{{1,3}}(?:{_GROUP}[0-9]{{3}})+[.][0-9]+{_PCT}", GROUPS_WITH_POINT),  # 1 234.5
    ("#.*", EXCEL_ERROR),  # #N/A, #DIV/0!
    (".*,.*[.].*|.*[.].*,.*", BOTH_MARKS),  # 1,234.5, 1.234,5
    (".*[.,].*[.,].*", SEVERAL_MARKS),  # 1.234.567, 12,5,3
    (f"{_SIGN}[0-9]+(?:[.,][0-9]+)?[eE][-+]?[0-9]+", EXPONENT),  # 1e5, 1,5E-3
]
_DROP = f"[{_GROUP[1:-1]}%]"  # what is removed before the cast: group separators and %


@dataclass(frozen=True)
class Number:
    value: float
    percent: bool  # written with %


def parse_number(text: str) -> Number:
    """One cell by the number grammar; ``ValueError`` with the Swedish reason."""
    text = clean(text)
    message = NOT_A_NUMBER
    for pattern, rule in NUMBER_RULES:
        if re.fullmatch(pattern, text):  # compiled on first use and cached by re
            message = rule
            break
    if message:
        raise ValueError(message)
    value = float(re.sub(_DROP, "", text.replace("−", "-")).replace(",", "."))
    if math.isinf(value):
        raise ValueError(TOO_LARGE)
    return Number(value, text.endswith("%"))


@dataclass(frozen=True)
class NumberSql:
    """SQL expressions over one cleaned text expression: the reason it is not a number
    (NULL when it is), the number (valid only when the reason is NULL), whether it has %, and
    whether it is *plain* (digits with at most one decimal comma, not ambiguous)."""

    error: str
    value: str
    percent: str
    plain: str


def _plain_sql(text: str) -> str:
    """Most cells (``395``, ``12,5``) need no other rule: only digits and at most one comma, not
    at either end, and not the ambiguous ``1,234`` — these are numbers by the grammar and a plain
    cast reads them. Everything else goes through :data:`NUMBER_RULES`. (Two regular expressions
    cost a tenth of the string functions they replaced.)"""
    return (f"(regexp_full_match({text}, '[0-9]+(?:,[0-9]+)?') "
            f"AND NOT regexp_full_match({text}, '[1-9][0-9]{{0,2}},[0-9]{{3}}'))")


def number_sql(text: str, plain: str | None = None) -> NumberSql:
    """``plain``: a column holding :attr:`NumberSql.plain` already (evaluated once per row). A
    plain cell is cast once and needs no other rule: every branch below tests it first."""
    is_plain = plain or _plain_sql(text)
    cast = f"TRY_CAST(replace({text}, ',', '.') AS DOUBLE)"
    value = (f"TRY_CAST(replace(regexp_replace(replace({text}, '−', '-'), {_q(_DROP)}, '', 'g'), ',', '.')"
             f" AS DOUBLE)")
    rules = " ".join(f"WHEN regexp_full_match({text}, {_q(p)}) THEN {_q(m) if m else 'NULL'}"
                     for p, m in NUMBER_RULES)
    error = (f"(CASE {rules} ELSE {_q(NOT_A_NUMBER)} END)")
    error = f"coalesce({error}, CASE WHEN isinf({value}) THEN {_q(TOO_LARGE)} END)"
    # a plain cell is at most 1e308 when it has at most 308 digits: the cast is then finite
    return NumberSql(f"(CASE WHEN {is_plain} THEN (CASE WHEN length({text}) <= 308 THEN NULL WHEN isinf({cast}) "
                     f"THEN {_q(TOO_LARGE)} END) ELSE {error} END)",
                     f"(CASE WHEN {is_plain} THEN {cast} ELSE {value} END)",
                     f"(CASE WHEN {is_plain} THEN false ELSE ends_with({text}, '%') END)", _plain_sql(text))


def number_text(value: float | int, scale: int = 0) -> str:
    """The exact text of a number that the grammar reads back to the same float: the shortest
    digits that round-trip, decimal comma, no exponent, and a trailing 0 where the text would
    be ambiguous (``1,2340``). ``scale=2`` gives a fraction as percent (0.85 → ``85``)."""
    if isinstance(value, bool) or not math.isfinite(value):
        raise ValueError(f"not a finite number: {value!r}")
    if isinstance(value, int) and scale == 0:
        return str(value)
    exact = Decimal(repr(float(value))).scaleb(scale)  # repr: the shortest digits that round-trip
    text = format(exact, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    text = text.replace(".", ",")
    return text + "0" if re.fullmatch(_AMBIGUOUS, text) else text


# --- value kinds -------------------------------------------------------------------------

KIND_ERROR = "okänd värdetyp; skriv utfall, prognos eller budget (tom cell = utfall)"


def parse_kind(text: str) -> int:
    """A ``typ`` cell: the code of its value kind (``utfall``, ``prognos``, ``budget``, any case;
    an empty cell is utfall). ``ValueError`` with the Swedish reason otherwise."""
    word = clean(text).lower()
    if not word:
        return VALUE_KINDS[UTFALL]
    if word in VALUE_KINDS:
        return VALUE_KINDS[word]
    raise ValueError(KIND_ERROR)


def kind_sql(expr: str) -> str:
    """The SQL twin of :func:`parse_kind`: the code, or NULL when the cell is not a kind."""
    whens = " ".join(f"WHEN {_q(name)} THEN {code}" for name, code in VALUE_KINDS.items())
    return f"(CASE lower({clean_sql(expr)}) WHEN '' THEN {VALUE_KINDS[UTFALL]} {whens} END)"


# --- periods -----------------------------------------------------------------------------

_EN = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
       "november", "december"]
MONTH_WORDS: dict[str, int] = {}
for _n in range(12):
    for _w in (MONTHS_SV[_n], MONTHS_SV_LONG[_n], _EN[_n], _EN[_n][:3]):
        MONTH_WORDS[_w] = _n + 1
MONTH_WORDS.update({"sept": 9, "okt.": 10})

FIRST_YEAR = 2000  # the earliest year an upload may hold; the latest is next year
_YYYY_MM = re.compile(r"^([0-9]{4})(?:[-/]([0-9]{1,2})|[.]([0-9]{2}))$")  # 2025.1 may be Excel's 2025.10
_DATE = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[ t].*)?$")
_WORD_YEAR = re.compile(r"^([a-zåäö]+)\.?\s+([0-9]{4})$")
_TERTIAL = re.compile(r"^(?:([0-9]{4})[- ]t([12])|t([12]) ([0-9]{4})|tertial ([12]) ([0-9]{4}))$")
_YEAR = re.compile(r"^(?:helår |år )?([0-9]{4})$")
_SERIAL = re.compile(r"^[0-9]{5}$")
_EXCEL_1900 = date(1899, 12, 30)
_EXCEL_1904 = date(1904, 1, 1)
YEAR_MARK = "år "  # a wide row's year cell that is not a year, handed over as "år <cell>"


def parse_period(raw: object, today: date | None = None, *, date1904: bool = False) -> Period:
    """``2025-03``, ``mars 2025``, ``mar 2025``, ``2025-03-31``, an Excel date (a date or its
    serial number), ``T1 2025``, ``2025-T2``, ``helår 2025``, ``2025``. Years from 2000 to next
    year. Raises ``ValueError`` with the reason in Swedish. A period still running is a period:
    whether its value may be stored depends on the value kind (:func:`unfinished`)."""
    if today is None:
        from asn_dash import clock

        today = clock.today()
    np = sys.modules.get("numpy")  # a numpy date can only come from code that imported numpy
    if np is not None and isinstance(raw, np.datetime64):
        import pandas as pd

        raw = pd.Timestamp(raw)
    if isinstance(raw, (datetime, date)):
        period = Period(raw.year, month=raw.month)
    else:
        text = " ".join(unicodedata.normalize("NFC", str(raw)).strip().lower().split())
        if not text:
            raise ValueError("perioden saknas")
        period = _parse_text(text, date1904)
    last = today.year + 1
    if not FIRST_YEAR <= period.year <= last:
        raise ValueError(f"året {period.year} ligger utanför det tillåtna intervallet {FIRST_YEAR}–{last}")
    return period


def unfinished(period: Period, today: date) -> str | None:
    """Why an utfall (outcome) cannot be stored for ``period`` yet, or None: its last day is after
    ``today``. A prognos or budget for the same period is fine (the kinds are told apart in the
    upload's ``typ`` column)."""
    if period.end <= today:
        return None
    end = f"{period.end.day} {MONTHS_SV[period.end.month - 1]} {period.end.year}"
    return (f"perioden {period.label()} är inte slut förrän {end}; ett utfall kan bara laddas upp för en avslutad "
            f"period – ladda upp värdet som prognos (kolumnen typ: prognos) eller vänta tills perioden är slut")


def _parse_text(text: str, date1904: bool = False) -> Period:
    if text.endswith("-r12"):
        raise ValueError("R12-perioder räknas fram av panelen och laddas inte upp; ladda upp månadsvärden")
    if m := _YYYY_MM.match(text):
        month = int(m[2] or m[3])
        if 1 <= month <= 12:
            return Period(int(m[1]), month=month)
    elif m := _DATE.match(text):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
        try:
            date(year, month, day)
        except ValueError:
            raise ValueError("ogiltigt datum") from None
        return Period(year, month=month)
    elif (m := _WORD_YEAR.match(text)) and m[1] in MONTH_WORDS:
        return Period(int(m[2]), month=MONTH_WORDS[m[1]])
    elif m := _TERTIAL.match(text):
        year = m[1] or m[4] or m[6]
        tertial = m[2] or m[3] or m[5]
        return Period(int(year), tertial=int(tertial))
    elif m := _YEAR.match(text):
        return Period(int(m[1]))
    elif _SERIAL.match(text):  # an Excel date saved as its number (a 5-digit day count)
        day = (_EXCEL_1904 if date1904 else _EXCEL_1900) + timedelta(days=int(text))
        return Period(day.year, month=day.month)
    elif text.startswith(YEAR_MARK):
        raise ValueError("okänt år; skriv året med fyra siffror, t.ex. 2025")
    raise ValueError("okänd period; skriv t.ex. 2025-03, mars 2025, 2025-03-31, T1 2025 eller 2025")


def month_header(header: str) -> int | Period | None:
    """A wide layout's month column: 1–12 for ``jan`` … ``dec`` (needs a year column), the month
    of a header written as a period (``2025-01``), else None. Years are checked per cell."""
    key = name_key(header).rstrip(".")
    if key in MONTH_WORDS:
        return MONTH_WORDS[key]
    if _SERIAL.match(key):
        return None
    try:
        period = _parse_text(key)
    except ValueError:
        return None
    return period if period.kind == "månad" else None
