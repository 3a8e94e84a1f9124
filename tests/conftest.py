"""Shared fixtures: the real CBS exports in ../shared and one warehouse built from them."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from welfare.build import BuildResult, build_warehouse, default_folder

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


@pytest.fixture(scope="session")
def cbs_folder() -> Path:
    """The StatLine CSV exports (read-only, never copied into the repo)."""
    folder = default_folder()
    assert folder.is_dir(), f"{folder} is missing: ../shared must sit beside the repo"
    return folder


@pytest.fixture(scope="session")
def rmbw_folder() -> Path:
    return SHARED / "data" / "cbs" / "rmbw2023-provincie"


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, cbs_folder: Path) -> tuple[Path, BuildResult]:
    """One warehouse built from the CSV folder for the whole session."""
    out = tmp_path_factory.mktemp("wh") / "warehouse"
    result = build_warehouse(source=str(cbs_folder), out_dir=out, boundaries=str(SHARED / "data" / "geo"))
    return out, result


@pytest.fixture
def app_env(built, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The app (AppTest, in this process) on the session's warehouse and the default deals registry."""
    out, _ = built
    monkeypatch.setenv("REGIOWELVAART_WAREHOUSE", str(out))
    monkeypatch.delenv("REGIOWELVAART_DEALS", raising=False)
    return out


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    """A CSV export read independently of the code under test (csv module, BOM-aware)."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=";"))


def table_file(folder: Path, table_id: str) -> Path:
    return next(p for p in folder.glob("*.csv") if p.stem.lower() == table_id.lower())


@pytest.fixture
def folder_copy(tmp_path: Path, cbs_folder: Path):
    """Copy some tables of the CSV folder into a temp folder (for bad-input tests)."""

    def make(*table_ids: str) -> Path:
        dest = tmp_path / "csv"
        dest.mkdir(exist_ok=True)
        for table_id in table_ids:
            shutil.copy(table_file(cbs_folder, table_id), dest)
        return dest

    return make


@pytest.fixture(scope="module")
def server(built, tmp_path_factory: pytest.TempPathFactory):
    """``streamlit run app.py`` on the session's warehouse, one per test module; yields its base URL."""
    from browser import streamlit_server

    log = tmp_path_factory.mktemp("streamlit") / "streamlit.log"
    try:
        with streamlit_server(built[0], log) as base:
            yield base
    finally:
        if log.exists():
            print(f"\nstreamlit log: {log}")


@pytest.fixture(scope="module")
def webgl_browser():
    """Debian's chromium with SwiftShader WebGL (MapLibre draws the maps), one per test module."""
    from browser import CHROMIUM_ARGS, WEBGL_ARGS, chromium_path

    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is in requirements.txt
        sync_playwright = None
    if chromium_path() is None or sync_playwright is None:
        pytest.fail("chromium or playwright is missing: apt-get install -y chromium fonts-dejavu-core")
    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS + WEBGL_ARGS)
        try:
            yield instance
        finally:
            instance.close()
