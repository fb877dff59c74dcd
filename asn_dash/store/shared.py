"""One DuckDB connection per store file and process, shared by the script runs in progress.

Streamlit runs each session's script on its own thread. Opening and closing a connection to the
same file from several threads at once races inside DuckDB ("Unique file handle conflict:
Cannot attach … already attached") and showed as error pages under load. Here every run borrows
the process's one connection (each query still gets its own cursor, see :class:`Store`), and the
connection is opened and closed under one lock: opened by the first run that needs it, closed
when the last run hands it back. Between runs nothing holds the file, so a command-line ingest
can take it, as before.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from asn_dash.store.store import Store, connect_existing


class SharedConnection:
    """The shared connection to one store file (see the module docstring)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._con = None
        self._holders = 0
        self._prepared = False

    @property
    def holders(self) -> int:
        return self._holders

    def acquire(self, wait: float = 0.0, prepare: Callable[[Path], None] | None = None) -> Store:
        """A :class:`Store` on the shared connection; ``close()`` it to hand the connection back.

        ``prepare(path)`` runs once per process before the first connection (create, migrate and
        seed the store), under the same lock. A store locked by another process is waited for up
        to ``wait`` seconds (:func:`connect_existing`)."""
        with self._lock:
            if self._con is None:
                if prepare is not None and not self._prepared:
                    prepare(self.path)
                    self._prepared = True
                self._con = connect_existing(self.path, wait=wait)
            self._holders += 1
            return Store(self._con, self.path, release=self._release)

    def _release(self) -> None:
        with self._lock:
            self._holders -= 1
            if self._holders == 0 and self._con is not None:
                con, self._con = self._con, None
                con.close()


_connections: dict[Path, SharedConnection] = {}
_connections_lock = threading.Lock()


def shared(path: Path) -> SharedConnection:
    """The process's shared connection for ``path``."""
    key = Path(path).resolve()
    with _connections_lock:
        if key not in _connections:
            _connections[key] = SharedConnection(key)
        return _connections[key]
