"""Text people wrote is shown as text, never interpreted as Markdown or HTML: the one escaping
helper (formatting.escape_markdown) on a table of hostile inputs, and the Indikator and
Översikt pages showing a stored motivation and comment that look like Markdown."""

import re
import string

import pytest

from asn_dash import annotations
from asn_dash.app import render
from asn_dash.auth import User
from asn_dash.formatting import escape_markdown
from asn_dash.rules.verdicts import AREA
from asn_dash.store.setup import open_store

from .apptest import new_app, shown

ANNA = User("anna", "Anna Analytiker", "analytiker")
HOSTILE = [
    "# x", "###### sex", "Rubrikattack\n==========", "Underrubrik\n---", "[a](javascript:x)", "![bild](http://x/y.png)",
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "**b** och __c__ och *d*", "1. list", "2) lista",
    "- punkt\n+ punkt\n* punkt", "> quote", "$x$ och $$y$$", ":red[x] :material/home: :smile:", "`kod` och ```block```",
    "    indraget blir kod", "| a | b |\n|---|---|", "&amp; &#60;", "https://example.com www.example.com a@b.se",
    "~~struken~~", "rad ett\nrad två\n\nnytt stycke", "slut med bakstreck \\", "[^1] fotnot", "- [ ] uppgift",
]
HEADING = re.compile(r"^ {0,3}(#{1,6}(\s|$)|=+\s*$|-+\s*$)")


def unescaped(out: str) -> str:
    """What a reader sees of the helper's output: escapes removed, hard breaks as line breaks,
    no-break indentation as spaces."""
    return re.sub(r"\\(.)", r"\1", out.replace("  \n", "\n")).replace("\u00a0", " ")


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_shown_literally(text):
    out = escape_markdown(text)
    assert unescaped(out) == text  # nothing lost, nothing added
    escaped = False
    for ch in out:  # every Markdown-significant ASCII mark is escaped
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        else:
            assert ch not in string.punctuation, (text, out)
    for line in out.split("  \n"):
        assert not line.startswith((" ", "\t")), (text, out)  # no indented code block
        assert not HEADING.match(line) and not re.match(r"^\s*\d+[.)]\s", line), (text, out)


def test_user_text_in_html_is_escaped_and_keeps_its_line_breaks():
    assert render.text_html("Rubrik\n=====\r\n<script>x</script> & \"q\"") == \
        "Rubrik<br>=====<br>&lt;script&gt;x&lt;/script&gt; &amp; &quot;q&quot;"


ATTACK = "Rubrikattack\n==========\n# Rubrik två\n<script>alert(1)</script> [länk](javascript:alert(1)) :red[röd]"


def _store_attack(db):
    store = open_store(db)
    try:
        annotations.add_override(store, ANNA, 2025, "hushall_ekb", "2025-T2", "Gul", ATTACK)
        annotations.add_comment(store, ANNA, "hushall_ekb", "2025-T2", "Kommentar\n====\n**fet**")
        annotations.set_verdict(store, ANNA, 2025, AREA, "ekonomi", "2025-T2", "Gul", ATTACK)
    finally:
        store.close()


def _no_heading_from_user_text(at):
    bodies = [m.value for m in at.markdown if "Rubrikattack" in m.value] + \
             [c.value for c in at.caption if "Rubrikattack" in c.value]
    assert bodies
    for body in bodies:
        assert not any(HEADING.match(line) for line in body.split("\n")), body
        assert "javascript:" not in body and "<script>" not in body and ":red[" not in body
    return bodies


def test_the_indikator_page_shows_a_hostile_motivation_and_comment_as_text(seeded_db, monkeypatch):
    _store_attack(seeded_db)
    monkeypatch.setenv("ASN_DB", str(seeded_db))
    at = new_app()
    at.query_params.update({"indikator": "hushall_ekb", "planar": "2025", "period": "2025-T2"})
    at.run()
    at.switch_page("pages/indikator.py").run()
    assert not at.exception
    assert not any("Rubrikattack" in h.value for h in [*at.header, *at.subheader, *at.title])
    bodies = _no_heading_from_user_text(at)
    assert any(ATTACK in shown(b) for b in bodies)  # the literal text, line breaks and all
    assert any(t.value == "Kommentar\n====\n**fet**" for t in at.text)


def test_the_oversikt_page_shows_a_hostile_verdict_as_text(seeded_db, monkeypatch):
    _store_attack(seeded_db)
    monkeypatch.setenv("ASN_DB", str(seeded_db))
    at = new_app()
    at.query_params.update({"planar": "2025", "period": "2025-T2"})
    at.run()
    at.switch_page("pages/oversikt.py").run()
    assert not at.exception
    html = "".join(h.proto.body for h in at.get("html"))
    assert "Rubrikattack<br>==========<br># Rubrik två<br>&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert" not in html
    assert not any("Rubrikattack" in m.value for m in [*at.markdown, *at.header, *at.title])
