"""Whether a kommun template may be used: an Office Open XML file of the right kind (a Word
document for .docx, a PowerPoint presentation for .pptx) without macros.

python-pptx opens a macro-enabled deck (.pptm) as readily as a .pptx and both libraries copy
every part they are handed, so a renamed .pptm/.docm or a vbaProject.bin part would reach the
meeting papers. Checked from the zip's own directory and content types, before any library
opens the file; a template is refused, never silently cleaned.
"""

from __future__ import annotations

import posixpath
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from asn_dash.errors import AsnError

MAIN_TYPES = {
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
              "PowerPoint-fil"),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
              "Word-dokument"),
}
_OTHER_KINDS = {  # what a file of the wrong kind is, in words
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": "en PowerPoint-presentation",
    "application/vnd.openxmlformats-officedocument.presentationml.template.main+xml": "en PowerPoint-mall (.potx)",
    "application/vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml": "ett PowerPoint-bildspel (.ppsx)",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "ett Word-dokument",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml": "en Word-mall (.dotx)",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "en Excel-bok",
}
OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
MAX_UNPACKED = 300 << 20  # a template is styles, a logo and a few layouts, not 300 MB
MAX_XML = 4 << 20  # [Content_Types].xml and _rels/.rels


class TemplateError(AsnError):
    """A kommun template that cannot be used."""


def check(path: Path, suffix: str) -> None:
    """Raise ``TemplateError`` (Swedish, one line) unless ``path`` is a macro-free Office file of
    the kind ``suffix`` (".pptx" or ".docx") names."""
    path = Path(path)
    main_type, kind = MAIN_TYPES[suffix]
    opening = f"Mallen {path.name} går inte att öppna som {kind} ({suffix})"
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if sum(i.file_size for i in infos) > MAX_UNPACKED:
                raise TemplateError(f"{opening}: den är över {MAX_UNPACKED >> 20} MB uppackad.")
            names = {i.filename.lstrip("/").lower(): i.filename for i in infos}
            macros = sorted(n for key, n in names.items() if _is_macro_part(key))
            types = _read_xml(zf, names.get("[content_types].xml"), opening, "[Content_Types].xml")
            rels = _read_xml(zf, names.get("_rels/.rels"), opening, "_rels/.rels")
    except zipfile.BadZipFile:
        raise TemplateError(f"{opening}: den är ingen zip-fil, alltså inget Office-dokument.") from None
    except OSError as exc:
        raise TemplateError(f"{opening}: filen kan inte läsas ({exc.strerror or exc}).") from None
    content_types = [(e.get("ContentType") or "") for e in types]
    if macros or any(_is_macro_type(t) for t in content_types):
        what = ", ".join(macros[:3]) if macros else "makroaktiverat innehåll"
        raise TemplateError(f"Mallen {path.name} innehåller makron ({what}) och används inte; spara den utan makron "
                            f"som {suffix} och försök igen.")
    main = _main_part(rels)
    if main is None:
        raise TemplateError(f"{opening}: den saknar huvuddokument (_rels/.rels).")
    found = _content_type(types, main)
    if found != main_type:
        what = _OTHER_KINDS.get(found or "", f"inget Office-dokument av rätt slag (innehållstyp '{found or 'okänd'}')")
        raise TemplateError(f"{opening}: den är {what}.")


def _is_macro_part(name: str) -> bool:
    base = posixpath.basename(name)
    return base.startswith(("vbaproject", "vbadata")) or (base.endswith(".bin") and "activex" in name)


def _is_macro_type(content_type: str) -> bool:
    t = content_type.lower()
    return "macroenabled" in t or "vbaproject" in t or "vbadata" in t or "activex" in t


def _read_xml(zf: zipfile.ZipFile, name: str | None, opening: str, label: str) -> ElementTree.Element:
    if name is None:
        raise TemplateError(f"{opening}: {label} saknas.")
    if zf.getinfo(name).file_size > MAX_XML:
        raise TemplateError(f"{opening}: {label} är för stor.")
    try:
        return ElementTree.fromstring(zf.read(name))
    except (ElementTree.ParseError, zipfile.BadZipFile, ValueError) as exc:
        raise TemplateError(f"{opening}: {label} kan inte läsas ({exc}).") from None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _main_part(rels: ElementTree.Element) -> str | None:
    for rel in rels:
        if _local(rel.tag) == "Relationship" and rel.get("Type") == OFFICE_DOCUMENT and rel.get("TargetMode") != "External":
            return "/" + posixpath.normpath(rel.get("Target") or "").lstrip("/")
    return None


def _content_type(types: ElementTree.Element, part: str) -> str | None:
    for e in types:
        if _local(e.tag) == "Override" and (e.get("PartName") or "").lower() == part.lower():
            return e.get("ContentType")
    extension = posixpath.splitext(part)[1].lstrip(".").lower()
    for e in types:
        if _local(e.tag) == "Default" and (e.get("Extension") or "").lower() == extension:
            return e.get("ContentType")
    return None
