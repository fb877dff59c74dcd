"""Swedish (sv-SE) formatting of the numbers, sizes and times the UI shows.

sv-SE writes ``1 234`` (space as thousands separator), ``5,69`` (decimal comma), ``5,69 %``,
``5,8 kB`` and ``2025-09-02 14:05``. A no-break space keeps numbers and their unit on one line on
a projector. Every shown number rounds half up (2,5 → 3; 0,125 → 0,13), as the reports do, on
the number as a person reads it: 2.675 is 2,68, although the float is 2.67499999….

The symbols are CLDR's for sv-SE (tests/test_periods_formatting.py checks them against babel);
babel itself is not used here: it rounds half to even, writes a hyphen for minus and costs
~50 ms to import on every page and command.
"""

from __future__ import annotations

import math
import numbers
import string
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Context, Decimal

NBSP = "\u00a0"
MISSING = "—"

UNIT_SUFFIX = {
    "procent": f"{NBSP}%",
    "tkr": f"{NBSP}tkr",
    "kr": f"{NBSP}kr",
    "dagar": f"{NBSP}dagar",
}


_WIDE = Context(prec=60)  # room for any float's digits and the decimals asked for


def _decimal(value: float | int | Decimal) -> Decimal:
    """The number as a person reads it: a float by its shortest representation (``2.675``)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, numbers.Integral):  # also numpy's integers
        return Decimal(int(value))
    return Decimal(repr(float(value)))


def round_half_up(value: float | int | Decimal, decimals: int = 0) -> Decimal:
    """Round halves away from zero at ``decimals`` places: 2,5 → 3, 0,125 → 0,13, 2.675 → 2,68,
    −2,5 → −3 (Python's ``round`` gives 2, 0,12, 2,67 and −2)."""
    return _decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP, context=_WIDE)


def _missing(value) -> bool:
    """None, NaN (also numpy's) and infinities: nothing a person can read as a number."""
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def format_number(value: float | int | None, decimals: int = 0) -> str:
    """``1234.5`` → ``1 234,5``; ``None``/NaN → ``—``; ``-1500`` → ``−1 500``; halves round up."""
    if _missing(value):
        return MISSING
    rounded = round_half_up(value, decimals)
    text = f"{abs(rounded):,.{decimals}f}".replace(",", NBSP).replace(".", ",")
    # A minus sign (U+2212) reads better than a hyphen in tables; −0,0 is 0,0.
    return f"−{text}" if rounded < 0 else text


MAX_DECIMALS = {"procent": 2, "index": 1, "dagar": 1}


def default_decimals(unit: str, value: float | None = None) -> int:
    """As few decimals as the value needs, up to the unit's maximum: ``62 %``, ``1,5 %``, ``5,69 %``."""
    most = MAX_DECIMALS.get(unit, 0)
    if _missing(value) or most == 0:
        return 0
    shown = round_half_up(value, most)
    return next(d for d in range(most + 1) if round_half_up(value, d) == shown)


def format_value(value: float | int | None, unit: str, decimals: int | None = None) -> str:
    """Format a value for its indicator unit: ``5,69 %``, ``1 234 tkr``, ``Ja``."""
    if _missing(value):
        return MISSING
    if unit == "ja/nej":
        return "Ja" if value >= 1 else "Nej"
    if decimals is None:
        decimals = default_decimals(unit, value)
    return format_number(value, decimals) + UNIT_SUFFIX.get(unit, "")


def format_plain(value: float | int | None) -> str:
    """A number exactly as entered (up to 6 decimals), in Swedish style: ``1 401``, ``5,69``,
    ``0,125``."""
    if _missing(value):
        return MISSING
    exponent = round_half_up(value, 6).normalize(_WIDE).as_tuple().exponent
    return format_number(value, max(0, -exponent))


_BYTE_UNITS = ("kB", "MB", "GB", "TB")


def format_bytes(size: int | None, decimals: int = 1) -> str:
    """A file size: ``812 byte``, ``5,8 kB``, ``20,3 MB`` (1 kB = 1 024 byte, as the upload limit
    counts); a size that rounds up to 1 024 of a unit is shown in the next one (``1,0 MB``)."""
    if _missing(size):
        return MISSING
    if abs(size) < 1024:
        return f"{format_number(size)}{NBSP}byte"
    amount = Decimal(int(size))
    for unit in _BYTE_UNITS:
        amount = amount / 1024
        if abs(round_half_up(amount, decimals)) < 1024 or unit == _BYTE_UNITS[-1]:
            return f"{format_number(amount, decimals)}{NBSP}{unit}"
    raise AssertionError("unreachable")


def _is_missing_time(value) -> bool:
    # None, NaN and pandas' NaT (which is neither None nor a float but is unequal to itself)
    return value is None or value != value


def _time_text(value, pattern: str) -> str:
    if _is_missing_time(value):
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return format(value, pattern)


def format_timestamp(value: datetime | str | None) -> str:
    """``2025-09-02 14:05``: minutes, no seconds, no ``00:00:00``; empty when there is none."""
    return _time_text(value, "%Y-%m-%d %H:%M")


def format_date(value: date | str | None) -> str:
    """``2025-09-02`` for a date or a timestamp; empty when there is none."""
    return _time_text(value, "%Y-%m-%d")


def display_frame(frame, *, timestamps=(), dates=(), counts=(), sizes=()):
    """A copy of a table for ``st.dataframe`` with the named columns as Swedish text: timestamps
    ``2025-09-02 14:05``, dates ``2025-09-02``, counts ``1 234``, sizes ``5,8 kB``. ISO dates still
    sort right as text."""
    shown = frame.copy()
    for columns, fmt in ((timestamps, format_timestamp), (dates, format_date), (counts, format_number),
                         (sizes, format_bytes)):
        for column in columns:
            shown[column] = [fmt(None if _is_missing_time(v) else v) for v in shown[column]]
    return shown


_MARKDOWN_SPECIAL = frozenset(string.punctuation)  # CommonMark lets every ASCII punctuation mark be escaped


def escape_markdown(text: str) -> str:
    """User text (a motivation, a comment, a name) shown through st.markdown, st.caption, st.info …
    as the text it is, never as Markdown: every ASCII punctuation mark is backslash-escaped (so no
    heading — ``# x`` or a ``====`` underline —, list, quote, link, image, HTML, emphasis, code,
    table, LaTeX ``$…$``, Streamlit's ``:red[…]`` or ``:emoji:``), each line break is kept as a hard
    break, and blanks at the start of a line are no-break spaces (no indented code block)."""
    lines = []
    for line in str(text).replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        body = line.lstrip(" \t")
        indent = line[:len(line) - len(body)].replace("\t", "    ")
        lines.append("\u00a0" * len(indent) + "".join("\\" + ch if ch in _MARKDOWN_SPECIAL else ch for ch in body))
    return "  \n".join(lines)
