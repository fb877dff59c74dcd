"""Who may do what: users, roles, password checks and sign-in records. No Streamlit here.

Roles (each includes the ones before it):

* ``läsare``     read everything;
* ``analytiker`` upload, comment, set statuses, override assessments, undo own uploads, save
  running orders for meetings;
* ``admin``      undo anyone's upload, refresh Kolada, read the audit log.

Every function that changes data takes the acting :class:`User` and calls :func:`require`, so a
läsare is refused wherever the call comes from, not only by hidden pages.

Sign-in modes (see :func:`mode`): Streamlit's OIDC (``st.login``) when ``[auth]`` is configured in
``.streamlit/secrets.toml``; else local users with bcrypt-hashed passwords in a TOML file
(``ASN_USERS``, default ``.streamlit/users.toml``); else the loudly marked open demo mode, only where
it is enabled and sign-in was never in use (decided by :mod:`asn_dash.access`).

A user name's identity is :func:`user_key` (NFKC, case folded), as the sign-in throttle counts it:
``Anna``, ``ANNA`` and ``ＡＮＮＡ`` are one account. Every change of the users file is a
read-modify-write under an OS file lock (``<users file>.lock``), so commands run at the same time
neither lose nor resurrect an account.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import threading
import unicodedata
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from asn_dash import texts
from asn_dash.errors import AsnError

LASARE, ANALYTIKER, ADMIN = "läsare", "analytiker", "admin"
ROLES = (LASARE, ANALYTIKER, ADMIN)
_RANK = {role: n for n, role in enumerate(ROLES)}

# action (as the message says it) → the least role allowed to do it
ACTIONS = {
    "kommentera": ANALYTIKER,
    "sätta förvaltningens bedömning": ANALYTIKER,
    "ändra bedömningar": ANALYTIKER,
    "ladda upp": ANALYTIKER,
    "spara dagordningar": ANALYTIKER,
    "ångra egna uppladdningar": ANALYTIKER,
    "ångra andras uppladdningar": ADMIN,
    "hämta från Kolada": ADMIN,
    "läsa loggen": ADMIN,
}

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_USERS_FILE = REPO_ROOT / ".streamlit" / "users.toml"

OIDC, LOCAL, DEMO, CLOSED, LOCKED = "oidc", "local", "demo", "closed", "locked"  # see asn_dash.access

MAX_USERNAME = 64
MAX_NAME = 200
MAX_PASSWORD_BYTES = 72  # bcrypt's limit
LOCK_TIMEOUT = 30.0      # seconds a users command waits for another one to finish


class PermissionDenied(AsnError):
    """The signed-in user's role does not allow the action."""


class UsersFileError(AsnError):
    """The local users file cannot be used."""


class SignedOut(AsnError):
    """A signed-in session no longer matches the users file (account removed, password changed)."""

    def __init__(self, sv: str, reason: str):
        super().__init__(sv)
        self.reason = reason  # for the audit log


@dataclass(frozen=True)
class User:
    username: str
    name: str
    role: str

    def can(self, action: str) -> bool:
        return _RANK.get(self.role, -1) >= _RANK[ACTIONS[action]]

    @property
    def label(self) -> str:
        return f"{self.name} ({self.role})"

    @property
    def display(self) -> str:
        """"Namn (användarnamn)", as pages name people."""
        return display_name(self.username, self.name)


def display_name(username: str, name: str | None) -> str:
    """"Anna Analytiker (anna)"; just the user name when there is no other name."""
    return f"{name} ({username})" if name and name != username else username


DEMO_USER = User("demo", "Demoanvändare", ANALYTIKER)


def cli_user(name: str) -> User:
    """The command line works on the store file directly, so it acts with admin rights."""
    return User(name, name, ADMIN)


def require(user: User | None, action: str) -> None:
    if user is None:
        raise PermissionDenied(f"Logga in för att {action}.")
    if not user.can(action):
        raise PermissionDenied(
            f"{user.name} har rollen {user.role} och får inte {action}; det kräver rollen {ACTIONS[action]}.",
            f"{user.username} ({user.role}) may not {action}.")


def hash_password(password: str) -> str:
    import bcrypt  # imported where a password is hashed or checked: the command line's ingest needs none

    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode("ascii")


@functools.cache
def _dummy_hash() -> str:
    """A hash to check unknown user names against, so they cost as much as known ones. Made on the
    first such check, not at import: the command line never needs it."""
    return hash_password("timing-equaliser")


def users_file() -> Path:
    return Path(os.environ.get("ASN_USERS") or DEFAULT_USERS_FILE)


_parsed: dict[str, tuple[bytes, dict[str, tuple[User, str]]]] = {}  # path → (sha256 of the file, users)
_parsed_lock = threading.Lock()


def load_users(path: Path) -> dict[str, tuple[User, str]]:
    """username → (User, bcrypt hash) from ``[users.<username>]`` tables with name, role, password_hash.

    The app calls this on every run (so a changed role, password or removal takes effect on the
    next click); the file is read and hashed each time but parsed again only when its content
    changed."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UsersFileError(f"Användarfilen {path} kan inte läsas: {exc.strerror or exc}.",
                             f"Cannot read the users file {path}: {exc}") from None
    digest = hashlib.sha256(raw).digest()
    with _parsed_lock:
        hit = _parsed.get(str(path))
    if hit is None or hit[0] != digest:
        hit = (digest, _parse_users(raw, path))
        with _parsed_lock:
            _parsed[str(path)] = hit
    return dict(hit[1])


_BCRYPT = re.compile(r"\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}")


def _parse_users(raw: bytes, path: Path) -> dict[str, tuple[User, str]]:
    import tomllib  # here: the command line's ingest reads no users file

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsersFileError(f"Användarfilen {path} kan inte läsas: {exc}.",
                             f"Cannot parse the users file {path}: {exc}") from None
    table = data.get("users") or {}
    if not isinstance(table, dict):
        raise UsersFileError(f"Användarfilen {path}: 'users' måste vara tabeller [users.\"namn\"].")
    out = {}
    for username, entry in table.items():
        entry = entry if isinstance(entry, dict) else {}
        role, hashed, name = entry.get("role"), entry.get("password_hash"), entry.get("name", username)
        if role not in ROLES or not isinstance(hashed, str) or not _BCRYPT.fullmatch(hashed) \
                or not isinstance(name, str):
            raise UsersFileError(f"Användarfilen {path}: användaren '{username}' behöver name (text), role "
                                 f"({', '.join(ROLES)}) och password_hash (skapa med 'python -m asn_dash users add').")
        out[username] = (User(username, name, role), hashed)
    return out


def user_key(username: str) -> str:
    """The identity of a user name: ``Anna``, ``ANNA`` and ``ＡＮＮＡ`` (full width) are one name."""
    return unicodedata.normalize("NFKC", username).casefold()


def find(users: Mapping[str, tuple[User, str]], username: str) -> str | None:
    """The stored user name that ``username`` means: itself, else the one stored name with the same
    :func:`user_key`. None if there is none, or several (a file from before names were unique, or
    edited by hand: then only the exact spelling finds an account)."""
    if username in users:
        return username
    same = [stored for stored in users if user_key(stored) == user_key(username)]
    return same[0] if len(same) == 1 else None


def verify(users: Mapping[str, tuple[User, str]], username: str, password: str) -> User | None:
    """The user if the password matches; None otherwise (same work either way). The user name may be
    typed in another case or width than it is stored (:func:`find`)."""
    stored = find(users, username.strip())
    user, hashed = users[stored] if stored is not None else (None, None)
    secret = password.encode("utf-8")
    if len(secret) > MAX_PASSWORD_BYTES:  # bcrypt refuses these; no stored password is this long
        user, hashed, secret = None, None, secret[:MAX_PASSWORD_BYTES]
    import bcrypt

    ok = bcrypt.checkpw(secret, (hashed or _dummy_hash()).encode("ascii"))
    return user if ok and user is not None else None


def fingerprint(users: Mapping[str, tuple[User, str]], username: str) -> str:
    """What a session keeps of the password hash it signed in with: enough to notice a changed
    password, nothing to attack (a digest of the salted hash, never the hash itself)."""
    return hashlib.sha256(users[username][1].encode("ascii")).hexdigest()[:16]


def recheck(users: Mapping[str, tuple[User, str]], signed_in: User, session_fingerprint: str | None) -> User:
    """The session's user as the users file says now (new role or name take effect at once).

    Raises :class:`SignedOut` if the account is gone or its password changed since sign-in."""
    if signed_in.username not in users:
        raise SignedOut("Ditt konto finns inte längre, så du har loggats ut. Kontakta en administratör om det "
                        "är fel.", "kontot är borttaget")
    if session_fingerprint is not None and fingerprint(users, signed_in.username) != session_fingerprint:
        raise SignedOut("Lösenordet har ändrats, så du har loggats ut. Logga in med det nya lösenordet.",
                        "lösenordet är ändrat")
    return users[signed_in.username][0]


def oidc_user(email: str, name: str, secrets: Mapping) -> User:
    """Role from ``[asn.roles]`` in secrets (e-mail → role); anyone else may read."""
    roles = (secrets.get("asn") or {}).get("roles") or {}
    role = roles.get(email.lower(), roles.get(email, LASARE))
    return User(email, name or email, role if role in ROLES else LASARE)


def _check_text(value: str, what: str, limit: int) -> None:
    """Names and user names: no line breaks or tabs, and none of the characters :mod:`asn_dash.texts`
    refuses in any free text (control, format, separator, private-use characters)."""
    bad = [f"U+{ord(ch):04X}" for ch in dict.fromkeys(value) if ch in texts.ALLOWED_CONTROLS]
    bad += texts.control_characters(value)
    if bad:
        raise UsersFileError(f"{what} får inte innehålla radbrytningar eller andra styrtecken ({', '.join(bad[:5])}).")
    if not texts.visible_length(value):
        raise UsersFileError(f"{what} saknas.")
    if len(value) > limit:
        raise UsersFileError(f"{what} är för långt ({len(value)} tecken, högst {limit}).")


def _check_role(role: str | None) -> None:
    if role is not None and role not in ROLES:
        raise UsersFileError(f"Okänd roll '{role}': välj {', '.join(ROLES)}.")


@contextmanager
def _changing(path: Path) -> Iterator[dict[str, tuple[User, str]]]:
    """The users, read under the users file's lock; what the block leaves in the dict is written
    before the lock is let go. Commands started at the same moment thus run one after another,
    each on the file as the one before left it."""
    import filelock

    path.parent.mkdir(parents=True, exist_ok=True)
    lock = filelock.FileLock(str(path.with_name(path.name + ".lock")), timeout=LOCK_TIMEOUT)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise UsersFileError(
            f"Användarfilen {path} ändras just nu av ett annat kommando (låset {lock.lock_file} släpptes inte på "
            f"{LOCK_TIMEOUT:.0f} s). Försök igen om en stund.",
            f"Timed out waiting for the lock of {path}") from None
    try:
        users = load_users(path) if path.exists() else {}
        before = dict(users)
        yield users
        if users != before:
            _write_users(path, users)
    finally:
        lock.release()


def add_user(path: Path, username: str, name: str, role: str, password: str) -> None:
    """Add a user to the local users file, or replace one stored under exactly this name. A name
    that is another spelling of a stored one (:func:`user_key`) is refused."""
    _check_role(role)
    _check_text(username, "Användarnamnet", MAX_USERNAME)
    if username != username.strip():
        raise UsersFileError("Användarnamnet får inte börja eller sluta med mellanslag.")
    _check_text(name, "Namnet", MAX_NAME)
    if len(password) < 10:
        raise UsersFileError("Lösenordet måste vara minst 10 tecken.")
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise UsersFileError(f"Lösenordet är för långt: högst {MAX_PASSWORD_BYTES} byte (å, ä och ö räknas som "
                             f"två), här {len(password.encode('utf-8'))}.")
    hashed = hash_password(password)  # before the lock: bcrypt takes a while
    with _changing(path) as users:
        same = [stored for stored in users if stored != username and user_key(stored) == user_key(username)]
        if same:
            raise UsersFileError(f"Användarnamnet '{username}' finns redan som '{same[0]}' (stora och små bokstäver "
                                 f"räknas som samma namn). Använd '{same[0]}' för att byta lösenord, eller välj ett "
                                 f"annat namn.")
        users[username] = (User(username, name, role), hashed)


def _stored(users: Mapping[str, tuple[User, str]], username: str, path: Path) -> str:
    stored = find(users, username)
    if stored is None:
        raise UsersFileError(f"Användaren '{username}' finns inte i {path}.")
    return stored


def update_user(path: Path, username: str, name: str | None = None, role: str | None = None) -> str:
    """Change a user's name or role, keeping the password (so an open session stays signed in
    and gets the new role on its next click). Returns the stored user name."""
    _check_role(role)
    if name is not None:
        _check_text(name, "Namnet", MAX_NAME)
    with _changing(path) as users:
        stored = _stored(users, username, path)
        user, hashed = users[stored]
        users[stored] = (User(stored, user.name if name is None else name, role or user.role), hashed)
    return stored


def remove_user(path: Path, username: str) -> str:
    """Remove a user from the local users file (an open session of theirs ends on its next click).
    Returns the stored user name."""
    with _changing(path) as users:
        stored = _stored(users, username, path)
        del users[stored]
    return stored


def _write_users(path: Path, users: Mapping[str, tuple[User, str]]) -> None:
    """Written with a TOML library (tomli-w), so no name can break the file or add keys; the new
    file replaces the old one atomically (the app never reads half a file), the folder is synced
    so the replacement survives a crash, and only its owner can read it."""
    import tomli_w

    doc = {"users": {key: {"name": user.name, "role": user.role, "password_hash": hashed}
                     for key, (user, hashed) in sorted(users.items())}}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as f:
            tomli_w.dump(doc, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    if os.name != "nt":  # Windows cannot open a folder to sync it (NTFS journals the rename)
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
