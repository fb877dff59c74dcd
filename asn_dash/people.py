"""Who is who in stored rows: audit rows and annotations keep the user name (it never changes);
the display name last seen for it is kept here, so pages can say "Anna Analytiker (anna)".

Sign-ins and sign-outs are recorded here too (the audit row and, for a sign-in, the name).

A user is remembered when they sign in and when they write a comment, status or override (in
the same transaction as the write), so names given by OIDC and the demo user are known too.
"""

from __future__ import annotations

import duckdb

from asn_dash.auth import MAX_USERNAME, User, display_name
from asn_dash.store.store import audit


def remember(cur: duckdb.DuckDBPyConnection, user: User) -> None:
    """Record ``user``'s current display name, on the cursor of the write that names them."""
    cur.execute("INSERT INTO people (user_name, display_name) VALUES (?, ?) ON CONFLICT (user_name)"
                " DO UPDATE SET display_name = excluded.display_name, seen_at = now()",
                [user.username, user.name]).fetchall()


def names(store) -> dict[str, str]:
    """user name → display name, for everyone the store has seen (empty before anyone has)."""
    rows = store.query("SELECT user_name, display_name FROM people")
    return dict(zip(rows["user_name"], rows["display_name"]))


def labelled(user_names, known: dict[str, str]) -> list[str]:
    """"Namn (användarnamn)" for each user name; a name the store does not know (rows written
    before user names were stored, the command line's --user) is shown as it is."""
    return [display_name(u, known.get(u)) for u in user_names]


def record_sign_in(store, username: str, user: User | None, how: str, locks=()) -> None:
    """The audit rows of a sign-in (``user`` None: failed) and of the locks it set off
    (:class:`asn_dash.throttle.Lock`), in one transaction."""
    who = (user.username if user else username.strip()[:MAX_USERNAME]) or "(tomt)"
    with store.writing() as cur:
        audit(cur, who, "inloggning" if user else "misslyckad inloggning", "panelen", how)
        if user is not None:
            remember(cur, user)
        for lock in locks:
            audit(cur, who, "inloggning spärrad", lock.target, lock.detail)


def record_sign_out(store, username: str, reason: str) -> None:
    """The audit row of a session signed out because its account changed."""
    with store.writing() as cur:
        audit(cur, username, "utloggad", "panelen", reason)
