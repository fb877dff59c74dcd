"""A ready store for the app and the command line: created and seeded on first use, migrated,
its catalogue tables in step with ``data/catalogue``.

This is the layer above :mod:`asn_dash.store.store` (connections, migrations, transactions),
which knows nothing of the catalogue, the seed files or Kolada.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import duckdb

from asn_dash.store import seed
from asn_dash.store.store import (
    LATEST_VERSION,
    Store,
    StoreError,
    StoreLockedError,
    connect,
    db_path,
    ensure_folder,
    explain,
    keep_aside,
    migrate,
    schema_version,
)


def build_store(path: Path, *, force: bool = False, catalogue=None) -> Path:
    """Create a complete, seeded store at ``path``; with ``force`` replace an existing one, which
    is kept as ``<path>.replaced-<time>`` (also when it is damaged or not a store at all).

    The store is written to a temporary file in the same folder and renamed into place, so
    readers see either the old store or the complete new one.
    """
    path = Path(path)
    ensure_folder(path)
    replaced = None
    if path.exists():
        if not force:
            raise StoreError(
                f"Datalagret {path} finns redan. Använd --force för att bygga om det "
                f"(allt i det ersätts).",
                f"The store {path} already exists; use --force to rebuild it.",
            )
        try:
            connect(path).close()  # refuses, with a clear message, if another process holds it
        except StoreLockedError:
            raise
        except StoreError:
            pass  # damaged or not a store: replaced, as asked, but kept aside like any other
        replaced = path.with_name(f"{path.name}.replaced-{time.strftime('%Y%m%d-%H%M%S')}")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # DuckDB wants to create the file itself
    try:
        con = connect(tmp)
        try:
            migrate(con, tmp)
            seed.seed_store(con, catalogue)
            con.execute("CHECKPOINT")
        finally:
            con.close()
        if replaced is not None:
            keep_aside(path, replaced)  # never lost: a damaged store may still hold what a restore lacks
        os.replace(tmp, path)
    finally:
        for leftover in (tmp, Path(f"{tmp}.wal")):
            if leftover.exists():
                leftover.unlink()
    return path


def open_store(path: str | os.PathLike | None = None, *, read_only: bool = False, catalogue=None) -> Store:
    """Open the store, creating and seeding it on first use and migrating an older one.

    Also re-syncs the catalogue tables when the catalogue files changed since the last open.
    """
    path = db_path(path)
    if not path.exists():
        if read_only:
            raise StoreError(
                f"Datalagret {path} finns inte. Skapa det med 'python -m asn_dash init --db {path}'.",
                f"The store {path} does not exist; create it with 'python -m asn_dash init'.",
            )
        build_store(path, catalogue=catalogue)
    else:
        ensure_folder(path) if not read_only else None
    con = connect(path, read_only=read_only)
    try:
        if not read_only:
            migrate(con, path)
            seed.sync_catalogue_if_changed(con, catalogue)
        elif schema_version(con) != LATEST_VERSION:
            raise StoreError(
                f"Datalagret {path} har en äldre schemaversion; öppna det en gång med skrivrätt "
                f"(starta appen eller kör 'python -m asn_dash init') så uppgraderas det.",
                f"The store {path} needs a migration; open it once read-write.",
            )
    except duckdb.Error as exc:
        con.close()
        raise explain(exc, path) from None
    except Exception:
        con.close()
        raise
    return Store(con, path)
