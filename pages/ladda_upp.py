"""Ladda upp: analysts' monthly files — check, preview, load, and undo."""

import pandas as pd
import streamlit as st

from asn_dash.app import ui
from asn_dash.errors import AsnError
from asn_dash.formatting import display_frame, escape_markdown, format_number, format_plain
from asn_dash.store import queries
from asn_dash.uploads import history as uploads
from asn_dash.uploads import ingest, templates
from asn_dash.uploads.totals import effect_lines, total_effects

ui.ensure_app_navigation()
store = ui.store()
me = ui.require_page("ladda upp")

st.title("Ladda upp")
if message := st.session_state.pop("upload_message", None):
    st.success(message)
st.write("Läs in månadens siffror från Excel eller verksamhetssystemet. Filen kontrolleras rad för rad "
         "och läses in helt eller inte alls.")

with st.expander("Format och mallar", expanded=False):
    st.markdown(templates.FORMAT_HELP)
    c1, c2, c3 = st.columns(3)
    c1.download_button("Mall, långt format (CSV)", ui.static(templates.long_csv), "mall_langt_format.csv", "text/csv")
    c2.download_button("Mall, brett format (CSV)", ui.static(templates.wide_csv), "mall_brett_format.csv", "text/csv")
    c3.download_button("Mall (Excel)", ui.static(templates.xlsx), "mall.xlsx",
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

st.caption(f"Uppladdningen sparas i ditt namn: {escape_markdown(me.label)}.")
upload = st.file_uploader("Fil (CSV eller Excel)", type=["csv", "txt", "tsv", "xlsx", "xlsm"], key="upload_file")
sheet = st.text_input("Blad i Excel-filen (tomt = första bladet)", key="upload_sheet")

if upload is not None:
    data = upload.getvalue()
    try:
        analysis = ingest.analyse(store, upload.name, data, sheet=sheet or None)
    except AsnError as exc:  # the file as a whole (size, kind, layout) or the size setting
        ui.show_error(exc)
        st.stop()
    if analysis.sheet_read:
        st.caption(f"Läste bladet {escape_markdown(analysis.sheet_read)}.")

    if not analysis.ok:
        st.error(f"{format_number(analysis.error_count)} fel i {escape_markdown(upload.name)}. Inget har lästs in; "
                 f"rätta filen och ladda upp igen.")
        st.dataframe(pd.DataFrame([e.as_dict() for e in analysis.errors]).rename(
            columns={"row": "Rad", "column": "Kolumn", "value": "Värde", "message": "Fel"}),
            hide_index=True, width="stretch")
        if analysis.more_errors():
            st.caption(f"Visar de första {len(analysis.errors)} av {format_number(analysis.error_count)} fel "
                       f"({format_number(analysis.more_errors())} till).")
        st.stop()

    counts = analysis.counts()
    st.header("Förhandsgranskning", anchor=False)
    c1, c2, c3 = st.columns(3)
    c1.metric("Nya värden", format_number(counts["inserted"]))
    c2.metric("Ändrade värden", format_number(counts["updated"]))
    c3.metric("Oförändrade", format_number(counts["unchanged"]))
    changes = analysis.changes

    kinds = changes["value_kind"].ne("utfall").any()  # the kind is shown when the file has more than utfall

    def table(status: str) -> pd.DataFrame:
        part = changes[changes["status"] == status]
        return pd.DataFrame({
            "Rad": part["row"], "Indikator": part["indicator_id"], "Enhet": part["unit_id"],
            "Period": part["period"], **({"Typ": part["value_kind"]} if kinds else {}),
            "Tidigare": [("—" if pd.isna(v) and not isinstance(t, str) else t if isinstance(t, str) else
                          format_plain(v)) for v, t in zip(part["old_value"], part["old_text_value"])],
            "Nytt": [t if isinstance(t, str) else format_plain(v)
                     for v, t in zip(part["value"], part["text_value"])],
        })

    new_tab, changed_tab, same_tab = st.tabs(["Nya", "Ändrade (tidigare → nytt)", "Oförändrade"])
    new_tab.dataframe(table("ny"), hide_index=True, width="stretch")
    changed_tab.dataframe(table("ändrad"), hide_index=True, width="stretch")
    same_tab.dataframe(table("oförändrad"), hide_index=True, width="stretch")
    totals = effect_lines(total_effects(analysis.cursor, ui.cached(store, queries.whole_administration, reads=(ui.CATALOGUE,))))
    if totals:  # which administration figures the upload changes (asn_dash.rules.rollup)
        st.subheader("Summor för hela förvaltningen", anchor=False)
        for line in totals:
            st.text(line)

    confirmed = True
    if analysis.warnings:
        n = analysis.warning_count
        st.warning(f"{format_number(n)} {'varning' if n == 1 else 'varningar'}: kontrollera värdena innan de "
                   f"läses in.")
        for w in analysis.warnings:
            st.text(w.text(upload.name))
        if analysis.more_warnings():
            st.caption(f"Visar de första {len(analysis.warnings)} av {format_number(n)} varningar "
                       f"({format_number(analysis.more_warnings())} till).")
        confirmed = st.checkbox("Jag har kontrollerat värdena och vill läsa in dem ändå", key="confirm_warnings")

    if counts["inserted"] + counts["updated"] == 0:
        st.info("Alla värden i filen finns redan; det finns inget att läsa in.")
    elif st.button("Läs in", type="primary", disabled=not confirmed):
        try:
            upload_id = ingest.commit(store, analysis, me, accept_warnings=confirmed)
        except AsnError as exc:
            ui.show_error(exc)
        else:
            st.session_state["upload_message"] = (
                f"Uppladdning {upload_id} är inläst: {format_number(counts['inserted'])} nya och "
                f"{format_number(counts['updated'])} ändrade värden.")
            st.rerun()

st.header("Uppladdningar", anchor=False)
log = ui.cached(store, uploads.list_uploads, reads=(ui.VALUES,))
if log.empty:
    st.write("Inga uppladdningar ännu.")
else:
    st.dataframe(display_frame(log.rename(columns={
        "id": "Nr", "uploaded_at": "Tid", "user_name": "Av", "file_name": "Fil", "inserted": "Nya",
        "updated": "Ändrade", "unchanged": "Oförändrade", "warnings": "Varningar", "status": "Status",
        "undone_at": "Ångrad", "undone_by": "Ångrad av", "sha256": "SHA-256"}),
        timestamps=["Tid", "Ångrad"], counts=["Nya", "Ändrade", "Oförändrade", "Varningar"]),
        hide_index=True, width="stretch")
    mine = log["user_name"] == me.username
    undoable = ~log["status"].isin(["ångrad", uploads.UNCHANGED]) & (mine | me.can("ångra andras uppladdningar"))
    active = log[undoable]["id"].tolist()
    if active:
        with st.form("undo"):
            chosen = st.selectbox("Ångra uppladdning nr", active)
            if st.form_submit_button("Ångra uppladdningen"):
                try:
                    result = uploads.undo(store, int(chosen), me)
                    st.session_state["upload_message"] = (
                        f"Uppladdning {chosen} är ångrad: {result['removed']} värden borttagna, "
                        f"{result['restored']} återställda.")
                    st.rerun()
                except AsnError as exc:
                    ui.show_error(exc)
