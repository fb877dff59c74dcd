"""Safety of free text people type: what counts as a visible character, which characters are
refused at input, and what is stripped before text goes into a file another program reads.

Pure functions, no store and no Streamlit, so every input path (motivations, comments, names,
plan texts, upload comments) and every export writer uses the same rules.
"""

from __future__ import annotations

import unicodedata

# Line breaks and tabs are text; every other control, format or separator character is not.
ALLOWED_CONTROLS = frozenset("\n\r\t")
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
# Whitespace-like characters that are not category Z*: they show nothing on screen.
_INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def control_characters(text: str) -> list[str]:
    """The refused characters in ``text``, as ``U+XXXX`` codes in order of appearance, each once.

    Refused: control characters except line break and tab (NUL, BEL, VT, ESC, …), format
    characters (zero-width space U+200B, joiners, bidi overrides), line/paragraph separators,
    surrogates, private-use and unassigned code points."""
    seen: list[str] = []
    for ch in text:
        if ch in ALLOWED_CONTROLS:
            continue
        if unicodedata.category(ch) in _REFUSED_CATEGORIES:
            code = f"U+{ord(ch):04X}"
            if code not in seen:
                seen.append(code)
    return seen


def visible_length(text: str) -> int:
    """How many characters of ``text`` a reader sees: no whitespace, control, format or
    combining characters (so twelve zero-width spaces count as 0 and "e" + U+0301 as 1)."""
    count = 0
    for ch in unicodedata.normalize("NFC", text):
        category = unicodedata.category(ch)
        if ch.isspace() or ch in _INVISIBLE or category[0] in ("C", "Z") or category in ("Mn", "Me"):
            continue
        count += 1
    return count


def refusal(text: str, what: str, minimum: int = 1) -> str | None:
    """A Swedish reason why ``text`` cannot be stored as ``what`` (e.g. "Motiveringen"), or None.

    ``minimum`` counts visible characters (see :func:`visible_length`)."""
    bad = control_characters(text)
    if bad:
        return (f"{what} innehåller styrtecken som inte syns ({', '.join(bad[:5])}"
                f"{' …' if len(bad) > 5 else ''}); ta bort dem, t.ex. genom att skriva texten på nytt.")
    if visible_length(text) < minimum:
        return f"{what} saknas." if minimum <= 1 else f"{what} måste vara minst {minimum} synliga tecken."
    return None


def for_export(text: str) -> str:
    """``text`` with every refused character removed, for writers of XLSX, DOCX, PPTX and CSV
    (XML 1.0 forbids most control characters, and a file must never fail on one). Texts stored
    before input was checked may still hold them."""
    if text.isprintable() or not control_characters(text):
        return text
    return "".join(ch for ch in text if ch in ALLOWED_CONTROLS or unicodedata.category(ch) not in _REFUSED_CATEGORIES)
