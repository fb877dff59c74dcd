"""Every place people enter text refuses invisible and control characters (asn_dash.texts):
comments, verdict motivations and overrides, målområde/nämndmål verdicts, running-order names,
user names, and the comment column of an upload (through the real CLI)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from asn_dash import agendas, annotations, auth
from asn_dash.auth import User
from asn_dash.rules.verdicts import AREA, GOAL

from .apptest import new_app, shown
from .ingest_helpers import dump

ROOT = Path(__file__).resolve().parent.parent
ANNA = User("anna", "Anna Analytiker", "analytiker")
ZWSP, NUL, BEL, RLO, FILLER = "\u200b", "\x00", "\x07", "\u202e", "\u3164"


def everything(s) -> list:
    return [s.query(f"SELECT * FROM {t} ORDER BY ALL").values.tolist()
            for t in ("comments", "verdicts", "agendas", "audit_log")]


HOSTILE = [
    (ZWSP * 12, "innehåller styrtecken som inte syns (U+200B)"),
    (NUL * 12, "innehåller styrtecken som inte syns (U+0000)"),
    ("Bra förklaring" + BEL + " här", "(U+0007)"),
    ("Motivering " + RLO + "gnirevitom", "(U+202E)"),
    (FILLER * 12, None),  # visible_length 0: too short / missing
]


@pytest.mark.parametrize("text, reason", HOSTILE)
def test_hostile_comments_and_verdicts_are_refused_and_nothing_is_written(s, text, reason):
    before = everything(s)
    calls = [
        (lambda: annotations.add_comment(s, ANNA, "hushall_ekb", "2025-T2", text), "Kommentaren", "saknas."),
        (lambda: annotations.add_override(s, ANNA, 2025, "hushall_ekb", "2025-T2", "Gul", text),
         "En kommentar som motiverar ändringen", "måste vara minst 10 synliga tecken."),
        (lambda: annotations.set_verdict(s, ANNA, 2025, AREA, "ekonomi", "2025-T2", "Grön", text),
         "Motiveringen", "saknas."),
        (lambda: annotations.set_verdict(s, ANNA, 2025, GOAL, "klimat", "2025-T2", "Grön", text),
         "Motiveringen", "saknas."),
        (lambda: annotations.set_manual_status(s, ANNA, "vald_fragor", "2025-T2", "Gul", text),
         "Motiveringen", "saknas."),
    ]
    for call, what, short in calls:
        with pytest.raises(annotations.AnnotationError) as refused:
            call()
        message = str(refused.value)
        assert message.startswith(what)
        assert message.endswith(short) if reason is None else reason in message
    assert everything(s) == before


def test_real_text_with_line_breaks_and_tabs_is_kept(s):
    text = "Två skäl:\n\t1. fler hushåll\r\n\t2. högre hyror"
    annotations.add_override(s, ANNA, 2025, "hushall_ekb", "2025-T2", "Gul", text)
    annotations.add_comment(s, ANNA, "hushall_ekb", "2025-T2", "é" + "\u0301" + "n kommentar")
    assert annotations.active_overrides(s, 2025, "2025-T2")["hushall_ekb"].comment == text


@pytest.mark.parametrize("name, message", [
    ("Nämnden" + ZWSP + "oktober", "Namnet innehåller styrtecken som inte syns (U+200B)"),
    (NUL, "Namnet innehåller styrtecken som inte syns (U+0000)"),
    (FILLER * 3, "Ge dagordningen ett namn"),
    ("Nämnden\noktober", "Namnet får inte innehålla radbrytningar eller tabbar."),
])
def test_running_order_names_follow_the_rule(s, name, message):
    before = everything(s)
    with pytest.raises(agendas.AgendaError) as refused:
        agendas.save(s, ANNA, name, ["hushall_ekb"])
    assert str(refused.value).startswith(message)
    assert everything(s) == before


@pytest.mark.parametrize("name, message", [(FILLER * 3, "Namnet saknas."),
                                           ("Anna" + ZWSP, "Namnet får inte innehålla radbrytningar")])
def test_user_names_follow_the_rule(tmp_path, name, message):
    with pytest.raises(auth.UsersFileError, match=message):
        auth.add_user(tmp_path / "users.toml", "anna", name, auth.ANALYTIKER, "ett-bra-losen-1")
    assert not (tmp_path / "users.toml").exists()


def ingest(db, path, env=None):
    return subprocess.run([sys.executable, "-m", "asn_dash", "ingest", str(path), "--db", str(db)], cwd=ROOT,
                          capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=120,
                          check=False)


@pytest.mark.parametrize("comment, code", [("ok" + BEL + "ja", "U+0007"), ("Bra" + ZWSP + "jobb", "U+200B"),
                                           ("\x1b[31mröd", "U+001B"), ("mjuk\u00adbindestreck", "U+00AD")])
def test_an_upload_comment_with_a_control_character_is_a_row_error(seeded_db, tmp_path, comment, code):
    path = tmp_path / "f.csv"
    path.write_bytes(("indikator;enhet;period;värde;Kommentar\r\nhushall_ekb;;2025-03;390;Bra\r\n"
                      f"hushall_ekb;;2025-04;391;{comment}\r\n").encode())
    before = dump(seeded_db)
    out = ingest(seeded_db, path)
    assert out.returncode == 2, out.stdout + out.stderr
    echoed = comment  # the message shows each refused character by its code
    for ch in (BEL, ZWSP, "\x1b", "\u00ad"):
        echoed = echoed.replace(ch, f"<U+{ord(ch):04X}>")
    assert f"f.csv, rad 3, kolumn 'Kommentar' (värde '{echoed}'): " in out.stdout + out.stderr
    assert "\x1b" not in out.stdout + out.stderr  # the terminal is never sent an escape sequence
    assert f"kommentaren innehåller styrtecken som inte syns ({code}); ta bort dem" in out.stdout + out.stderr
    assert "1 fel. Inget har lästs in." in out.stdout + out.stderr
    assert dump(seeded_db) == before


def test_an_upload_comment_in_swedish_with_dashes_and_line_breaks_loads(seeded_db, tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(('indikator;enhet;period;värde;kommentar\r\nhushall_ekb;;2025-03;390;"Ökning – se “bilaga”\r\n'
                      'rad två"\r\n').encode())
    out = ingest(seeded_db, path)
    assert out.returncode == 0, out.stdout + out.stderr
    from asn_dash.store.setup import open_store
    store = open_store(seeded_db)
    try:
        assert "Ökning – se “bilaga”\nrad två" in store.query("SELECT text FROM comments")["text"].tolist()
    finally:
        store.close()


def test_the_override_form_shows_the_swedish_reason(seeded_db, monkeypatch):
    monkeypatch.setenv("ASN_DB", str(seeded_db))
    at = new_app()
    at.query_params.update({"indikator": "hushall_ekb", "planar": "2025", "period": "2025-T2"})
    at.run()
    at.switch_page("pages/indikator.py").run()
    at.session_state["indikator-verdict-open"] = True
    at.run()
    at.radio(key="verdict_colour").set_value("Gul")
    at.text_area(key="verdict_text").input(ZWSP * 12)
    next(b for b in at.button if b.label == "Spara bedömning").click().run()
    assert not at.exception
    assert shown(at.error[0].value).startswith(
        "En kommentar som motiverar ändringen innehåller styrtecken som inte syns (U+200B); ta bort dem")


def test_an_xlsx_comment_with_a_zero_width_space_is_a_row_error(seeded_db, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    for row in (["indikator", "enhet", "period", "värde", "kommentar"], ["hushall_ekb", "", "2025-03", 390, "Bra"],
                ["hushall_ekb", "", "2025-04", 391, "Ökning" + ZWSP + RLO]):
        book.active.append(row)
    path = tmp_path / "f.xlsx"
    book.save(path)
    before = dump(seeded_db)
    out = ingest(seeded_db, path)
    assert out.returncode == 2, out.stdout + out.stderr
    assert ("f.xlsx, rad 3, kolumn 'kommentar' (värde 'Ökning<U+200B><U+202E>'): kommentaren innehåller styrtecken som inte syns "
            "(U+200B, U+202E); ta bort dem") in out.stdout + out.stderr
    assert dump(seeded_db) == before
