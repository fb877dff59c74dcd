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
(``ASN_USERS``, default ``.streamlit/users.toml``); else the loudly marked open demo mode, which
``ASN_DEMO=0`` (or ``[asn] demo_mode = false`` in secrets) turns off.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import bcrypt

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

OIDC, LOCAL, DEMO, CLOSED = "oidc", "local", "demo", "closed"


class PermissionDenied(AsnError):
    """The signed-in user's role does not allow the action."""


class UsersFileError(AsnError):
    """The local users file cannot be used."""


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
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode("ascii")


_DUMMY_HASH = hash_password("timing-equaliser")


def users_file() -> Path:
    return Path(os.environ.get("ASN_USERS") or DEFAULT_USERS_FILE)


def load_users(path: Path) -> dict[str, tuple[User, str]]:
    """username → (User, bcrypt hash) from ``[users.<username>]`` tables with name, role, password_hash."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise UsersFileError(f"Användarfilen {path} kan inte läsas: {exc}.") from None
    out = {}
    for username, entry in (data.get("users") or {}).items():
        role, hashed = entry.get("role"), entry.get("password_hash", "")
        if role not in ROLES or not hashed.startswith("$2"):
            raise UsersFileError(f"Användarfilen {path}: användaren '{username}' behöver role ({', '.join(ROLES)}) "
                                 f"och password_hash (skapa med 'python -m asn_dash users add').")
        out[username] = (User(username, entry.get("name", username), role), hashed)
    return out


def verify(users: Mapping[str, tuple[User, str]], username: str, password: str) -> User | None:
    """The user if the password matches; None otherwise (same work either way)."""
    user, hashed = users.get(username.strip(), (None, _DUMMY_HASH))
    ok = bcrypt.checkpw(password.encode("utf-8"), hashed.encode("ascii"))
    return user if ok and user is not None else None


def mode(secrets: Mapping) -> str:
    if "auth" in secrets:
        return OIDC
    if users_file().exists():
        return LOCAL
    demo = (secrets.get("asn") or {}).get("demo_mode", True)
    if os.environ.get("ASN_DEMO", "").strip() == "0" or demo is False:
        return CLOSED
    return DEMO


def oidc_user(email: str, name: str, secrets: Mapping) -> User:
    """Role from ``[asn.roles]`` in secrets (e-mail → role); anyone else may read."""
    roles = (secrets.get("asn") or {}).get("roles") or {}
    role = roles.get(email.lower(), roles.get(email, LASARE))
    return User(email, name or email, role if role in ROLES else LASARE)


def add_user(path: Path, username: str, name: str, role: str, password: str) -> None:
    """Add or replace a user in the local users file (TOML written by hand: flat and simple)."""
    if role not in ROLES:
        raise UsersFileError(f"Okänd roll '{role}': välj {', '.join(ROLES)}.")
    if len(password) < 10:
        raise UsersFileError("Lösenordet måste vara minst 10 tecken.")
    users = load_users(path) if path.exists() else {}
    users[username] = (User(username, name, role), hash_password(password))
    lines = []
    for key, (user, hashed) in sorted(users.items()):
        lines += [f'[users."{key}"]', f'name = "{user.name}"', f'role = "{user.role}"', f'password_hash = "{hashed}"', ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")


def record_sign_in(store, username: str, ok: bool, how: str) -> None:
    from asn_dash.store.store import audit

    with store.writing() as cur:
        audit(cur, username or "(tomt)", "inloggning" if ok else "misslyckad inloggning", "panelen", how)
