"""asn-dash entry point: `streamlit run app.py`.

Opens (and on first start creates and seeds) the store, draws the shared sidebar and runs
the chosen page. Pages hold no business logic; they call asn_dash.
"""

import streamlit as st

from asn_dash.app import render, ui

st.set_page_config(page_title="ASN-panelen – Tyresö kommun", page_icon=":material/monitoring:", layout="wide")

store = ui.open_run_store()
ui.html(render.APP_CSS)  # focus ring and caption contrast on every page, the sign-in too
try:
    user = ui.signed_in_user(store)  # a signed-out visitor sees only the sign-in

    pages = [
        st.Page("pages/oversikt.py", title="Översikt", icon=":material/dashboard:", default=True),
        st.Page("pages/indikator.py", title="Indikator", icon=":material/show_chart:"),
        st.Page("pages/ekonomi.py", title="Ekonomi", icon=":material/account_balance:"),
        st.Page("pages/jamforelser.py", title="Jämförelser", icon=":material/leaderboard:"),
    ]
    pages.append(st.Page("pages/presentation.py", title="Presentation", icon=":material/co_present:"))
    if user.can("ladda upp"):
        pages.append(st.Page("pages/ladda_upp.py", title="Ladda upp", icon=":material/upload_file:"))
    if user.can("läsa loggen"):
        pages.append(st.Page("pages/logg.py", title="Logg", icon=":material/history:"))
    pages.append(st.Page("pages/om_data.py", title="Om data", icon=":material/info:"))
    navigation = st.navigation(pages)

    st.sidebar.title("ASN-panelen")
    st.sidebar.caption("Arbetsmarknads- och socialnämnden, Tyresö kommun")
    ui.sidebar_user(user)
    ui.sidebar_selection(store)
    navigation.run()
except Exception as exc:  # a store found damaged mid-run: the Swedish message, not Streamlit's error page
    if not ui.show_damage(exc):
        raise
finally:
    ui.close_run_store()  # release the DuckDB file between runs (CLI ingests can get in)
