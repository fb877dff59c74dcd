"""Where the command line may write a file, and writing it whole or not at all.

A mistyped ``-o`` must never replace what the product owns: the store and its WAL, the users
file, the settings in .streamlit, the shipped data in data/, any DuckDB database, the program's
own source. A target is compared by its resolved path (``..`` and symbolic links followed) and,
when it exists, by device and inode (a hard link is the same file under another name).
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from asn_dash.errors import AsnError

REPO_ROOT = Path(__file__).resolve().parent.parent
# Folders whose every file belongs to the product (by path; files in them also by inode).
_TREES = (("data", "data"), (".streamlit", "settings"), ("asn_dash", "source"), ("pages", "source"),
          ("tests", "source"), ("scripts", "source"), ("docs", "source"), (".git", "source"),
          (".github", "source"))
# Files at the repository's top level with these endings are the product's outputs (a report
# written where the command was run); every other top-level file is source (app.py, README.md …).
OUTPUT_SUFFIXES = frozenset({".csv", ".xlsx", ".pptx", ".docx", ".pdf"})
DUCKDB_MAGIC, DUCKDB_MAGIC_OFFSET = b"DUCK", 8
DEMO_CSV = REPO_ROOT / "data" / "seed" / "demo.csv"  # what ``demo`` writes by default

_WHAT = {
    "store": "datalagret", "wal": "datalagrets logg (.wal)", "users": "användarfilen",
    "settings": "appens inställningar och hemligheter i .streamlit", "data": "projektets data i data/ (katalog, seed, Kolada)",
    "demo": "projektets exempeldata (data/seed/demo.csv)", "duckdb": "en DuckDB-databas",
    "source": "programmets källkod",
}


class OutputError(AsnError):
    """An output file that cannot or must not be written (a missing folder, a directory, a full
    disk, a file the product owns …)."""


@dataclass(frozen=True)
class Owned:
    path: Path  # resolved
    kind: str
    tree: bool = False  # a folder: everything under it


_OS_REASONS = {
    errno.ENOENT: "finns inte", errno.EISDIR: "är en mapp", errno.ENOTDIR: "en del av sökvägen är inte en mapp",
    errno.EACCES: "behörighet saknas", errno.EPERM: "behörighet saknas", errno.ENOSPC: "disken är full",
    errno.EDQUOT: "diskkvoten är slut", errno.EROFS: "filsystemet är skrivskyddat",
    errno.ENAMETOOLONG: "namnet är för långt", errno.EFBIG: "filen blir för stor",
}


def os_reason(exc: OSError) -> str:
    """A short Swedish reason for an OS error."""
    return _OS_REASONS.get(exc.errno, exc.strerror or type(exc).__name__)


def owned_paths(db: str | os.PathLike | None = None) -> list[Owned]:
    """The files and folders no output may replace. ``db`` is the store as the command was given
    it (``--db``; else ``$ASN_DB``, else the default); the default store and users file count too."""
    from asn_dash.auth import users_file
    from asn_dash.store.store import db_path

    store = db_path(db)
    files = [Owned(_resolve(store), "store"), Owned(_resolve(Path(f"{store}.wal")), "wal"),
             Owned(_resolve(users_file()), "users"), *_defaults()]
    trees = [Owned(_resolve(REPO_ROOT / name), kind, tree=True) for name, kind in _TREES]
    trees.append(Owned(_resolve(Path.home() / ".streamlit"), "settings", tree=True))  # Streamlit reads it too
    top = [Owned(p.resolve(), "source") for p in REPO_ROOT.iterdir()
           if p.is_file() and not p.is_symlink() and p.suffix.lower() not in OUTPUT_SUFFIXES]
    return files + top + trees


def _defaults() -> list[Owned]:
    """The product's own files at their default places (inside data/ and .streamlit)."""
    from asn_dash.auth import DEFAULT_USERS_FILE
    from asn_dash.store.store import DEFAULT_DB

    return [Owned(_resolve(DEFAULT_DB), "store"), Owned(_resolve(Path(f"{DEFAULT_DB}.wal")), "wal"),
            Owned(_resolve(DEFAULT_USERS_FILE), "users"), Owned(_resolve(DEMO_CSV), "demo")]


def is_duckdb(path: Path) -> bool:
    """An existing regular file that starts like a DuckDB database (a terminal or a named pipe is
    never opened: reading one would wait)."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False
        with open(path, "rb") as fh:
            head = fh.read(DUCKDB_MAGIC_OFFSET + len(DUCKDB_MAGIC))
    except OSError:
        return False
    return head[DUCKDB_MAGIC_OFFSET:] == DUCKDB_MAGIC


def check_output(path: str | os.PathLike, db: str | os.PathLike | None = None,
                 allow: frozenset[str] | set[str] = frozenset()) -> None:
    """Raise ``OutputError`` (one Swedish line) when writing ``path`` would replace a file the
    product owns. ``allow``: kinds the command writes on purpose (``init`` the store, ``users``
    the users file, ``demo`` the demo data)."""
    for owned, how in owners(path, db):
        if owned.kind not in allow:
            what = _WHAT[owned.kind] + (f" {owned.path}" if owned.kind in ("store", "wal", "users") else "")
            raise OutputError(f"{path} får inte skrivas: den {how} {what}. Välj en annan fil; inget har skrivits.")


def owners(path: str | os.PathLike, db: str | os.PathLike | None = None) -> list[tuple[Owned, str]]:
    """What owns ``path``, each with how the path reaches it ("är", "är en länk till", "är en hård
    länk till"); empty when nothing does. The default store, users file and demo data live in
    data/ and .streamlit: at those paths they, not the folder, are the owner."""
    path = Path(path)
    resolved = _resolve(path)
    how = "är en länk till" if path.is_symlink() or resolved != _resolve_parent(path) else "är"
    entries = owned_paths(db)
    files = [e for e in entries if not e.tree]
    found = [(e, how) for e in files if e.path == resolved]
    if not any(e.path == resolved for e in _defaults()):
        found += [(e, how) for e in entries if e.tree and resolved.is_relative_to(e.path)]
    if resolved.name.endswith(".wal") and is_duckdb(resolved.with_name(resolved.name[:-4])):
        found.append((Owned(resolved, "wal"), how))
    try:
        st = os.stat(resolved)
    except OSError:
        return found
    if not found and stat.S_ISREG(st.st_mode) and st.st_nlink > 1:  # an owned file under another name?
        same = (st.st_dev, st.st_ino)
        found += [(e, "är en hård länk till") for e in files if _identity(e.path) == same]
        found += [(e, "är en hård länk till") for e in entries
                  if e.tree and any(_identity(f) == same for f in _files(e.path))]
    if is_duckdb(resolved):
        found.append((Owned(resolved, "duckdb"), how))
    return found


def write_output(path: str | os.PathLike, data: bytes, db: str | os.PathLike | None = None,
                 allow: frozenset[str] | set[str] = frozenset()) -> None:
    """Write an output file whole or not at all, or raise ``OutputError`` with a one-line
    Swedish reason. A regular file goes through a temporary file in the same folder, so a full
    disk leaves neither a half file nor a damaged old one; an owned file is refused first
    (:func:`check_output`)."""
    path = Path(path)
    check_output(path, db, allow)
    if path.is_dir():
        raise OutputError(f"{path} är en mapp; ange ett filnamn i den (-o {path / 'FIL'}).")
    if path.exists() and not path.is_file():  # /dev/stdout, a named pipe …
        try:
            path.write_bytes(data)
        except OSError as exc:
            raise OutputError(f"{path} kunde inte skrivas ({os_reason(exc)}).") from None
        return
    folder = path.parent
    if not folder.is_dir():
        raise OutputError(f"mappen {folder} finns inte; skapa den först eller välj en annan plats för {path.name}.")
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise OutputError(f"{path} kunde inte skrivas ({os_reason(exc)}); ingen fil skrevs.") from None
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def _resolve(path: Path) -> Path:
    return Path(os.path.realpath(Path(path).expanduser()))


def _resolve_parent(path: Path) -> Path:
    """``path`` with only its folder resolved: differs from the full resolution when the last
    part is a symbolic link."""
    path = Path(path).expanduser()
    return Path(os.path.realpath(path.parent)) / path.name


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _files(folder: Path):
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if d not in ("__pycache__", ".git")]
        for name in names:
            yield Path(root) / name
