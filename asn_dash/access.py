"""Which sign-in the app uses, decided on every run so that access never falls open while it runs.
No Streamlit here.

* ``[auth]`` in the secrets: organisation accounts (OIDC);
* a users file that exists: local accounts (a file that cannot be read lets nobody in, see
  :mod:`asn_dash.app.ui`);
* otherwise the open demo mode, but only if it is **enabled** (:func:`demo_enabled`) **and sign-in
  was never in use** for this store or in this server process;
* otherwise closed: :data:`auth.LOCKED` when sign-in was in use (the users file is missing or
  holds no account, or ``[auth]`` left the secrets: nobody gets in, the page tells the
  administrator what to do), :data:`auth.CLOSED` when it never was and demo mode is off.

"Sign-in was in use" is kept where deleting the users file does not remove it: a ``meta`` row of
the store (``access_local`` / ``access_oidc``), written the first time the app sees accounts and by
``python -m asn_dash users add``, and this process's memory for its lifetime.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from asn_dash import auth
from asn_dash.errors import AsnError

KINDS = ("local", "oidc")
_seen: set[tuple[str, str, str]] = set()  # (kind, store, users file) this process has seen sign-in in use
_seen_lock = threading.Lock()


@dataclass(frozen=True)
class Access:
    mode: str                    # auth.OIDC, LOCAL, DEMO, CLOSED or LOCKED
    message: str = ""            # for LOCKED and CLOSED: what the page says instead of the sign-in


def demo_enabled(secrets: Mapping, store_path: Path) -> bool:
    """Demo mode is enabled by ``ASN_DEMO=1`` or ``[asn] demo_mode = true`` and disabled by ``0`` /
    ``false``. Neither set: enabled only for the embedded default store (``data/asn.duckdb``, no
    ``ASN_DB``), so the README's one start command opens the demo and an installation with its own
    store does not."""
    env = os.environ.get("ASN_DEMO", "").strip().lower()
    if env in ("1", "true", "ja", "yes"):
        return True
    if env in ("0", "false", "nej", "no"):
        return False
    setting = (secrets.get("asn") or {}).get("demo_mode")
    if isinstance(setting, bool):
        return setting
    from asn_dash.store.store import DEFAULT_DB

    return Path(store_path).resolve() == DEFAULT_DB.resolve()


def marks(store) -> list[str]:
    """The kinds of sign-in recorded as in use for this store."""
    cur = store.con.cursor()  # plain rows: in demo mode this runs on every script run
    try:
        rows = cur.execute("SELECT key FROM meta WHERE key IN ('access_local', 'access_oidc')").fetchall()
    finally:
        cur.close()
    return sorted(key.removeprefix("access_") for (key,) in rows)


def mark(store, kind: str, where: str) -> None:
    """Record in the store that ``kind`` of sign-in is in use (kept if it was recorded before)."""
    if kind not in KINDS:
        raise ValueError(kind)
    when = datetime.now(UTC).isoformat(timespec="seconds")
    with store.writing() as cur:
        cur.execute("INSERT INTO meta VALUES (?, ?) ON CONFLICT DO NOTHING", [f"access_{kind}", f"{when} {where}"])


def mark_from_command_line(db: str | None, wait: float, users: Path) -> str | None:
    """``users add`` on the app's users file: record it in the store, if the store exists (a new
    store is marked by the app on its first run). A warning to print if that fails."""
    from asn_dash.store.setup import open_store
    from asn_dash.store.store import db_path, while_locked

    path = db_path(db)
    if not path.exists():
        return None
    try:
        store = while_locked(lambda: open_store(path), wait)
    except AsnError as exc:
        return (f"Obs: kontot är sparat, men datalagret {path} kunde inte få veta att konton används ({exc.sv}). "
                f"Appen antecknar det själv när den ser användarfilen.")
    try:
        mark(store, "local", str(users))
    finally:
        store.close()
    return None


def _key(kind: str, store) -> tuple[str, str, str]:
    return kind, str(store.path), str(auth.users_file())


def _remember(store, kind: str, where: str) -> None:
    with _seen_lock:
        if _key(kind, store) in _seen:
            return
    mark(store, kind, where)
    with _seen_lock:
        _seen.add(_key(kind, store))


def decide(secrets: Mapping, store) -> Access:
    """The sign-in mode of this run (see the module docstring)."""
    if "auth" in secrets:
        _remember(store, "oidc", "secrets [auth]")
        return Access(auth.OIDC)
    path = auth.users_file()
    if path.exists():
        try:
            users = auth.load_users(path)
        except AsnError:  # unreadable: still local mode, where it lets nobody in and says so
            users = None
        if users == {}:
            _remember(store, "local", str(path))
            return Access(auth.LOCKED, locked_message(path, "finns men innehåller inga konton"))
        _remember(store, "local", str(path))
        return Access(auth.LOCAL)
    with _seen_lock:
        seen = {kind for kind in KINDS if _key(kind, store) in _seen}
    used = seen | set(marks(store))
    if used:
        return Access(auth.LOCKED, locked_message(path, "saknas") if "local" in used else OIDC_GONE)
    if demo_enabled(secrets, store.path):
        return Access(auth.DEMO)
    return Access(auth.CLOSED, NOT_CONFIGURED)


def guess(secrets: Mapping, store_path: Path) -> str:
    """The mode as far as it can be told without the store (for an error before :func:`decide`):
    never DEMO where this process has seen sign-in in use."""
    if "auth" in secrets:
        return auth.OIDC
    if auth.users_file().exists():
        return auth.LOCAL
    with _seen_lock:
        used = any(key[1:] == (str(store_path), str(auth.users_file())) for key in _seen)
    return auth.DEMO if demo_enabled(secrets, store_path) and not used else auth.CLOSED


def locked_message(path: Path, what: str) -> str:
    return (f"Panelen är stängd: inloggning med lokala konton har använts här, men användarfilen {path} {what}. "
            f"Ingen kan logga in förrän en administratör återställer filen (t.ex. från säkerhetskopian) eller lägger "
            f"upp konton igen med 'python -m asn_dash users add NAMN --role admin'. Panelen öppnar aldrig sig själv "
            f"i demoläge när konton har funnits.")


OIDC_GONE = ("Panelen är stängd: inloggning med organisationskonton har använts här, men [auth] saknas nu i "
             ".streamlit/secrets.toml. Ingen kan logga in förrän en administratör återställer inställningen.")
NOT_CONFIGURED = ("Inloggning är inte konfigurerad och öppet demoläge är avstängt. Be en administratör lägga upp "
                  "inloggning (se README).")
