"""regiowelvaart: the Streamlit app frame.

Run with ``streamlit run app.py``. This file only sets the page config, draws
the shared sidebar (language), declares the pages with stable ``url_path``s,
makes sure a warehouse exists (building it on first start, with a progress
bar) and runs the chosen page. Pages read the shared context from
``st.session_state``:

- ``lang``: ``"nl"`` or ``"en"`` (the language switch, bound to ``?lang=``);
- ``warehouse_dir``: the warehouse folder, from the environment variable
  ``REGIOWELVAART_WAREHOUSE`` (default ``welfare.warehouse.DEFAULT_DIR``).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

import welfare
from welfare.errors import WelfareError
from welfare.i18n import DEFAULT_LANG, md_escape, resolve_lang, t
from welfare.types import LANGS
from welfare.warehouse import DEFAULT_DIR, warehouse_exists

# Environment variable naming the warehouse folder (tests point it at a temp dir).
# Comments, not docstrings, at module level: Streamlit's "magic" would draw a bare string.
WAREHOUSE_ENV = "REGIOWELVAART_WAREHOUSE"

_FAILED_KEY = "_build_failure"
FRAME_KEY = "_frame_ran"  # set just before a page runs; pages/status.py checks it (see there)
_LOG = logging.getLogger("regiowelvaart.app")


@dataclass(frozen=True)
class BuildFailure:
    """Why the first-run build failed, kept for the session so it is not retried on every rerun."""

    message: str
    kind: str = ""  # exception class name when the error was not a WelfareError


def warehouse_dir() -> Path:
    """The warehouse folder: ``$REGIOWELVAART_WAREHOUSE`` or the default."""
    value = os.environ.get(WAREHOUSE_ENV, "").strip()
    return Path(value).expanduser() if value else DEFAULT_DIR


@st.cache_resource(show_spinner=False)
def _build_lock() -> threading.Lock:
    """One lock per server process, so two sessions never build at the same time."""
    return threading.Lock()


def language_switch() -> str:
    """Draw the NL/EN switch in the sidebar and return the chosen language.

    The switch is bound to ``?lang=``. Streamlit drops an invalid value from
    the URL before the widget sees it, so the raw value is read first to show
    a notice instead of switching silently.
    """
    _, rejected = resolve_lang(st.query_params.get_all("lang") or None)
    with st.sidebar:
        lang = st.segmented_control(
            t("app.lang_label", DEFAULT_LANG),
            options=list(LANGS),
            default=DEFAULT_LANG,
            required=True,
            key="lang",
            bind="query-params",
            help=t("app.lang_help", DEFAULT_LANG),
        )
        if rejected is not None:
            st.info(
                md_escape(t("app.lang_invalid", "nl", value=rejected))
                + "  \n*"
                + md_escape(t("app.lang_invalid", "en", value=rejected))
                + "*",
                icon=":material/translate:",
            )
    return lang if lang in LANGS else DEFAULT_LANG


def _show_failure(failure: BuildFailure, lang: str) -> None:
    if failure.kind:
        error = t("build.unexpected", lang, kind=failure.kind, error=md_escape(failure.message))
    else:
        error = md_escape(failure.message)
    st.error(t("build.failed", lang, error=error) + "\n\n" + t("build.hint", lang), icon=":material/error:")


def ensure_warehouse(out_dir: Path, lang: str) -> bool:
    """Return True when an intact warehouse exists, building it first when there is none.

    An existing warehouse must match its manifest (:func:`warehouse_intact`).
    The build shows a progress bar with a line per table. A failure is shown
    as an error with the CLI hint and a retry button, never a traceback; it is
    remembered for the session so a rerun does not start the build again.
    """
    if warehouse_exists(out_dir) or (out_dir / "manifest.json").is_file():
        # A manifest whose files are gone is a damaged warehouse, not a missing one: refuse, don't build.
        st.session_state.pop(_FAILED_KEY, None)
        return warehouse_intact(out_dir, lang)
    failure = st.session_state.get(_FAILED_KEY)
    if failure is None or st.session_state.get("build_retry"):
        failure, result = _build(out_dir, lang)
        if failure is None and warehouse_exists(out_dir):
            st.session_state.pop(_FAILED_KEY, None)
            if result is None:  # another session built it while this one waited
                return True
            manifest = getattr(result, "manifest", None) or {}
            st.toast(
                t(
                    "build.done",
                    lang,
                    tables=len(manifest.get("tables") or {}),
                    warnings=len(getattr(result, "warnings", None) or []),
                ),
                icon=":material/check_circle:",
            )
            return True
        st.session_state[_FAILED_KEY] = failure or BuildFailure(f"no warehouse in {out_dir} after the build")
    _show_failure(st.session_state[_FAILED_KEY], lang)
    st.button(t("build.retry", lang), key="build_retry", icon=":material/refresh:")
    return False


@st.cache_data(show_spinner=False, max_entries=16)
def _integrity_problems(path: str, key: tuple) -> list[str]:
    """``verify_warehouse`` as text, cached on ``key`` (the files' sizes and mtimes, manifest included)."""
    from welfare.warehouse import verify_warehouse

    return [str(problem) for problem in verify_warehouse(Path(path))]


def warehouse_intact(out_dir: Path, lang: str) -> bool:
    """Return True when the warehouse's files match its manifest; else show why and how to rebuild.

    The check hashes the files only when a file's size or mtime (or the
    manifest's) changed since the last check, not on every rerun. A warehouse
    that fails it is refused: the pages do not run on changed or half-copied data.
    """
    from welfare.warehouse import integrity_key

    try:
        problems = _integrity_problems(str(out_dir), integrity_key(out_dir))
    except Exception as exc:  # noqa: BLE001 - the UI shows a message, the log keeps the traceback
        _LOG.exception("warehouse check failed unexpectedly")
        problems = [f"{type(exc).__name__}: {exc}"]
    if not problems:
        return True
    _LOG.warning("warehouse %s refused: %s", out_dir, "; ".join(problems))
    command = "python -m welfare build"
    if out_dir.resolve() != DEFAULT_DIR.resolve():
        command += f" --out {str(out_dir).replace('`', '')}"
    shown = 10
    lines = [f"- {md_escape(p)}" for p in problems[:shown]]
    if len(problems) > shown:
        lines.append("- " + t("app.integrity_more", lang, count=len(problems) - shown))
    st.error(
        t("app.integrity_failed", lang, path=md_escape(out_dir))
        + "\n\n"
        + t("app.integrity_problems", lang, count=len(problems))
        + "\n\n"
        + "\n".join(lines)
        + "\n\n"
        + t("app.integrity_rebuild", lang, command=command),
        icon=":material/gpp_bad:",
    )
    return False


def _build(out_dir: Path, lang: str) -> tuple[BuildFailure | None, object]:
    """Run ``build_warehouse`` with a progress bar; return (failure or None, BuildResult or None)."""
    lock = _build_lock()
    slot = st.empty()
    try:
        with slot.container():
            if not lock.acquire(blocking=False):
                with st.spinner(t("build.waiting", lang)):
                    lock.acquire()
            try:
                if warehouse_exists(out_dir):  # another session built it while we waited
                    return None, None
                st.info(t("build.start", lang, path=md_escape(out_dir)), icon=":material/database:")
                bar = st.progress(0.0, text=t("build.preparing", lang))

                def on_progress(p: object) -> None:
                    step, total = int(getattr(p, "step", 0)), int(getattr(p, "total", 0))
                    fraction = min(max(step / total, 0.0), 1.0) if total > 0 else 0.0
                    text = t(
                        "build.step",
                        lang,
                        step=step,
                        total=total,
                        table=md_escape(getattr(p, "table_id", "") or "—"),
                        message=md_escape(getattr(p, "message", "")),
                    )
                    bar.progress(fraction, text=text)

                from welfare.build import build_warehouse

                return None, build_warehouse(source="auto", out_dir=out_dir, progress=on_progress)
            finally:
                lock.release()
    except WelfareError as exc:
        _LOG.warning("first-run build failed: %s", exc)
        return BuildFailure(str(exc)), None
    except Exception as exc:  # noqa: BLE001 - the UI shows a message, the log keeps the traceback
        _LOG.exception("first-run build failed unexpectedly")
        return BuildFailure(str(exc) or repr(exc), kind=type(exc).__name__), None
    finally:
        slot.empty()


st.set_page_config(page_title="regiowelvaart", layout="wide", initial_sidebar_state="expanded")

lang = language_switch()
out_dir = warehouse_dir()
st.session_state["warehouse_dir"] = str(out_dir)
with st.sidebar:
    st.caption(t("app.tagline", lang) + "  \n" + t("app.version", lang, version=welfare.__version__))

pages = [
    st.Page("pages/kaart.py", title=t("map.nav", lang), icon=":material/map:", url_path="kaart", default=True),
    st.Page("pages/status.py", title=t("nav.status", lang), icon=":material/database:", url_path="status"),
    st.Page("pages/ranglijst.py", title=t("rank.nav", lang), icon=":material/format_list_numbered:", url_path="ranglijst"),
    st.Page("pages/regioprofiel.py", title=t("profile.nav", lang), icon=":material/location_city:", url_path="regioprofiel"),
    st.Page("pages/vergelijken.py", title=t("compare.nav", lang), icon=":material/compare_arrows:", url_path="vergelijken"),
    st.Page("pages/deals.py", title=t("deals.nav", lang), icon=":material/handshake:", url_path="deals"),
    st.Page("pages/toets.py", title=t("check.page.nav", lang), icon=":material/fact_check:", url_path="toets"),
    st.Page("pages/methode.py", title=t("method.nav", lang), icon=":material/menu_book:", url_path="methode"),
    st.Page("pages/afdruk.py", title=t("print.nav", lang), icon=":material/print:", url_path="afdruk"),
]
page = st.navigation(pages, position="sidebar")

RUN_LOG_ENV = "REGIOWELVAART_RUN_LOG"  # a file: one line per page run, "<page>\t<seconds>" (the load test reads it)


def log_run(page_name: str, seconds: float) -> None:
    path = os.environ.get(RUN_LOG_ENV)
    if path:
        with open(path, "a", encoding="utf-8") as fh:  # one short line per write: appends do not interleave
            fh.write(f"{page_name}\t{seconds:.4f}\n")


if ensure_warehouse(out_dir, lang):
    st.session_state[FRAME_KEY] = True
    started = time.perf_counter()
    try:
        page.run()
    finally:
        # st.stop()/st.rerun() end a run by raising; the time until then is still the run's
        log_run(page.url_path or "kaart", time.perf_counter() - started)
