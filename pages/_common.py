"""What every page shares: the frame guard, the page context and cached warehouse reads.

Not a page (the underscore keeps it out of any page list). Streamlit stays
here and in the pages; the numbers come from ``welfare``. Cached objects are
shared between sessions (``st.cache_resource``): callers must not mutate
them. Each cache key includes the file's modification time, so a rebuilt
warehouse or an edited registry is read again.
"""

from __future__ import annotations

import os
import runpy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from welfare.catalog import Catalog, load_catalog
from welfare import profile
from welfare.deals import DEFAULT_REGISTRY, Registry, RegistryError, load_registry, members
from welfare.errors import WelfareError
from welfare.i18n import md_escape, t
from welfare.warehouse import DEFAULT_DIR, read_deal_members, read_deals, read_manifest, read_observations, read_regions

# Environment variable naming the deals registry (tests point it at a broken copy).
REGISTRY_ENV = "REGIOWELVAART_DEALS"
_APP = Path(__file__).resolve().parent.parent / "app.py"
_FRAME_KEY = "_frame_ran"  # app.FRAME_KEY


def frame_guard() -> None:
    """Run ``app.py`` first when Streamlit started this page without it.

    With a folder named ``pages`` beside ``app.py``, a fresh server process (and
    every AppTest run) starts in legacy multipage mode until ``st.navigation``
    has run once, so a first request for a page's URL lands on the page file
    directly. Running the frame draws the sidebar, checks the warehouse and
    runs the page again through ``st.navigation``; this run then stops.
    """
    if not st.session_state.pop(_FRAME_KEY, False):
        runpy.run_path(str(_APP), run_name="__main__")
        st.stop()


@dataclass(frozen=True)
class PageContext:
    lang: str
    warehouse_dir: Path


def context() -> PageContext:
    """The language and warehouse folder that ``app.py`` put in the session."""
    lang = st.session_state.get("lang") or "nl"
    return PageContext(lang=lang if lang in ("nl", "en") else "nl", warehouse_dir=Path(st.session_state.get("warehouse_dir") or DEFAULT_DIR))


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def base_url(page: str) -> str:
    """The app's address for permalinks: ``st.context.url`` without this page's ``/url_path`` ("" when unknown)."""
    base = (st.context.url or "").rstrip("/")
    suffix = "/" + page
    return base[: -len(suffix)] if base.endswith(suffix) else base


@dataclass(frozen=True)
class WarehouseData:
    observations: pd.DataFrame
    regions: pd.DataFrame
    manifest: dict[str, Any]
    catalog: Catalog

    @property
    def built_at(self) -> str:
        return str(self.manifest.get("built_at") or "")


@st.cache_resource(show_spinner=False, max_entries=2)
def _warehouse(folder: str, stamp: float) -> WarehouseData:
    path = Path(folder)
    return WarehouseData(read_observations(path), read_regions(path), read_manifest(path), load_catalog())


def warehouse(ctx: PageContext) -> WarehouseData:
    """The warehouse's frames (shared, read-only); stops the page with a message when unreadable."""
    try:
        return _warehouse(str(ctx.warehouse_dir), _mtime(ctx.warehouse_dir / "manifest.json"))
    except (WelfareError, OSError) as exc:
        st.error(
            t("status.unreadable", ctx.lang, path=md_escape(ctx.warehouse_dir), error=md_escape(exc)) + "\n\n" + t("build.hint", ctx.lang),
            icon=":material/error:",
        )
        st.stop()
        raise  # unreachable: st.stop() raises


@st.cache_resource(show_spinner=False, max_entries=6)
def map_level_data(folder: str, stamp: float, level: str, _data: WarehouseData) -> Any:
    """``welfare.mapview.level_data``, shared by the map and print pages (and all sessions): do not mutate."""
    from welfare import mapview

    return mapview.level_data(_data, folder, level)


def registry_path() -> Path:
    value = os.environ.get(REGISTRY_ENV, "").strip()
    return Path(value).expanduser() if value else DEFAULT_REGISTRY


@st.cache_resource(show_spinner=False, max_entries=4)
def _registry(path: str, stamp: float, strict: bool) -> Registry:
    return load_registry(Path(path), strict=strict)


def registry(ctx: PageContext) -> Registry:
    """The deals registry; a broken file is shown row by row, and only on request loaded in part.

    The good rows of a broken registry are never used silently: the page
    stops with the problems listed and a button that loads the good rows for
    this session, after which a warning says which rows are left out.
    """
    path = registry_path()
    stamp = _mtime(path)
    partial_key = f"_deals_good_rows_only:{path}:{stamp}"
    try:
        return _registry(str(path), stamp, True)
    except RegistryError as exc:
        problems = list(exc.problems)
        if st.session_state.get(partial_key):
            reg = _registry(str(path), stamp, False)
            with st.expander(t("deals.partial_loaded", ctx.lang, n=len(reg.problems), path=md_escape(path.name)), icon=":material/warning:"):
                st.dataframe(_problem_frame(reg.problems, ctx.lang), hide_index=True)
            return reg
        st.error(t("deals.registry_broken", ctx.lang, path=md_escape(path), n=len(problems)), icon=":material/error:")
        st.dataframe(_problem_frame(problems, ctx.lang), hide_index=True)
        if st.button(t("deals.load_good_rows", ctx.lang), icon=":material/rule:"):
            st.session_state[partial_key] = True
            st.rerun()
        st.stop()
        raise
    except (WelfareError, OSError) as exc:
        st.error(t("deals.registry_unreadable", ctx.lang, path=md_escape(path), error=md_escape(exc)), icon=":material/error:")
        st.stop()
        raise


# ----------------------------------------------------------------------------- profile numbers
# The region profile and the comparison page show the same values per level and per deal: one cache
# for both pages and all sessions (read-only).


@st.cache_resource(show_spinner=False, max_entries=8)
def level_values(build: str, level: str, lang: str, _data: WarehouseData) -> pd.DataFrame:
    """Every region's indicator values at ``level`` (``welfare.profile.level_values``) for one build."""
    return profile.level_values(_data.observations, _data.regions, _data.catalog, level, lang=lang)


@st.cache_resource(show_spinner=False, max_entries=2)
def deal_table(build: str, _ctx: PageContext) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """Deal id → name, and deal id → member gemeenten on the warehouse's indeling (deals without members left out)."""
    year = profile.boundary_year(warehouse(_ctx).observations)
    try:
        deals = read_deals(_ctx.warehouse_dir)
        names = dict(zip(deals["id"].astype(str), deals["name"].astype(str)))
        table = read_deal_members(_ctx.warehouse_dir, year=year)
    except (WelfareError, OSError, KeyError):
        reg = registry(_ctx)
        names = {d.id: d.name for d in reg}
        table = members(reg, year)
    groups = {str(d): tuple(g["gemeente_code"].astype(str)) for d, g in table.groupby("deal_id", sort=False)}
    return {d: n for d, n in names.items() if d in groups}, groups


@st.cache_resource(show_spinner=False, max_entries=4)
def deal_values(build: str, lang: str, _ctx: PageContext) -> pd.DataFrame:
    """Each deal's values, its member gemeenten taken together (``welfare.profile.area_values``)."""
    data = warehouse(_ctx)
    return profile.area_values(data.observations, data.regions, data.catalog, deal_table(build, _ctx)[1], lang=lang)


def _problem_frame(problems: Any, lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        [(p.row, p.field, p.message) for p in problems],
        columns=[t("deals.col_row", lang), t("deals.col_field", lang), t("deals.col_problem", lang)],
    )
