"""The Presentation page through AppTest: running order, saving it, stepping through, masking."""

import pytest

from asn_dash import auth
from asn_dash.auth import User

from .apptest import new_app


@pytest.fixture
def page(seeded_db, monkeypatch):
    monkeypatch.setenv("ASN_DB", str(seeded_db))
    at = new_app()
    at.query_params["planar"] = "2025"
    at.query_params["period"] = "2025-T2"
    at.run()
    return at.switch_page("pages/presentation.py").run()


def button(at, label):
    return next(b for b in at.button if b.label == label)


def order(at) -> list[str]:
    return list(at.session_state["dagordning"])


def set_order(at, ids: list[str]):
    """Through the page's own controls: empty the order, then add each indicator once."""
    button(at, "Töm dagordningen").click().run()
    for indicator_id in ids:
        at.selectbox(key="lagg_till").set_value(indicator_id).run()
    assert order(at) == ids
    return at


def test_setup_lists_the_plan_and_the_verksamhetsmatt(page):
    assert not page.exception
    assert page.title[0].value == "Presentation och export"
    add = page.selectbox(key="lagg_till")
    assert "Placeringar SiS (barn och unga) (Verksamhetsmått)" in add.options
    assert "Antal hushåll med ekonomiskt bistånd (Hållbarhet)" not in add.options  # already in the order
    assert "hushall_ekb" in order(page) and "plac_sis" not in order(page)  # default: the plan's with a value
    assert any("Bildspelet har en titelbild" in c.value for c in page.main.caption)
    assert [h.value for h in page.header] == ["Dagordning", "Presentation", "Ladda ner till handlingarna"]


def listed(at) -> list[str]:
    """The running order as the page lists it while its editor is closed."""
    return [line.replace("\\", "") for m in at.main.markdown if m.value[:1].isdigit() for line in m.value.split("  \n")]


def test_adding_one_indicator_adds_exactly_one_and_rows_can_be_reordered(page):
    set_order(page, ["hushall_ekb", "sjukfranvaro", "plac_lvm"])
    page.selectbox(key="lagg_till").set_value("plac_sis").run()
    assert order(page) == ["hushall_ekb", "sjukfranvaro", "plac_lvm", "plac_sis"]
    assert page.selectbox(key="lagg_till").value is None  # ready for the next one
    assert not [b for b in page.button if b.key and b.key.startswith("upp_")]  # the editor is closed
    assert listed(page) == ["1. Antal hushåll med ekonomiskt bistånd (Hållbarhet)", "2. Sjukfrånvaro (R12) (Medarbetare)",
                            "3. Placeringar LVM (Verksamhetsmått)",
                            "4. Placeringar SiS (barn och unga) (Verksamhetsmått)"]
    page.session_state["dagordning-andra"] = True  # "Ändra ordningen" opened, as a click does
    page.run()
    assert listed(page)[0] == "1. Antal hushåll med ekonomiskt bistånd (Hållbarhet)"  # the editor's own rows
    page.button(key="upp_plac_sis").click().run()
    page.button(key="ned_hushall_ekb").click().run()
    assert order(page) == ["sjukfranvaro", "hushall_ekb", "plac_sis", "plac_lvm"]
    assert page.button(key="upp_sjukfranvaro").disabled and page.button(key="ned_plac_lvm").disabled
    page.button(key="bort_hushall_ekb").click().run()
    assert order(page) == ["sjukfranvaro", "plac_sis", "plac_lvm"]
    assert listed(page) == ["1. Sjukfrånvaro (R12) (Medarbetare)", "2. Placeringar SiS (barn och unga) (Verksamhetsmått)",
                            "3. Placeringar LVM (Verksamhetsmått)"]  # the editor stays open between clicks
    page.session_state["dagordning-andra"] = False
    page.run()
    assert listed(page) == ["1. Sjukfrånvaro (R12) (Medarbetare)", "2. Placeringar SiS (barn och unga) (Verksamhetsmått)",
                            "3. Placeringar LVM (Verksamhetsmått)"]
    assert len([m for m in page.main.markdown if m.value[:1].isdigit()]) == 1  # one element, not one per row


def test_four_downloads_and_the_pdf_one_needs_libreoffice(page, seeded_db, tmp_path, monkeypatch):
    """(The file names are checked through real downloads in tests/e2e/test_presentation.py.)"""
    buttons = {b.label: b.proto.disabled for b in page.get("download_button")}
    assert buttons == {"Bildspel (PPTX)": False, "Indikatortabell (XLSX)": False, "Rapportavsnitt (Word)": False,
                       "Rapportavsnitt (PDF)": False}
    monkeypatch.setenv("PATH", str(tmp_path))  # no soffice anywhere
    monkeypatch.delenv("ASN_SOFFICE", raising=False)
    page.run()
    pdf = next(b for b in page.get("download_button") if b.label == "Rapportavsnitt (PDF)")
    assert pdf.proto.disabled and "libreoffice-writer-nogui" in pdf.proto.help


def test_step_through_the_running_order_and_back(page):
    set_order(page, ["hushall_ekb", "plac_lvm"])
    button(page, "Starta presentation").click().run()
    assert page.title[0].value == "Målområden – jan–aug 2025"
    assert page.markdown[0].value == "**1 / 3**"
    assert button(page, "Föregående").disabled
    button(page, "Nästa").click().run()
    assert page.title[0].value == "Antal hushåll med ekonomiskt bistånd"
    spec = page.get("plotly_chart")[0].proto.spec
    assert "Utfall 2025" in spec and '"displayModeBar":false' in page.get("plotly_chart")[0].proto.config.replace(" ", "")
    assert any("389" in m.value for m in page.markdown)
    button(page, "Nästa").click().run()
    assert page.title[0].value == "Placeringar LVM"
    assert any("Utfall jan–aug 2025:** 1–3" in m.value.replace("\\", "") for m in page.markdown)
    assert button(page, "Nästa").disabled
    button(page, "Föregående").click().run()
    assert page.title[0].value == "Antal hushåll med ekonomiskt bistånd"
    button(page, "Avsluta").click().run()
    assert page.title[0].value == "Presentation och export"


def test_long_comments_are_shortened_on_the_wall(page, seeded_db):
    from asn_dash.annotations import add_comment
    from asn_dash.auth import ANALYTIKER
    from asn_dash.store.setup import open_store

    long = "Fler hushåll söker stöd. " * 30
    store = open_store(seeded_db)
    add_comment(store, User("anna", "Anna Analytiker", ANALYTIKER), "hushall_ekb", "2025-T2", long)
    store.close()
    set_order(page, ["hushall_ekb"])
    page.radio(key="skarm").set_value("1280 × 720").run()
    button(page, "Starta presentation").click().run()
    button(page, "Nästa").click().run()
    shown = next(t.value for t in page.text)
    assert shown.endswith("…") and len(shown) <= 140 and long.startswith(shown[:-1])


def test_masking_can_be_switched_off_with_a_warning(page):
    set_order(page, ["plac_lvm"])
    page.checkbox(key="maskera").uncheck().run()
    assert "Små tal visas omaskerade" in page.warning[0].value
    button(page, "Starta presentation").click().run()
    button(page, "Nästa").click().run()
    assert not any("1–3" in m.value for m in page.markdown)


def test_save_and_reuse_a_running_order(page, seeded_db):
    set_order(page, ["sjukfranvaro", "hushall_ekb"])
    page.text_input[0].input("Nämnden oktober")
    next(b for b in page.button if b.label == "Spara dagordning").click().run()
    assert page.success[0].value == "Dagordningen «Nämnden oktober» är sparad."
    set_order(page, ["plac_sis"])
    page.selectbox(key="agenda_name").set_value("Nämnden oktober").run()
    assert order(page) == ["sjukfranvaro", "hushall_ekb"]


def test_empty_name_is_refused_on_the_page(page, seeded_db):
    next(b for b in page.button if b.label == "Spara dagordning").click().run()
    assert page.error[0].value.startswith("Ge dagordningen ett namn")


def test_a_reader_presents_but_cannot_save(seeded_db, tmp_path, monkeypatch):
    users = tmp_path / "users.toml"
    auth.add_user(users, "lisa", "Lisa Läsare", auth.LASARE, "lasare-losen-1")
    monkeypatch.setenv("ASN_USERS", str(users))
    monkeypatch.setenv("ASN_DB", str(seeded_db))
    at = new_app()
    at.session_state["asn_user"] = User("lisa", "Lisa Läsare", auth.LASARE)
    at.run()
    at.switch_page("pages/presentation.py").run()
    assert not at.exception and at.title[0].value == "Presentation och export"
    assert not [b for b in at.button if b.label == "Spara dagordning"]


def test_stepping_back_and_forth_draws_each_slide_once_until_the_data_changes(page, seeded_db, monkeypatch):
    """A meeting clicks Nästa/Föregående many times: each slide (forecast fit and chart) is made
    once per data version, and a new comment shows at once."""
    from asn_dash.annotations import add_comment
    from asn_dash.auth import ANALYTIKER
    from asn_dash.meeting import material
    from asn_dash.store.setup import open_store

    built = []
    original = material.build_slide

    def counting(store, result, *args, **kwargs):
        built.append(result.indicator_id)
        return original(store, result, *args, **kwargs)

    monkeypatch.setattr(material, "build_slide", counting)
    set_order(page, ["hushall_ekb", "plac_lvm"])
    button(page, "Starta presentation").click().run()
    for step in ["Nästa", "Nästa", "Föregående", "Nästa", "Föregående"]:
        button(page, step).click().run()
    assert page.title[0].value == "Antal hushåll med ekonomiskt bistånd"
    assert built == ["hushall_ekb", "plac_lvm"]
    store = open_store(seeded_db)
    add_comment(store, User("anna", "Anna Analytiker", ANALYTIKER), "hushall_ekb", "2025-T2", "Nytt på mötet.")
    store.close()
    page.run()
    assert built == ["hushall_ekb", "plac_lvm", "hushall_ekb"]
    assert any(t.value == "Nytt på mötet." for t in page.text)
