"""No command writes over what the product owns (asn_dash.outputs), templates with macros are
refused, unknown ids are errors in every command, and a stored control character never breaks
an export. All through the real command line in a subprocess, on a real store file."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "asn_dash", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=900, check=False)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def opens(store: Path) -> int:
    con = duckdb.connect(str(store), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM observations").fetchone()[0]
    finally:
        con.close()


# --- 1. outputs never replace an owned file -------------------------------------------------------

def _target(kind: str, store: Path, tmp_path: Path, seeded_template: Path) -> Path:
    """A path that reaches something the product owns, as a user might type it."""
    if kind == "store":
        return store
    if kind == "wal":
        return Path(f"{store}.wal")
    if kind == "users":
        return Path(os.environ["ASN_USERS"])  # conftest points it into tmp_path; the file is made below
    if kind == "hard link to the store":
        os.link(store, tmp_path / "kopia.xlsx")
        return tmp_path / "kopia.xlsx"
    if kind == "'..' to the store":
        (tmp_path / "ut" / "under").mkdir(parents=True)
        return tmp_path / "ut" / "under" / ".." / ".." / store.name
    if kind == "symlink to the store":
        (tmp_path / "länk.xlsx").symlink_to(store)
        return tmp_path / "länk.xlsx"
    if kind == "another DuckDB file":
        shutil.copy(seeded_template, tmp_path / "säkerhetskopia.xlsx")
        return tmp_path / "säkerhetskopia.xlsx"
    if kind == "secrets":
        return ROOT / ".streamlit" / "secrets.toml"
    if kind == "catalogue":
        return ROOT / "data" / "catalogue" / "units.yaml"
    if kind == "seed":
        return ROOT / "data" / "seed" / "assessments.csv"
    if kind == "source":
        return ROOT / "asn_dash" / "cli.py"
    if kind == "top-level source":
        return ROOT / "pyproject.toml"
    raise AssertionError(kind)


KINDS = ["store", "wal", "users", "hard link to the store", "'..' to the store", "symlink to the store",
         "another DuckDB file", "secrets", "catalogue", "seed", "source", "top-level source"]


def _command(command: str, target: Path, store: Path) -> list[str]:
    if command == "export":
        return ["export", "--format", "xlsx", "-o", str(target), "--db", str(store)]
    if command == "export csv":
        return ["export", "--format", "csv", "-o", str(target), "--db", str(store)]
    if command == "report":
        return ["report", "--period", "2025-T2", "--format", "pptx", "-o", str(target), "--db", str(store)]
    if command == "demo":
        return ["demo", "--out", str(target)]
    if command == "users":
        return ["users", "add", "ny", "--role", "läsare", "--password", "ett långt lösenord", "--file", str(target)]
    if command == "init":
        return ["init", "--force", "--db", str(target)]
    raise AssertionError(command)


CASES = [(c, k) for c in ("export", "export csv", "report", "demo") for k in KINDS]
CASES += [("users", k) for k in KINDS if k != "users"]  # the users file is what `users` writes
# `init` writes the store itself (a link to it is the store too); it must not replace anything else
CASES += [("init", k) for k in ("wal", "users", "secrets", "catalogue", "seed", "source", "top-level source")]


@pytest.mark.parametrize("command, kind", CASES, ids=[f"{c}-{k}" for c, k in CASES])
def test_no_command_writes_over_an_owned_file(command, kind, seeded_db, seeded_template, tmp_path):
    users = Path(os.environ["ASN_USERS"])
    users.write_text('[users.anna]\nname = "Anna"\nrole = "admin"\npassword_hash = "x"\n', encoding="utf-8")
    target = _target(kind, seeded_db, tmp_path, seeded_template)
    existed = target.exists()
    before = {p: sha256(p) for p in {seeded_db, users, target} if p.exists()}
    rows = opens(seeded_db)

    done = run(*_command(command, target, seeded_db))

    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [done.stderr.strip()] and done.stderr.startswith(f"Fel: {target} får inte "
                                                                                         f"skrivas: den "), done.stderr
    assert "Välj en annan fil; inget har skrivits." in done.stderr
    assert {p: sha256(p) for p in before} == before
    assert target.exists() == existed
    assert opens(seeded_db) == rows
    assert not list(tmp_path.glob(".*.tmp")) and not list(seeded_db.parent.glob(".*.tmp"))


@pytest.mark.parametrize("kind, words", [
    ("store", "den är datalagret"), ("wal", "den är datalagrets logg (.wal)"), ("users", "den är användarfilen"),
    ("hard link to the store", "den är en hård länk till datalagret"),
    ("'..' to the store", "den är datalagret"), ("symlink to the store", "den är en länk till datalagret"),
    ("another DuckDB file", "den är en DuckDB-databas"), ("secrets", "appens inställningar och hemligheter i .streamlit"),
    ("catalogue", "projektets data i data/"), ("source", "programmets källkod"),
])
def test_the_refusal_says_what_the_file_is(kind, words, seeded_db, seeded_template, tmp_path):
    target = _target(kind, seeded_db, tmp_path, seeded_template)
    done = run("export", "--format", "csv", "-o", str(target), "--db", str(seeded_db))
    assert done.returncode == 2 and words in done.stderr, done.stderr


def test_a_wal_beside_any_duckdb_file_and_a_hard_link_to_data_are_refused(seeded_db, seeded_template, tmp_path):
    other = tmp_path / "annan.duckdb"
    shutil.copy(seeded_template, other)
    done = run("export", "--format", "csv", "-o", f"{other}.wal", "--db", str(seeded_db))
    assert done.returncode == 2 and "datalagrets logg (.wal)" in done.stderr, done.stderr
    assert not Path(f"{other}.wal").exists()
    linked = tmp_path / "katalog.csv"
    os.link(ROOT / "data" / "catalogue" / "units.yaml", linked)
    before = sha256(linked)
    done = run("export", "--format", "csv", "-o", str(linked), "--db", str(seeded_db))
    assert done.returncode == 2 and "en hård länk till projektets data i data/" in done.stderr, done.stderr
    assert sha256(linked) == before


def test_ordinary_targets_are_still_written(seeded_db, tmp_path):
    """The checks refuse owned files only: a new file, a symlink to an unowned file and an old
    report beside the store are written (the symlink replaced, its target left alone)."""
    unowned = tmp_path / "annat.txt"
    unowned.write_text("orört")
    (tmp_path / "via-länk.csv").symlink_to(unowned)
    (tmp_path / "gammal.csv").write_text("gammal")
    for name in ("ny.csv", "via-länk.csv", "gammal.csv"):
        done = run("export", "--format", "csv", "-o", str(tmp_path / name), "--db", str(seeded_db),
                   "--indicator", "hushall_ekb")
        assert done.returncode == 0, done.stderr
        assert (tmp_path / name).read_bytes().startswith("\ufeffindikator;enhet;period".encode())
    assert unowned.read_text() == "orört"
    assert not (tmp_path / "via-länk.csv").is_symlink()


def test_demo_still_regenerates_its_own_file_and_users_still_writes_the_users_file(tmp_path):
    demo = ROOT / "data" / "seed" / "demo.csv"
    before = sha256(demo)
    done = run("demo")
    assert done.returncode == 0, done.stderr
    assert sha256(demo) == before  # deterministic, and allowed to write its own file
    users = Path(os.environ["ASN_USERS"])
    done = run("users", "add", "ny", "--role", "läsare", "--password", "ett långt lösenord")
    assert done.returncode == 0, done.stderr
    assert "[users.ny]" in users.read_text(encoding="utf-8")


# --- 2. templates ---------------------------------------------------------------------------------

def _rezip(source: Path, target: Path, extra: dict[str, bytes] | None = None,
           replace: tuple[bytes, bytes] | None = None) -> Path:
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            if replace and info.filename == "[Content_Types].xml":
                assert replace[0] in data
                data = data.replace(*replace)
            out.writestr(info, data)
        for name, data in (extra or {}).items():
            out.writestr(name, data)
    return target


@pytest.fixture
def clean_templates(tmp_path) -> dict[str, Path]:
    from docx import Document
    from pptx import Presentation

    Presentation().save(tmp_path / "ren.pptx")
    Document().save(tmp_path / "ren.docx")
    return {"pptx": tmp_path / "ren.pptx", "docx": tmp_path / "ren.docx"}


VBA = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504  # an OLE compound file's header, as vbaProject.bin has


@pytest.mark.parametrize("fmt", ["pptx", "docx", "pdf"])
def test_a_template_with_macros_is_refused_before_anything_is_written(fmt, clean_templates, seeded_db, tmp_path):
    suffix = "pptx" if fmt == "pptx" else "docx"
    main = "ppt" if suffix == "pptx" else "word"
    main_type = (b"presentationml.presentation.main+xml" if suffix == "pptx" else
                 b"wordprocessingml.document.main+xml")
    macro_type = (b"application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml" if suffix == "pptx" else
                  b"application/vnd.ms-word.document.macroEnabled.main+xml")
    clean = clean_templates[suffix]
    with_part = _rezip(clean, tmp_path / f"med-vba.{suffix}", extra={f"{main}/vbaProject.bin": VBA})
    # a .pptm/.docm renamed: macro-enabled main content type (and its macro part)
    renamed = _rezip(clean, tmp_path / f"omdöpt.{suffix}", extra={f"{main}/vbaProject.bin": VBA},
                     replace=(b"application/vnd.openxmlformats-officedocument." + main_type, macro_type))
    only_type = _rezip(clean, tmp_path / f"bara-typ.{suffix}",
                       replace=(b"application/vnd.openxmlformats-officedocument." + main_type, macro_type))
    out = tmp_path / f"ut.{fmt}"
    for template in (with_part, renamed, only_type):
        done = run("report", "--period", "2025-T2", "--format", fmt, "--template", str(template), "-o", str(out),
                   "--db", str(seeded_db))
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith(f"Fel: Mallen {template.name} innehåller makron") and \
            len(done.stderr.splitlines()) == 1, done.stderr
        assert not out.exists()


@pytest.mark.parametrize("fmt, content, words", [
    ("pptx", b"inte en zip-fil", ("går inte att öppna som PowerPoint-fil (.pptx): den är ingen zip-fil, alltså inget "
                                   "Office-dokument.")),
    ("docx", b"PK\x03\x04 trasig", ("går inte att öppna som Word-dokument (.docx): den är ingen zip-fil, alltså inget "
                                       "Office-dokument.")),
    ("pptx", "docx", "går inte att öppna som PowerPoint-fil (.pptx): den är ett Word-dokument."),
    ("docx", "pptx", "går inte att öppna som Word-dokument (.docx): den är en PowerPoint-presentation."),
    ("docx", "zip", "går inte att öppna som Word-dokument (.docx): [Content_Types].xml saknas."),
])
def test_a_template_that_is_not_an_office_file_of_the_right_kind_is_refused(fmt, content, words, clean_templates,
                                                                           seeded_db, tmp_path):
    template = tmp_path / f"mall.{fmt}"
    if content in ("docx", "pptx"):
        shutil.copy(clean_templates[content], template)
    elif content == "zip":
        with zipfile.ZipFile(template, "w") as zf:
            zf.writestr("hej.txt", "hej")
    else:
        template.write_bytes(content)
    out = tmp_path / f"ut.{fmt}"
    done = run("report", "--period", "2025-T2", "--format", fmt, "--template", str(template), "-o", str(out),
               "--db", str(seeded_db))
    assert done.returncode == 2 and done.stderr.strip() == f"Fel: Mallen mall.{fmt} {words}", done.stderr
    assert not out.exists()


# --- 3. unknown ids ---------------------------------------------------------------------------------

@pytest.mark.parametrize("args, message", [
    (["report", "--period", "2025-T2", "--format", "xlsx", "--indicator", "hushall_ekb", "nope"],
     "Fel: okänd indikator 'nope' (--indicator)."),
    (["report", "--period", "2025-T2", "--format", "pptx", "--indicator", "husall_ekb"],
     ("Fel: okänd indikator 'husall_ekb' (--indicator); menade du 'hushall_ekb' eller 'hushall_ekb_10man' eller "
      "'barn_i_hushall_ekb'?")),
    (["forecast", "--period", "2025-T2", "--indicator", "nope"], "Fel: okänd indikator 'nope' (--indicator)."),
    (["forecast", "--backtest", "--indicator", "plac_sis", "nope"], "Fel: okänd indikator 'nope' (--indicator)."),
    (["export", "--format", "xlsx", "--indicator", "nope"], "Fel: okänd indikator 'nope' (--indicator)."),
    (["report", "--period", "2025-T2", "--format", "xlsx", "--agenda", "saknas"], None),
])
def test_unknown_ids_are_errors_in_every_command(args, message, seeded_db, tmp_path):
    out = tmp_path / "ut.bin"
    writes = args[0] in ("report", "export")
    done = run(*args, *(["-o", str(out)] if writes else []), "--db", str(seeded_db))
    assert done.returncode == 2, done.stderr
    if message:
        assert done.stderr.splitlines() == [message]
    else:
        assert "ingen sparad dagordning som heter 'saknas'" in done.stderr
    assert "Traceback" not in done.stderr and not done.stdout and not out.exists()


# --- 4. control characters in stored text ----------------------------------------------------------

CONTROL = "\x0b\x1b\x07"
COMMENT, MOTIVATION, TEXT_VALUE = ("Inklistrad kommentar med styrtecken", "Inklistrad motivering med styrtecken",
                                   "Inklistrat textvarde med styrtecken")


def _with_controls(text: str) -> str:
    """'Inklistrad\\v kommentar\\x1b med\\a styrtecken': the controls go, the words stay."""
    words = text.split(" ")
    return "".join(w + (CONTROL[n] if n < len(CONTROL) else "") + " " for n, w in enumerate(words)).rstrip()


@pytest.fixture
def pasted(seeded_db) -> Path:
    """Texts stored before input was checked: every comment (from the dashboard and from uploads),
    every verdict motivation (the report's and an analytiker's override) and every text value hold
    VT, ESC and BEL."""
    con = duckdb.connect(str(seeded_db))
    try:
        con.execute("UPDATE comments SET text = ?", [_with_controls(COMMENT)])
        con.execute("UPDATE verdicts SET text = ? WHERE text IS NOT NULL", [_with_controls(MOTIVATION)])
        # an analytiker's override of every indicator's colour, with the motivation the exports show
        con.execute("INSERT INTO verdicts (plan_year, level, target_id, period, colour, text, origin, author) "
                    "SELECT DISTINCT 2025, 'indikator', indicator_id, '2025-T2', 'Gul', ?, 'analytiker', 'test' "
                    "FROM plan_indicators WHERE plan_year = 2025", [_with_controls(MOTIVATION)])
        con.execute("UPDATE observation_values SET text_value = ? WHERE text_value IS NOT NULL",
                    [_with_controls(TEXT_VALUE)])
        assert con.execute("SELECT count(*) FROM comments WHERE text LIKE '%' || chr(27) || '%'").fetchone()[0] > 0
    finally:
        con.close()
    return seeded_db


def _text_of(path: Path) -> str:
    if path.suffix == ".csv":
        return path.read_bytes().decode("utf-8-sig")
    with zipfile.ZipFile(path) as zf:
        return "\n".join(zf.read(n).decode("utf-8") for n in zf.namelist() if n.endswith(".xml"))


@pytest.mark.parametrize("args, expected", [
    (["export", "--format", "csv"], (COMMENT, TEXT_VALUE)),
    (["export", "--format", "xlsx"], (COMMENT, TEXT_VALUE)),
    (["report", "--period", "2025-T2", "--format", "xlsx"], (COMMENT, MOTIVATION)),
    (["report", "--period", "2025-T2", "--format", "pptx"], (COMMENT, MOTIVATION)),
    (["report", "--period", "2025-T2", "--format", "docx"], (COMMENT, MOTIVATION)),
], ids=["export-csv", "export-xlsx", "report-xlsx", "report-pptx", "report-docx"])
def test_a_stored_control_character_never_breaks_an_export(args, expected, pasted, tmp_path):
    assert _with_controls(COMMENT) != COMMENT and CONTROL[1] in _with_controls(COMMENT)
    out = tmp_path / f"ut.{args[args.index('--format') + 1]}"
    done = run(*args, "-o", str(out), "--db", str(pasted))
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    text = _text_of(out)
    for words in expected:
        assert words in text, words
    assert not any(ch in text for ch in CONTROL)
    assert "_x000B_" not in text and "_x001B_" not in text and "_x0007_" not in text  # no escaped controls
