"""Shared fixtures: a seeded store built once per session and copied per test."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from asn_dash.catalogue import DEFAULT_DIR  # noqa: E402
from asn_dash.store import build_store  # noqa: E402


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
def catalogue_copy(tmp_path) -> Path:
    """A private copy of data/catalogue that a test may break."""
    target = tmp_path / "catalogue"
    shutil.copytree(DEFAULT_DIR, target)
    return target
