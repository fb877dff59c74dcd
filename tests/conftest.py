"""Shared fixtures: a seeded store built once per session and copied per test."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from asn_dash.catalogue import DEFAULT_DIR  # noqa: E402
from asn_dash.store.setup import build_store  # noqa: E402


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "asn.duckdb"
    build_store(path)
    return path


@pytest.fixture
def seeded_db(seeded_template, tmp_path) -> Path:
    """A private copy of a freshly seeded store."""
    path = tmp_path / "asn.duckdb"
    shutil.copy(seeded_template, path)
    return path


@pytest.fixture
def s(seeded_db):
    """The private seeded store, opened (closed after the test)."""
    from asn_dash.store.setup import open_store

    store = open_store(seeded_db)
    yield store
    store.close()


@pytest.fixture
def catalogue_copy(tmp_path) -> Path:
    """A private copy of data/catalogue that a test may break."""
    target = tmp_path / "catalogue"
    shutil.copytree(DEFAULT_DIR, target)
    return target


@pytest.fixture(autouse=True)
def navigation_steady_state(monkeypatch):
    """See ``asn_dash.bench.pages.steady_navigation_init``. The first-request path itself is covered
    by tests/e2e/test_smoke.py."""
    from streamlit.runtime.pages_manager import PagesManager

    from asn_dash.bench.pages import steady_navigation_init

    monkeypatch.setattr(PagesManager, "__init__", steady_navigation_init())


@pytest.fixture(autouse=True)
def fresh_streamlit_caches():
    """st.cache_data/st.cache_resource are shared by every AppTest in the process."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture(autouse=True)
def open_demo_mode_unless_a_test_signs_in(monkeypatch, tmp_path):
    """Tests run in the open demo mode (an analytiker; enabled explicitly, since their stores are
    not the embedded default) unless they point ASN_USERS at a users file; a developer's own
    .streamlit/users.toml or secrets must not change the results."""
    monkeypatch.setenv("ASN_USERS", str(tmp_path / "no-users.toml"))
    monkeypatch.setenv("ASN_DEMO", "1")
