"""One way to start the app under Streamlit's AppTest (ASN_DB etc. come from the environment)."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parent.parent / "app.py"


def new_app() -> AppTest:
    return AppTest.from_file(str(APP), default_timeout=60)


def open_page(page: str) -> AppTest:
    """Run the app once, then the given page inside its navigation."""
    at = new_app()
    at.run()
    at.switch_page(page).run()
    return at


def sign_in(at: AppTest, username: str, password: str) -> AppTest:
    """Run the app and sign in with a local account through the sign-in form."""
    at.run()
    at.text_input(key="sign_in_user").input(username)
    at.text_input(key="sign_in_password").input(password)
    next(b for b in at.button if b.label == "Logga in").click().run()
    return at


def shown(markdown: str) -> str:
    """The text a reader sees of a Markdown body whose user text is escaped (``ui.show_error``,
    ``formatting.escape_markdown``): AppTest gives the body with its backslashes."""
    import re

    return re.sub(r"\\(.)", r"\1", markdown.replace("  \n", "\n"))
