"""Downloadable upload templates: the long and wide layouts, as CSV and XLSX."""

from __future__ import annotations

import io

LONG_ROWS = [
    ["hushall_ekb", "", "2025-09", "", "395", ""],
    ["hushall_ekb", "Försörjningsstödsenheten", "2025-09", "", "395", ""],
    ["sjukfranvaro", "Barn- och ungdomsenheten", "september 2025", "", "6,1", "Två långtidssjukskrivningar"],
    ["Antal barnfamiljer med ekonomiskt bistånd", "", "2025-09", "utfall", "126", ""],
    ["nettokostnad_asn", "", "2025", "prognos", "-358 590", "Helårsprognos efter augusti"],
]
LONG_HEADER = ["indikator", "enhet", "period", "typ", "värde", "kommentar"]
WIDE_HEADER = ["indikator", "enhet", "år", "jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt",
               "nov", "dec"]
WIDE_ROWS = [
    ["plac_hvb_unga", "Barn- och ungdomsenheten", "2025", "3", "2", "2", "3", "2", "2", "", "", "", "", "", ""],
    ["plac_skyddat_boende", "", "2025", "2", "3", "3", "---", "2", "", "", "", "", "", "", ""],
]


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    lines = [";".join(header)] + [";".join(f'"{c}"' if ";" in c else c for c in row) for row in rows]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def long_csv() -> bytes:
    return _csv(LONG_HEADER, LONG_ROWS)


def wide_csv() -> bytes:
    return _csv(WIDE_HEADER, WIDE_ROWS)


def xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    long_sheet = book.active
    long_sheet.title = "Långt format"
    long_sheet.append(LONG_HEADER)
    for row in LONG_ROWS:
        long_sheet.append(row)
    wide_sheet = book.create_sheet("Brett format")
    wide_sheet.append(WIDE_HEADER)
    for row in WIDE_ROWS:
        wide_sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


FORMAT_HELP = """
**Två format fungerar, som CSV (semikolon, komma eller tabb; UTF-8, UTF-16 – Excels "Unicode-text" – eller
Windows-1252) eller Excel (.xlsx, första synliga bladet om inget annat anges):**

*Långt format* – en rad per värde, kolumnerna `indikator`, `enhet` (valfri), `period`, `typ`
(valfri), `värde` och `kommentar` (valfri, högst 4 000 tecken, utan osynliga styrtecken som nollbreda mellanslag).

*Brett format* – en rad per indikator och enhet med månadskolumnerna `jan` … `dec` och en kolumn
`år`, eller månadskolumner skrivna `2025-01`, `2025-02` … – som tabellerna i delårsrapporterna.

* **Typ** (valfri kolumn, i båda formaten): `utfall`, `prognos` (helårsprognos) eller `budget`;
  tom cell betyder utfall. En prognos eller budget ersätter aldrig ett utfall för samma period.
* **Indikator** anges med id (t.ex. `hushall_ekb`) eller med exakt namn som i panelen.
* **Enhet** med namn eller id; tom cell betyder hela förvaltningen.
* **Period** som `2025-03`, `mars 2025`, `2025-03-31`, ett datum i Excel, `T1 2025` eller `2025`,
  år 2000 till nästa år. Ett utfall tas bara emot för en period som är slut (helår 2026 först
  31 dec 2026); en prognos eller budget får gälla en period som pågår eller kommer.
* **Värde** med decimalkomma och mellanslag som tusentalsavgränsare (`1 234,5`), eller utan
  tusentalsavgränsare med decimalpunkt som från ett verksamhetssystem (`1234.5`); minustecken
  och `%` går bra (`-2`, `5,5 %`). Både punkt och komma (`1,234.5`, `1.234,5`) tas inte emot, inte
  heller `1,234` eller `1.234` – tre siffror efter punkt eller komma kan vara tusental: skriv
  `1234` eller `1 234` för tusental och `1,2340` för ett decimaltal. En tom cell betyder att
  värdet saknas (inte noll); `---` eller `—` betyder ej rapporterat.
* **Excel**: celler formaterade som procent (som visar `85 %` men innehåller 0,85) läses som
  85 %. Formler måste ha ett sparat värde (öppna och spara filen i Excel). Högst 100 000 rader
  och 512 kolumner; större filer laddas upp som CSV.
* Rubrikerna får skrivas med stora eller små bokstäver, på svenska eller engelska
  (`indicator`, `unit`, `value`, `comment` …).

Filen läses in helt eller inte alls: vid minsta fel skrivs ingenting, och varje fel anges med
rad (som i Excel, rubrikraden = 1), kolumn och värde. Ovanliga värden (mer än tre gånger eller
under en tredjedel av medianen för de senaste tolv månaderna) måste bekräftas. Varje uppladdning
sparas med namn, tid och filens kontrollsumma och kan ångras.
"""
