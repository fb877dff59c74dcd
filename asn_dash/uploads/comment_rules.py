"""An upload's comment cells follow the rule of every comment typed on a page
(:func:`asn_dash.texts.refusal`): a control or format character (NUL, ESC, a zero-width space, a
bidi override, …) refuses the row, with the row and the column ``kommentar``.

Most comments are plain Latin-1 text: SQL picks the few distinct comments with any other
character, and only those are checked in Python, so a million-row upload stays fast.
"""

from __future__ import annotations

from asn_dash import texts

# Everything outside printable ASCII, line breaks, tab and printable Latin-1 (no soft hyphen U+00AD,
# a format character) is worth a closer look.
_SUSPECT = r"[^\x{20}-\x{7E}\n\r\t\x{A0}-\x{AC}\x{AE}-\x{FF}]"


def refused(cur, table: str = "staged") -> list[tuple[str, str]]:
    """(comment, reason) for each distinct comment of ``table`` that may not be stored."""
    suspects = cur.execute(f"SELECT DISTINCT comment FROM {table} WHERE comment <> ''"
                           f" AND regexp_matches(comment, '{_SUSPECT}')").fetchall()
    out = []
    for (comment,) in suspects:
        reason = texts.refusal(comment, "Kommentaren", 0)
        if reason:
            out.append((comment, reason[0].lower() + reason[1:]))
    return out
