"""The empty page of the benchmarks: the shared shell only (store, sign-in, sidebar selection), no
page content. ``bench pages`` runs it in AppTest, ``bench serve`` as its own ``streamlit run``."""

import streamlit as st

from asn_dash.app import ui

store = ui.open_run_store()
try:
    ui.signed_in_user(store)
    st.sidebar.title("ASN-panelen")
    ui.sidebar_selection(store)
    st.title("Tom sida")
finally:
    ui.close_run_store()
