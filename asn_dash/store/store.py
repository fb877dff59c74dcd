"""The DuckDB store: where it lives, its schema migrations, and safe opening.

* The path comes from ``ASN_DB``, else ``data/asn.duckdb`` in the checkout.
* Migrations are the numbered SQL files in ``asn_dash/migrations``; each runs once, in its own
  transaction, and is recorded in ``schema_version``.
* A new store is built in a temporary file and moved into place only when it is complete, so
  a crash or a bad seed file never leaves a half-filled store behind.
* Every failure to open becomes a :class:`StoreError` naming the file and the fix.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import duckdb

from asn_dash.errors import AsnError
from asn_dash.sources import BUDGET, PROGNOS, UTFALL

if TYPE_CHECKING:  # pandas is imported where a DataFrame is made, not by opening a store
    import pandas as pd

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DB = REPO_ROOT / "data" / "asn.duckdb"
ENV_VAR = "ASN_DB"


class StoreError(AsnError):
    """The store file cannot be opened or written."""


class StoreLockedError(StoreError):
    """Another process holds the store file."""


class StoreDamagedError(StoreError):
    """The store file is damaged (cut short, or a block that fails DuckDB's checksum)."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def db_path(explicit: str | os.PathLike | None = None) -> Path:
    """The store path: an explicit path, else ``$ASN_DB``, else ``data/asn.duckdb``."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get(ENV_VAR, "").strip()
    return Path(env).expanduser() if env else DEFAULT_DB


def migrations() -> list[Migration]:
    found = []
    for entry in resources.files("asn_dash.store.migrations").iterdir():
        m = re.match(r"^(\d{4})_(\w+)\.sql$", entry.name)
        if m:
            found.append(Migration(int(m[1]), m[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda mig: mig.version)
    if [m.version for m in found] != list(range(1, len(found) + 1)):
        raise RuntimeError("migrations must be numbered 0001, 0002, … without gaps")
    return found


LATEST_VERSION = len(migrations())


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The store's schema version, 0 before the first migration. A store that has the table is
    read at once: asking ``information_schema`` first costs ~10–15 ms of every command's start-up."""
    read = "SELECT coalesce(max(version), 0) FROM schema_version"
    try:
        return con.execute(read).fetchall()[0][0]
    except duckdb.Error:  # no such table (DuckDB then also tries a Python object of that name)
        pass
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    ).fetchall()[0][0]
    return con.execute(read).fetchall()[0][0] if exists else 0


def migrate(con: duckdb.DuckDBPyConnection, path: Path, target: int | None = None) -> list[int]:
    """Apply the migrations the store lacks, each in its own transaction; return their versions.
    An up-to-date store is only read, not written."""
    current = schema_version(con)
    if current == LATEST_VERSION:
        return []
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
        " applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
    )
    if current > LATEST_VERSION:
        raise StoreError(
            f"Datalagret {path} har schemaversion {current}, men den här versionen av asn-dash "
            f"känner bara till version {LATEST_VERSION}. Uppdatera asn-dash (git pull) eller peka "
            f"ASN_DB på en annan fil.",
            f"Store {path} has schema version {current}; this asn-dash knows only up to "
            f"{LATEST_VERSION}. Update asn-dash or point ASN_DB elsewhere.",
        )
    applied = []
    for mig in migrations():
        if mig.version <= current or (target is not None and mig.version > target):
            continue
        with transaction(con):
            con.execute(mig.sql)
            con.execute("INSERT INTO schema_version (version, name) VALUES (?, ?)", [mig.version, mig.name])
        applied.append(mig.version)
    return applied


# What DuckDB says when a store file's bytes are broken: a block whose checksum does not match,
# or a file cut shorter than its header says (a copy that stopped half-way, a full disk).
_DAMAGE_SIGNS = ("corrupt database file", "could not read enough bytes", "does not match stored checksum")


def damaged(path: Path, detail: str = "") -> StoreDamagedError:
    """The one-line message for a damaged store: what is wrong, that the file was left as it was,
    and how to get the data back from a backup (:mod:`asn_dash.store.backup`)."""
    return StoreDamagedError(
        f"Datalagret {path} är skadat (filen är avkortad eller har förstörda block) och kan inte läsas. "
        f"Filen har lämnats orörd. Återställ den senaste säkerhetskopian med 'python -m asn_dash restore FIL' "
        f"(säkerhetskopiorna ligger i {path.parent / 'backups'}).",
        f"The store {path} is damaged and cannot be read{': ' + detail if detail else ''}. It was left "
        f"untouched; restore a backup with 'python -m asn_dash restore FILE' (backups in {path.parent / 'backups'}).")


def damage(exc: BaseException, path: Path) -> StoreDamagedError | None:
    """``exc`` as a :class:`StoreDamagedError` when it says the store's bytes are broken, else None."""
    if isinstance(exc, StoreDamagedError):
        return exc
    text = str(exc)
    if isinstance(exc, (duckdb.Error, OSError)) and any(sign in text.lower() for sign in _DAMAGE_SIGNS):
        return damaged(path, text.splitlines()[0])
    return None


def cut_short(con: duckdb.DuckDBPyConnection, path: Path) -> bool:
    """Whether the file holds fewer blocks than the store uses: cut short (a copy that stopped
    half-way, a full disk). DuckDB reads a block only when a query needs it, so such a store
    opens and would fail later, in the middle of a command. Asked once the file is held, so no
    checkpoint of another process is half-way; costs ~1 ms. (The header's block count is not
    used: DuckDB cuts free blocks off the end of the file without lowering it.)"""
    try:
        block_size, used = con.execute("SELECT block_size, used_blocks FROM pragma_database_size() "
                                       "WHERE database_name = current_database()").fetchall()[0]
        size = os.path.getsize(path)
    except (duckdb.Error, OSError, IndexError):
        return False
    return block_size > 0 and (size - 3 * 4096) // block_size < used  # after the 12 KiB of headers


def explain(exc: Exception, path: Path) -> StoreError:
    text = str(exc)
    if (known := damage(exc, path)) is not None:
        return known
    if "lock" in text.lower():
        return StoreLockedError(
            f"Datalagret {path} används av en annan process (till exempel en annan instans av "
            f"appen eller en pågående inläsning). Vänta tills den är klar eller stäng den, och "
            f"försök igen.",
            f"The store {path} is locked by another process. Wait for it to finish or close it, "
            f"then try again. ({text.splitlines()[0]})",
        )
    if "not a valid duckdb" in text.lower() or "unable to open database" in text.lower() and "version" in text.lower():
        return StoreError(
            f"Filen {path} är inte ett datalager som asn-dash kan läsa (fel format eller skapad "
            f"av en annan DuckDB-version). Flytta den åt sidan och återställ en säkerhetskopia med "
            f"'python -m asn_dash restore FIL' (de ligger i {path.parent / 'backups'}), eller bygg ett nytt med "
            f"'python -m asn_dash init --force --db {path}'.",
            f"{path} is not a DuckDB store this asn-dash can read: {text.splitlines()[0]}",
        )
    return StoreError(
        f"Datalagret {path} kan inte skapas eller skrivas. Kontrollera att mappen finns och är "
        f"skrivbar, eller sätt miljövariabeln {ENV_VAR} till en skrivbar sökväg, t.ex. "
        f"{ENV_VAR}=/tmp/asn.duckdb.",
        f"Cannot create or write the store {path}: {text.splitlines()[0] if text else type(exc).__name__}. "
        f"Make the folder writable or set {ENV_VAR} to a writable path.",
    )


def connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open a DuckDB connection, turning every failure into a :class:`StoreError`."""
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except (duckdb.Error, OSError) as exc:
        raise explain(exc, path) from None
    if cut_short(con, path):
        con.close()
        raise damaged(path, "the file holds fewer blocks than the store uses (cut short)")
    return con


T = TypeVar("T")


class StoreMissingError(StoreError):
    """The store file disappeared while the app was running."""


def while_locked(opener: Callable[[], T], wait: float) -> T:
    """``opener()``, retried for up to ``wait`` seconds while another process holds the store."""
    deadline = time.monotonic() + wait
    while True:
        try:
            return opener()
        except StoreLockedError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.1)


def connect_existing(path: Path, wait: float = 0.0) -> duckdb.DuckDBPyConnection:
    """Connect to a store that must already exist, waiting up to ``wait`` seconds while another
    process (an ingest from the command line) holds it.

    A missing file is an error, never silently replaced by a new empty store: if it was deleted
    or moved while the app ran, an empty store would look like all data had vanished."""
    def opener() -> duckdb.DuckDBPyConnection:
        if not path.exists():
            raise StoreMissingError(
                f"Datalagret {path} finns inte längre – det har flyttats eller tagits bort medan appen var "
                f"igång. Återställ filen (t.ex. från säkerhetskopian) och försök igen. Appen skapar inte en "
                f"ny, tom fil i dess ställe.",
                f"The store {path} has disappeared while the app was running; restore it and retry.")
        return connect(path)

    return while_locked(opener, wait)


class StoreWriteError(StoreError):
    """The store could not be written (disk full, file gone, I/O error); nothing was saved."""


def write_error(exc: Exception) -> StoreWriteError:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    reason = "disken är full" if "no space left" in text.lower() else "skrivfel"
    return StoreWriteError(
        f"Datalagret kunde inte skrivas ({reason}: {text}). Inget av ändringen sparades; det som fanns "
        f"innan är kvar. Frigör utrymme eller kontrollera disken och försök igen.",
        f"The store could not be written ({text}); nothing was saved.")


@contextmanager
def transaction(cur: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """BEGIN … COMMIT on a cursor; any exception rolls everything back and is re-raised.

    I/O failures (disk full …) come out as :class:`StoreWriteError` with a plain message; the
    rollback (or, if DuckDB gave up on the connection, the write-ahead log on the next open)
    leaves the stored data as it was."""
    cur.execute("BEGIN TRANSACTION")
    try:
        yield cur
        cur.execute("COMMIT")
    except BaseException as exc:
        try:
            cur.execute("ROLLBACK")
        except duckdb.Error:
            pass  # the failed commit already ended it, or DuckDB invalidated the connection
        if _is_write_failure(exc):
            raise write_error(exc) from None
        raise


def audit(cur: duckdb.DuckDBPyConnection, user: str, action: str, target: str, detail: str) -> None:
    """The audit-log row of a change, written on the change's own cursor (same transaction)."""
    cur.execute("INSERT INTO audit_log (user_name, action, target, detail) VALUES (?, ?, ?, ?)",
                [user, action, target, detail]).fetchall()


# Value kinds (asn_dash.sources): only utfall is an outcome; the view `observations` shows nothing
# else, so a prognos or a budget can never be read as one.
VALUE_KINDS = {UTFALL: 0, PROGNOS: 1, BUDGET: 2}

VALUE_COLUMNS = ["indicator_id", "unit_id", "period", "value_kind", "value", "text_value", "source", "source_ref",
                 "upload_id"]


def add_keys(cur: duckdb.DuckDBPyConnection, table: str, ids: list[str]) -> None:
    """Give new indicator or unit ids their integer key (``table`` is indicator_keys or unit_keys);
    existing ids keep theirs, so stored values never change meaning."""
    if ids:
        cur.execute(f"INSERT INTO {table} (id) SELECT DISTINCT unnest(?::VARCHAR[]) AS id"
                    f" EXCEPT SELECT id FROM {table} ORDER BY id", [ids]).fetchall()


def write_values(cur: duckdb.DuckDBPyConnection, frame: pd.DataFrame, *, skip_existing: bool = False) -> int:
    """Insert stored values given with text ids (columns :data:`VALUE_COLUMNS`; ``value_kind``,
    ``source_ref`` and ``upload_id`` may be missing) and return how many rows were written.

    With ``skip_existing`` a value already stored for the same indicator, unit, period and kind is
    kept (published figures win over exempeldata). Otherwise a duplicate key is an error."""
    if frame.empty:
        return 0
    frame = frame.copy()
    for column, default in (("value_kind", UTFALL), ("source_ref", None), ("upload_id", None), ("text_value", None)):
        if column not in frame:
            frame[column] = default
    frame["value_kind"] = frame["value_kind"].fillna(UTFALL)
    frame["value"] = frame["value"].astype("float64")
    frame = frame.astype({"text_value": object, "source_ref": object, "upload_id": "Int64"})
    cur.register("values_to_write", frame[VALUE_COLUMNS])
    try:
        keyed = """
            SELECT i.key AS indicator_key, u.key AS unit_key, period_code(f.period) AS period_code, k.kind,
                   period_end_of(period_code(f.period)) AS period_end, f.value, f.text_value, f.source, f.source_ref,
                   f.upload_id, f.indicator_id, f.unit_id, f.period, f.value_kind
            FROM values_to_write f
            LEFT JOIN indicator_keys i ON i.id = f.indicator_id
            LEFT JOIN unit_keys u ON u.id = f.unit_id
            LEFT JOIN value_kinds k ON k.name = f.value_kind"""
        bad = cur.execute(f"SELECT indicator_id, unit_id, period, value_kind FROM ({keyed}) WHERE indicator_key IS NULL"
                          f" OR unit_key IS NULL OR period_code IS NULL OR kind IS NULL LIMIT 1").fetchall()
        if bad:
            raise StoreError(f"Värdet {bad[0]} kan inte lagras: okänd indikator, enhet, period eller värdetyp.")
        before = cur.execute("SELECT count(*) FROM observation_values").fetchall()[0][0]
        cur.execute(f"""
            INSERT INTO observation_values (indicator_key, unit_key, period_code, kind, period_end, value, text_value,
                                            source, source_ref, upload_id)
            SELECT indicator_key, unit_key, period_code, kind, period_end, value, text_value, source, source_ref,
                   upload_id
            FROM ({keyed}) {'ON CONFLICT DO NOTHING' if skip_existing else ''}""").fetchall()
        return cur.execute("SELECT count(*) FROM observation_values").fetchall()[0][0] - before
    finally:
        cur.unregister("values_to_write")


def _is_write_failure(exc: BaseException) -> bool:
    if any(sign in str(exc).lower() for sign in _DAMAGE_SIGNS):
        return False  # a damaged file, not a failed write: the caller names the file (see ``damage``)
    if isinstance(exc, (duckdb.IOException, duckdb.FatalException)):
        return True
    text = str(exc).lower()  # e.g. TransactionException "Failed to commit: Could not write file …"
    return isinstance(exc, duckdb.Error) and ("could not write" in text or "no space left" in text)


class Store:
    """One open store. Queries go through a fresh cursor and are fully fetched, which is what
    keeps one shared connection safe across Streamlit's threads.

    ``close`` closes the cursors made with :meth:`cursor` and then the connection, or, for a
    store lent out by :mod:`asn_dash.store.shared`, hands the connection back (``release``)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path, release: Callable[[], None] | None = None):
        self.con = con
        self.path = path
        self._cursors: list[duckdb.DuckDBPyConnection] = []
        self._release = release

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor that lives until ``close`` (for work spanning several calls, e.g. an upload's
        temporary tables); closing the store closes it, so the file is released."""
        cur = self.con.cursor()
        self._cursors.append(cur)
        return cur

    @contextmanager
    def writing(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A fresh cursor inside one transaction (see :func:`transaction`), closed afterwards."""
        cur = self.con.cursor()
        try:
            with transaction(cur):
                yield cur
        finally:
            cur.close()

    def query(self, sql: str, params: list | dict | None = None) -> pd.DataFrame:
        cur = self.con.cursor()
        try:
            return cur.execute(sql, params or []).df()
        finally:
            cur.close()

    def scalar(self, sql: str, params: list | dict | None = None):
        cur = self.con.cursor()
        try:
            rows = cur.execute(sql, params or []).fetchall()  # fetchall completes the result
            return rows[0][0] if rows else None
        finally:
            cur.close()

    def close(self) -> None:
        for cur in self._cursors:
            cur.close()
        self._cursors.clear()
        if self._release is not None:
            release, self._release = self._release, None
            release()
        elif self.con is not None:
            self.con.close()
        self.con = None


def keep_aside(path: Path, aside: Path) -> None:
    """Keep the file at ``path`` also as ``aside`` before ``path`` is replaced: a hard link, so the
    store's name never points at nothing (a copy where links are not possible); its write-ahead log,
    if any, moves along, so it can never be replayed into the file that replaces it."""
    try:
        os.link(path, aside)
    except OSError:
        import shutil

        shutil.copy2(path, aside)
    wal = Path(f"{path}.wal")
    if wal.exists():
        os.replace(wal, Path(f"{aside}.wal"))


def ensure_folder(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise explain(exc, path) from None
    if not os.access(path.parent, os.W_OK):
        raise explain(PermissionError(f"folder {path.parent} is not writable"), path)
