"""Backups of the store that can be checked, and a restore that checks them first.

How a consistent copy is made (DuckDB 2.0, as pinned; `backup` of the seeded 19 MB store: ~3 s including start-up):

* DuckDB lets one process at a time open a file read-write, and no other process may open it
  at all meanwhile. The app holds its store only while a script run is executing (see
  :mod:`asn_dash.store.shared`), exactly so a command-line process can take it between clicks.
  So the backup process does not ask the app for a copy: it takes the store itself, waiting
  (``--wait``) as every command does, and a run of the app waits for it in turn (``ASN_LOCK_WAIT``).
* Holding the store read-write, it runs ``CHECKPOINT`` (everything committed, including what
  is still in the write-ahead log, goes into the main file) and copies the file while still
  holding it, so no other process can write during the copy. The copy is exact: sequences,
  indexes and the schema version come along, which ``COPY FROM DATABASE`` would rebuild
  (sequences would need care; that way was not measured). A plain copy without the hold and the checkpoint
  is not consistent and is never made.
* Row counts and a checksum per table (an order-independent sum over each row's text) are
  computed on the held store and written into the copy, in the schema ``backup_manifest``;
  the copy is then read back and must match before it is renamed from its temporary name.
  The checksums are DuckDB's text form of the rows, so a backup is checked by the DuckDB
  version pinned in requirements.lock; a DuckDB upgrade that changes that form makes restore
  refuse, never restore silently.
* ``restore`` checks a file (a DuckDB file, a manifest, a known schema version not from the
  future, every table's count and checksum) before it touches the store, refuses while any
  process holds the store, moves the replaced store aside as ``<store>.replaced-<time>`` and
  renames the checked copy (manifest removed, migrated to this version) into place.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from asn_dash.store.store import (
    LATEST_VERSION,
    StoreError,
    StoreLockedError,
    connect,
    cut_short,
    damage,
    keep_aside,
    migrate,
    schema_version,
    while_locked,
)

MANIFEST = "backup_manifest"


class BackupError(StoreError):
    """A backup that cannot be made, or a file that restore refuses."""


@dataclass(frozen=True)
class TableSum:
    table: str
    rows: int
    checksum: str


def backups_folder(store_path: Path) -> Path:
    return Path(store_path).parent / "backups"


def _stamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S")


def default_output(store_path: Path) -> Path:
    store_path = Path(store_path)
    return backups_folder(store_path) / f"{store_path.stem}-{_stamp()}.duckdb"


def table_sums(con: duckdb.DuckDBPyConnection, database: str | None = None) -> list[TableSum]:
    """Row count and checksum of every table in ``main`` (of ``database``, default the current)."""
    db = database or con.execute("SELECT current_database()").fetchall()[0][0]
    tables = [r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'main' "
        "ORDER BY table_name", [db]).fetchall()]
    sums = []
    for table in tables:
        name = f'"{db}".main."{table}"'
        rows, checksum = con.execute(
            f"SELECT count(*), coalesce(sum(md5_number_upper(CAST(t AS VARCHAR))::HUGEINT), 0)::VARCHAR "
            f"FROM {name} AS t").fetchall()[0]
        sums.append(TableSum(table, rows, checksum))
    return sums


def _write_manifest(con: duckdb.DuckDBPyConnection, sums: list[TableSum], version: int, source: Path) -> None:
    con.execute(f"CREATE SCHEMA {MANIFEST}")
    con.execute(f"CREATE TABLE {MANIFEST}.tables (table_name VARCHAR PRIMARY KEY, row_count BIGINT NOT NULL,"
                f" checksum VARCHAR NOT NULL)")
    con.executemany(f"INSERT INTO {MANIFEST}.tables VALUES (?, ?, ?)", [[s.table, s.rows, s.checksum] for s in sums])
    con.execute(f"CREATE TABLE {MANIFEST}.info (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)")
    con.executemany(f"INSERT INTO {MANIFEST}.info VALUES (?, ?)", [
        ["schema_version", str(version)], ["made_at", datetime.now().isoformat(timespec="seconds")],
        ["source", str(source)], ["duckdb", duckdb.__version__]])
    con.execute("CHECKPOINT")


def _temporary(target: Path) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    return Path(name)


def _remove(path: Path) -> None:
    for leftover in (path, Path(f"{path}.wal")):
        leftover.unlink(missing_ok=True)


def make_backup(store_path: Path, output: Path | None = None, wait: float = 15.0) -> tuple[Path, list[TableSum]]:
    """Copy the store consistently to ``output`` (default: ``backups/<name>-<time>.duckdb`` beside
    it) and return the path and what the manifest records. See the module docstring."""
    store_path = Path(store_path)
    output = Path(output) if output else default_output(store_path)
    if not store_path.exists():
        raise BackupError(f"Datalagret {store_path} finns inte; det finns inget att säkerhetskopiera.",
                          f"The store {store_path} does not exist.")
    if output.exists() and output.is_dir():
        raise BackupError(f"{output} är en mapp; ange ett filnamn i den (-o {output / 'FIL.duckdb'}).")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        tmp = _temporary(output)
    except OSError as exc:
        raise BackupError(f"Säkerhetskopian kan inte skrivas i {output.parent} ({exc.strerror or exc}).") from None
    try:
        try:
            con = while_locked(lambda: connect(store_path), wait)
        except StoreLockedError as exc:
            raise StoreLockedError(
                f"Datalagret {store_path} har hållits av en annan process i {wait:.0f} s (appen mitt i en "
                f"uppladdning eller en inläsning från kommandoraden), så ingen säkerhetskopia gjordes. Kör "
                f"kommandot igen om en stund, eller med längre väntetid (--wait 120).", exc.en) from None
        try:
            con.execute("CHECKPOINT")  # everything committed is in the main file, the WAL is empty
            version = schema_version(con)
            sums = table_sums(con)
            shutil.copyfile(store_path, tmp)  # still held: no other process can write meanwhile
        except (duckdb.Error, OSError) as exc:
            raise _failed(exc, store_path, output) from None
        finally:
            con.close()
        try:
            copy = duckdb.connect(str(tmp))
            try:
                _write_manifest(copy, sums, version, store_path)
            finally:
                copy.close()
        except (duckdb.Error, OSError) as exc:
            raise _failed(exc, store_path, output) from None
        check_backup(tmp)  # the copy as written must read back whole
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, output)
    finally:
        _remove(tmp)
    return output, sums


def _failed(exc: BaseException, store_path: Path, output: Path) -> StoreError:
    if (known := damage(exc, store_path)) is not None:
        return known
    reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return BackupError(f"Säkerhetskopian {output} kunde inte göras ({reason}); ingen fil skrevs.",
                       f"The backup {output} could not be made: {reason}")


def _refuse(path: Path, why: str, en: str) -> BackupError:
    return BackupError(f"Filen {path} återställs inte: {why}. Datalagret har inte ändrats.",
                       f"{path} is not restored: {en}. The store was not changed.")


def check_backup(path: Path) -> int:
    """Check a backup file and return its schema version, or raise :class:`BackupError`."""
    path = Path(path)
    if not path.is_file():
        raise _refuse(path, "filen finns inte", "no such file")
    try:
        con = duckdb.connect(str(path), read_only=True)
    except (duckdb.Error, OSError) as exc:
        if damage(exc, path) is not None:
            raise _refuse(path, "filen är skadad eller avkortad", str(exc).splitlines()[0]) from None
        raise _refuse(path, "det är inte en säkerhetskopia av datalagret (inte en DuckDB-fil)",
                      str(exc).splitlines()[0]) from None
    try:
        if cut_short(con, path):
            raise _refuse(path, "filen är avkortad", "the file holds fewer blocks than the store uses")
        try:
            info = dict(con.execute(f"SELECT key, value FROM {MANIFEST}.info").fetchall())
            recorded = {r[0]: (r[1], r[2]) for r in con.execute(
                f"SELECT table_name, row_count, checksum FROM {MANIFEST}.tables").fetchall()}
        except duckdb.Error as exc:
            if damage(exc, path) is not None:
                raise _refuse(path, "filen är skadad", str(exc).splitlines()[0]) from None
            raise _refuse(path, "den saknar säkerhetskopians innehållsförteckning (gjord med "
                                "'python -m asn_dash backup'?)", "no backup manifest") from None
        try:
            version = schema_version(con)
            if version > LATEST_VERSION:
                raise _refuse(path, f"den har schemaversion {version}, men den här versionen av asn-dash känner "
                                    f"bara till version {LATEST_VERSION}; uppdatera asn-dash först",
                              f"schema version {version} is newer than {LATEST_VERSION}")
            if str(version) != info.get("schema_version"):
                raise _refuse(path, f"schemaversionen {version} stämmer inte med innehållsförteckningens "
                                    f"{info.get('schema_version')}", "schema version differs from the manifest")
            if version < 1:
                raise _refuse(path, "den innehåller inget datalager", "no schema")
            found = {s.table: (s.rows, s.checksum) for s in table_sums(con)}
        except duckdb.Error as exc:
            raise _refuse(path, "filen är skadad", str(exc).splitlines()[0]) from None
        if set(found) != set(recorded):
            changed = sorted(set(found) ^ set(recorded))
            raise _refuse(path, f"tabellerna stämmer inte med innehållsförteckningen ({', '.join(changed)})",
                          f"tables differ from the manifest: {changed}")
        for table, (rows, checksum) in sorted(recorded.items()):
            if found[table][0] != rows:
                raise _refuse(path, f"tabellen {table} har {found[table][0]} rader, men {rows} när kopian gjordes",
                              f"row count of {table} differs")
            if found[table][1] != checksum:
                raise _refuse(path, f"innehållet i tabellen {table} har ändrats sedan kopian gjordes "
                                    f"(kontrollsumman stämmer inte)", f"checksum of {table} differs")
        return version
    finally:
        con.close()


def restore(backup: Path, store_path: Path) -> tuple[int, Path | None]:
    """Replace the store by a checked backup; return the backup's schema version and where the
    replaced store was put (None when there was none)."""
    backup, store_path = Path(backup), Path(store_path)
    version = check_backup(backup)
    store_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temporary(store_path)
    try:
        shutil.copyfile(backup, tmp)
        if store_path.exists():
            shutil.copymode(store_path, tmp)  # the store keeps its permissions
        con = duckdb.connect(str(tmp))
        try:
            con.execute(f"DROP SCHEMA {MANIFEST} CASCADE")
            migrate(con, tmp)
            con.execute("CHECKPOINT")
        finally:
            con.close()
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        replaced = None
        held = None
        if store_path.exists():
            try:
                held = connect(store_path)  # refuses while the app or a command holds the store
            except StoreLockedError as exc:
                raise StoreLockedError(
                    f"Datalagret {store_path} används av en annan process (appen mitt i en körning eller ett "
                    f"kommando), så det ersattes inte. Stoppa appen (t.ex. 'systemctl stop asn-dash') och vänta "
                    f"tills kommandon är klara, och kör restore igen.", exc.en) from None
            except StoreError:
                held = None  # a damaged or unreadable store is exactly what a restore replaces
        try:
            if held is not None:
                held.execute("CHECKPOINT")  # the replaced store kept whole, without its WAL
            if store_path.exists():
                replaced = store_path.with_name(f"{store_path.name}.replaced-{_stamp()}")
                keep_aside(store_path, replaced)  # while held: no process writes the old file meanwhile
            os.replace(tmp, store_path)  # the name never points at nothing
        finally:
            if held is not None:
                held.close()
    finally:
        _remove(tmp)
    return version, replaced
