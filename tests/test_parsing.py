from datetime import date, datetime

import numpy as np
import pytest

from asn_dash.uploads.parsing import parse_period, unfinished

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize("raw, key", [
    ("2025-03", "2025-03"), ("2025-3", "2025-03"), ("2025/03", "2025-03"), ("mars 2025", "2025-03"),
    ("Mar 2025", "2025-03"), ("mar. 2025", "2025-03"), ("March 2025", "2025-03"), ("2025-03-31", "2025-03"),
    ("2025-03-31 00:00:00", "2025-03"), (datetime(2025, 3, 31), "2025-03"), (date(2025, 3, 1), "2025-03"),
    (np.datetime64("2025-03-31"), "2025-03"), ("T1 2025", "2025-T1"), ("2025-T2", "2025-T2"),
    ("tertial 2 2025", "2025-T2"), ("helår 2025", "2025"), ("hela\u030ar 2025", "2025"), ("2025", "2025"),
    ("  Maj   2024 ", "2024-05"),
    ("2026-11", "2026-11"), ("2026-12", "2026-12"),  # a period still running or to come parses (see below)
])
def test_period_spellings(raw, key):
    assert parse_period(raw, today=TODAY).key == key


@pytest.mark.parametrize("raw, reason", [
    ("2025-02-30", "ogiltigt datum"), ("2025-08-R12", "R12-perioder"),
    ("", "perioden saknas"), ("Q1 2025", "okänd period"),
])
def test_bad_periods(raw, reason):
    with pytest.raises(ValueError, match=reason):
        parse_period(raw, today=TODAY)


# --- the number grammar: one table of cases, run through the Python twin and the SQL ----------

import random  # noqa: E402
import re  # noqa: E402

import duckdb  # noqa: E402

from asn_dash.uploads.parsing import (  # noqa: E402
    clean,
    clean_sql,
    comment_sql,
    comment_text,
    guard,
    name_key,
    name_key_sql,
    number_sql,
    number_text,
    parse_number,
    unguard,
    unguard_sql,
)

NOT_A_NUMBER = "inte ett tal"
AMBIGUOUS = "tvetydigt tal"
BOTH = "både punkt och komma"
SEVERAL = "flera punkter eller komman"
GROUPS_POINT = "tusental med mellanslag kräver decimalkomma"

NUMBER_CASES = [
    # (cell, value or reason, written with %)
    ("1234", 1234, False), ("0", 0, False), ("007", 7, False), ("-5", -5, False), ("−5", -5, False),
    (" 42 ", 42, False), ("\u00a042\t", 42, False),
    ("1 234", 1234, False), ("1\u00a0234", 1234, False), ("1\u202f234", 1234, False), ("12\u2009345", 12345, False),
    ("1 234 567,89", 1234567.89, False), ("-308 853", -308853, False),
    ("1234,5", 1234.5, False), ("1234.5", 1234.5, False), ("0,125", 0.125, False), ("0.125", 0.125, False),
    ("1234,567", 1234.567, False), ("1,2340", 1.234, False), ("5,69", 5.69, False), ("0.1", 0.1, False),
    ("5,5 %", 5.5, True), ("5,5%", 5.5, True), ("5,5\u00a0%", 5.5, True), ("−1,5 %", -1.5, True),
    ("100 %", 100, True), ("1 234,5 %", 1234.5, True),
    # ambiguous: a thousand or a decimal?
    ("1,234", AMBIGUOUS, None), ("1.234", AMBIGUOUS, None), ("12,345", AMBIGUOUS, None),
    ("123.456", AMBIGUOUS, None), ("-1,234", AMBIGUOUS, None), ("1,234 %", AMBIGUOUS, None),
    # two kinds of marks, several marks, groups with a point
    ("1,234.5", BOTH, None), ("1.234,5", BOTH, None), ("1.234.567", SEVERAL, None), ("12,5,3", SEVERAL, None),
    ("1,2,3,4", SEVERAL, None), ("1 234.5", GROUPS_POINT, None),
    # not numbers
    ("tre hundra", NOT_A_NUMBER, None), ("inf", NOT_A_NUMBER, None), ("nan", NOT_A_NUMBER, None),
    ("", NOT_A_NUMBER, None), ("1 2345", NOT_A_NUMBER, None), ("12 34", NOT_A_NUMBER, None),
    (".5", NOT_A_NUMBER, None), ("5.", NOT_A_NUMBER, None), ("+5", NOT_A_NUMBER, None), ("5-", NOT_A_NUMBER, None),
    ("% 5", NOT_A_NUMBER, None), ("5 %%", NOT_A_NUMBER, None), ("1\n2", NOT_A_NUMBER, None),
    ("٣", NOT_A_NUMBER, None),  # an Arabic-Indic digit: not one of the ASCII digits
    ("1e5", "tal med exponent", None), ("1,5E-3", "tal med exponent", None),
    ("#N/A", "Excel-fel", None), ("#DIV/0!", "Excel-fel", None),
    ("1" + "0" * 400, "talet är för stort", None),
]


def _python(cell):
    try:
        n = parse_number(cell)
    except ValueError as exc:
        return str(exc), None
    return n.value, n.percent


@pytest.fixture(scope="module")
def sql_numbers():
    con = duckdb.connect()
    n = number_sql("t")
    query = f"SELECT {n.error}, {n.value}, {n.percent} FROM (SELECT {clean_sql('raw')} AS t FROM (SELECT ? AS raw))"

    def run(cell):
        error, value, percent = con.execute(query, [cell]).fetchone()
        return (error, None) if error else (value, percent)

    yield run
    con.close()


@pytest.mark.parametrize("cell, expected, percent", NUMBER_CASES, ids=[repr(c[0])[:30] for c in NUMBER_CASES])
def test_number_grammar_python_and_sql_agree(cell, expected, percent, sql_numbers):
    python, sql = _python(cell), sql_numbers(cell)
    assert python == sql
    if isinstance(expected, str):
        assert expected in python[0], python
        assert "skriv" in python[0] or expected in ("talet är för stort",)  # every refusal shows how to write it
    else:
        assert python == (expected, percent)


@pytest.mark.parametrize("cell", [c[0] for c in NUMBER_CASES] + ["9" * 400, "1" * 400 + ",5", ",5", "5,", "12,,5"])
def test_the_plain_cast_path_agrees_with_the_grammar(cell):
    """The fast path (a plain cast for digits with at most one comma) gives what the rules give."""
    fast, rules = number_sql("t"), number_sql("t", plain="false")
    cleaned = f"(SELECT {clean_sql('raw')} AS t FROM (SELECT ? AS raw))"
    con = duckdb.connect()
    try:
        got = con.execute(f"SELECT {fast.error}, {fast.value}, {fast.plain}, {rules.error}, {rules.value} FROM {cleaned}",
                          [cell]).fetchone()
    finally:
        con.close()
    assert got[0] == got[3] and (got[0] is not None or got[1] == got[4]), got
    text = clean(cell)
    plain = bool(re.fullmatch("[0-9]+(,[0-9]+)?", text)) and not re.fullmatch("[1-9][0-9]{0,2},[0-9]{3}", text)
    assert got[2] == plain, cell


def test_ambiguous_and_mixed_marks_say_how_to_write_the_number():
    for cell, example in (("1,234", "1 234"), ("1.234,5", "1 234,5"), ("1.234.567", "1 234 567,5"),
                          ("1 234.5", "1 234,5")):
        with pytest.raises(ValueError, match=example):
            parse_number(cell)


def test_number_text_reads_back_to_the_same_float():
    rng = random.Random(12)
    values = [0.0, -0.0, 1.234, 12.345, 123.456, 0.1, 2 / 3, 1e-7, 1e20, 5.69, 308853.0, -1.5, 1234.5]
    values += [rng.uniform(-1e6, 1e6) for _ in range(300)] + [round(rng.uniform(0, 1000), 3) for _ in range(300)]
    for value in values:
        text = number_text(value)
        assert "e" not in text.lower() and "." not in text
        assert parse_number(text).value == value, (value, text)
    assert number_text(1.234) == "1,2340"  # never the ambiguous 1,234
    assert number_text(85) == "85" and number_text(-2) == "-2"


def test_number_text_scales_a_fraction_to_percent_exactly():
    assert number_text(0.0569, 2) == "5,69"
    assert number_text(0.85, 2) == "85"
    assert number_text(0.001234, 2) == "0,1234"
    with pytest.raises(ValueError):
        number_text(float("nan"))


# --- blanks and names: the same normalisation in Python and SQL --------------------------------

NAME_CASES = [
    ("hushall_ekb", "hushall_ekb"), ("  HUSHALL_EKB\t", "hushall_ekb"), ("\u00a0Vuxenenheten\u00a0", "vuxenenheten"),
    ("Barn-  och\tungdomsenheten", "barn- och ungdomsenheten"), ("Barn-\u00a0och\u202fungdomsenheten",
                                                                 "barn- och ungdomsenheten"),
    ("\ufeffindikator", "indikator"), ("Försörjnings\u200bstöd", "försörjnings stöd"), ("ÅÄÖ", "åäö"),
    ("a\r\nb", "a b"), ("", ""), ("\t \u00a0", ""),
    # decomposed letters (a + combining ring, o + combining diaeresis: macOS, some web systems)
    ("Fo\u0308rso\u0308rjningssto\u0308dsenheten", "försörjningsstödsenheten"), ("Va\u0308rde", "värde"),
]


def sql(expressions: str, value):
    """The SQL expressions (over a column ``t``) for one value, in DuckDB."""
    con = duckdb.connect()
    try:
        return con.execute(f"SELECT {expressions} FROM (SELECT ? AS t)", [value]).fetchone()
    finally:
        con.close()


@pytest.mark.parametrize("raw, key", NAME_CASES)
def test_name_key_python_and_sql_agree(raw, key):
    sql_key, sql_clean = sql(f"{name_key_sql('t')}, {clean_sql('t')}", raw)
    assert name_key(raw) == sql_key == key
    assert clean(raw) == sql_clean
    assert clean(raw) == clean(clean(raw)) and not clean(raw)[:1].isspace()


GUARD_CASES = ["=SUM(A1)", "+46 8 123", "-5 grader", "@user", "\tx", "'=x", "''=x", "'abc", "abc", "", "'", "''"]


@pytest.mark.parametrize("text", GUARD_CASES)
def test_export_guard_is_undone_exactly_by_ingest(text):
    guarded = guard(text)
    assert guarded[:1] not in ("=", "+", "-", "@", "\t", "\r")
    assert sql(unguard_sql("t"), guarded)[0] == unguard(guarded) == text


@pytest.mark.parametrize("raw, stored", [
    ("rad 1\r\nrad 2", "rad 1\nrad 2"), ("rad 1\rrad 2\n", "rad 1\nrad 2"), ("  Ökning; se \"text\"  ", 'Ökning; se "text"'),
    ("'=kommentar", "=kommentar"),
])
def test_comment_text_python_and_sql_agree(raw, stored):
    assert sql(comment_sql("t"), raw)[0] == comment_text(raw) == stored


# --- periods: sane years, no short keys, Excel's numbers ----------------------------------------

@pytest.mark.parametrize("raw, reason", [
    ("1999-12", "året 1999 ligger utanför det tillåtna intervallet 2000–2027"),
    ("2028", "året 2028 ligger utanför det tillåtna intervallet 2000–2027"),
    ("0001-01", "året 1 ligger utanför"), ("0000-01-01", "ogiltigt datum"), ("mars 0099", "året 99 ligger utanför"),
    (datetime(1899, 12, 31), "året 1899 ligger utanför"), ("T1 1900", "året 1900 ligger utanför"),
    ("2025.1", "okänd period"),  # Excel's 2025.10 as a number: October or January? refused
    ("år tjugo", "okänt år"), ("12345", "året 1933 ligger utanför"),
])
def test_periods_outside_the_sane_years_are_refused(raw, reason):
    with pytest.raises(ValueError, match=reason):
        parse_period(raw, today=TODAY)


@pytest.mark.parametrize("raw, key", [
    ("2025.03", "2025-03"), ("2000-01", "2000-01"), ("2027", "2027"), ("45747", "2025-03"), ("45658", "2025-01"),
])
def test_period_keys_always_have_four_digit_years(raw, key):
    period = parse_period(raw, today=TODAY)
    assert period.key == key and len(period.key.split("-")[0]) == 4


@pytest.mark.parametrize("raw, reason", [
    ("2026-11", "perioden nov 2026 är inte slut förrän 30 nov 2026; ett utfall kan bara laddas upp för en avslutad "
                "period – ladda upp värdet som prognos (kolumnen typ: prognos) eller vänta tills perioden är slut"),
    ("2026", "perioden helår 2026 är inte slut förrän 31 dec 2026;"),
    ("T2 2027", "perioden T2 2027 är inte slut förrän 31 aug 2027;"),
    ("2027-01", "perioden jan 2027 är inte slut förrän 31 jan 2027;"),
    ("2026-10", None), ("T2 2026", None), ("2025", None),
])
def test_an_utfall_needs_a_period_that_has_ended(raw, reason):
    found = unfinished(parse_period(raw, today=TODAY), TODAY)  # TODAY is 23 nov 2026
    assert found == reason if reason is None else found.startswith(reason)


def test_excel_serial_dates_follow_the_workbook_epoch():
    assert parse_period("45747", today=TODAY).key == "2025-03"  # 1900 system: 2025-03-31
    assert parse_period("44285", today=TODAY, date1904=True).key == "2025-03"  # 1904 system: 2025-03-31


# --- value kinds: the Python twin and the SQL agree ------------------------------------------

from asn_dash.uploads.parsing import KIND_ERROR, kind_sql, parse_kind  # noqa: E402

KIND_CASES = [("", 0), ("utfall", 0), ("Utfall", 0), (" PROGNOS\u00a0", 1), ("prognos", 1), ("Budget", 2),
              ("\t", 0), ("prognosen", None), ("prognos helår", None), ("utfal", None), ("0", None), ("1", None)]


@pytest.mark.parametrize("raw, code", KIND_CASES)
def test_kind_python_and_sql_agree(raw, code):
    assert sql(kind_sql("t"), raw)[0] == code
    if code is None:
        with pytest.raises(ValueError, match="okänd värdetyp; skriv utfall, prognos eller budget"):
            parse_kind(raw)
    else:
        assert parse_kind(raw) == code
    assert "(tom cell = utfall)" in KIND_ERROR
