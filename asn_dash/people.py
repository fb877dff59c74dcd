"""Who is who in stored rows: audit rows and annotations keep the user name (it never changes);
the display name last seen for it is kept here, so pages can say "Anna Analytiker (anna)".

A user is remembered when they sign in and when they write a comment, status or override (in
the same transaction as the write), so names given by OIDC and the demo user are known too.
"""

from __future__ import annotations

import duckdb

from asn_dash.auth import User, display_name

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
