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


def test_setup_lists_the_plan_and_the_verksamhetsmatt(page):
    assert not page.exception
    assert page.title[0].value == "Presentation och export"
    order = page.multiselect(key="dagordning")
    assert "Antal hushåll med ekonomiskt bistånd (Hållbarhet)" in order.options
    assert "Placeringar SiS (barn och unga) (Verksamhetsmått)" in order.options
    assert "plac_sis" not in order.value  # default: the plan's indicators with a value
    assert any("Bildspelet har en titelbild" in c.value for c in page.main.caption)


def test_step_through_the_running_order_and_back(page):
    page.multiselect(key="dagordning").set_value(["hushall_ekb", "plac_lvm"]).run()
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


def test_masking_can_be_switched_off_with_a_warning(page):
    page.multiselect(key="dagordning").set_value(["plac_lvm"]).run()
    page.checkbox(key="maskera").uncheck().run()
    assert "Små tal visas omaskerade" in page.warning[0].value
    button(page, "Starta presentation").click().run()
    button(page, "Nästa").click().run()
    assert not any("1–3" in m.value for m in page.markdown)


def test_save_and_reuse_a_running_order(page, seeded_db):
    page.multiselect(key="dagordning").set_value(["sjukfranvaro", "hushall_ekb"]).run()
    page.text_input[0].input("Nämnden oktober")
    next(b for b in page.button if b.label == "Spara dagordning").click().run()
    assert page.success[0].value == "Dagordningen «Nämnden oktober» är sparad."
    page.multiselect(key="dagordning").set_value(["plac_sis"]).run()
    page.selectbox(key="agenda_name").set_value("Nämnden oktober").run()
    assert page.multiselect(key="dagordning").value == ["sjukfranvaro", "hushall_ekb"]


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
