"""Swedish (sv-SE) number formatting for everything the UI shows.

sv-SE writes ``1 234`` (space as thousands separator), ``5,69`` (decimal comma) and
``5,69 %``. A no-break space keeps numbers and their unit on one line on a projector.
"""

from __future__ import annotations

import math

NBSP = "\u00a0"
MISSING = "—"

UNIT_SUFFIX = {
    "procent": f"{NBSP}%",
    "tkr": f"{NBSP}tkr",
    "kr": f"{NBSP}kr",
    "dagar": f"{NBSP}dagar",
}


def format_number(value: float | int | None, decimals: int = 0) -> str:
    """``1234.5`` → ``1 234,5``; ``None``/NaN → ``—``; ``-1500`` → ``−1 500``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    text = f"{abs(value):,.{decimals}f}".replace(",", NBSP).replace(".", ",")
    # A minus sign (U+2212) reads better than a hyphen in tables.
    return f"−{text}" if value < 0 and text.strip("0,\u00a0") else text


MAX_DECIMALS = {"procent": 2, "index": 1, "dagar": 1}


def default_decimals(unit: str, value: float | None = None) -> int:
    """As few decimals as the value needs, up to the unit's maximum: ``62 %``, ``1,5 %``, ``5,69 %``."""
    most = MAX_DECIMALS.get(unit, 0)
    if value is None or most == 0:
        return 0
    for decimals in range(most + 1):
        if round(float(value), decimals) == round(float(value), most):
            return decimals
    return most


def format_value(value: float | int | None, unit: str, decimals: int | None = None) -> str:
    """Format a value for its indicator unit: ``5,69 %``, ``1 234 tkr``, ``Ja``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    if unit == "ja/nej":
        return "Ja" if value >= 1 else "Nej"
    if decimals is None:
        decimals = default_decimals(unit, value)
    return format_number(value, decimals) + UNIT_SUFFIX.get(unit, "")


def format_plain(value: float | int | None) -> str:
    """A number exactly as entered, in Swedish style: ``1 401``, ``5,69``, ``0,125``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    text = f"{float(value):.6f}".rstrip("0").rstrip(".")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return format_number(float(value), decimals)


_MARKDOWN_SPECIAL = set("\\`*_{}[]()#+-.!|<>~$:")


def escape_markdown(text: str) -> str:
    """User text shown through st.markdown/st.write without becoming links, images, HTML or
    formatting."""
    return "".join("\\" + ch if ch in _MARKDOWN_SPECIAL else ch for ch in str(text))
