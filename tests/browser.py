"""Helpers for the app tests: a small synthetic warehouse, a Streamlit server, chromium.

- :func:`write_synthetic_warehouse` writes a warehouse of four gemeenten, two
  provinces and two years with ``welfare.warehouse.write_warehouse``; the
  AppTest and browser tests point the app at it through
  ``REGIOWELVAART_WAREHOUSE``.
- :func:`streamlit_server` runs ``streamlit run app.py`` on a free port and
  waits for ``/_stcore/health``.
- :func:`launch_chromium` starts Debian's chromium through Playwright (never a
  downloaded browser); :func:`wait_for_app` waits until the script has run.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from welfare.status import coverage_from_observations
from welfare.warehouse import OBSERVATION_COLUMNS, REGION_COLUMNS, write_warehouse

REPO = Path(__file__).resolve().parent.parent
WAREHOUSE_ENV = "REGIOWELVAART_WAREHOUSE"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

GEMEENTEN = {"GM0014": "Groningen", "GM0034": "Almere", "GM0363": "Amsterdam", "GM0599": "Rotterdam"}
PROVINCES = {"PV20": "Groningen", "PV24": "Flevoland"}
# indicator -> (source table, levels); ids from welfare/indicators.toml so labels resolve.
INDICATORS = {
    "wrk_unemployment": ("86088NED", ("GM", "PV")),
    "mat_median_income": ("86004NED", ("GM",)),
    "liv_distance_cafe": ("80305ned", ("GM",)),
}


def write_synthetic_warehouse(out_dir: Path, *, warnings: list[str] | None = None) -> dict[str, Any]:
    """Write a small but complete warehouse to ``out_dir`` and return its manifest.

    Four gemeenten and two provinces, 2022-2023, three indicators. Amsterdam
    has no value for ``liv_distance_cafe`` in 2023 (NaN), so the coverage shows
    3 gemeenten there, not 4.
    """
    rows = []
    for n, (ind, (table, levels)) in enumerate(INDICATORS.items()):
        for level in levels:
            codes = GEMEENTEN if level == "GM" else PROVINCES
            for i, code in enumerate(codes):
                for year in (2022, 2023):
                    value = 3.0 + n + i / 10 + (year - 2022) / 5
                    if ind == "liv_distance_cafe" and code == "GM0363" and year == 2023:
                        value = float("nan")
                    rows.append(
                        {
                            "indicator_id": ind,
                            "region_code": code,
                            "level": level,
                            "year": year,
                            "value": value,
                            "lower": float("nan"),
                            "upper": float("nan"),
                            "source_table": table,
                            "boundary_year": 2024,
                            "flags": "",
                        }
                    )
    observations = pd.DataFrame(rows, columns=list(OBSERVATION_COLUMNS))
    regions = pd.DataFrame(
        [
            {
                "code": code,
                "name": name,
                "level": code[:2],
                "year": 2024,
                "corop": None,
                "provincie": "PV20" if code == "GM0014" else ("PV24" if code == "GM0034" else None),
                "landsdeel": None,
                "arbeidsmarktregio": None,
                "population": 100_000.0,
            }
            for code, name in {**GEMEENTEN, **PROVINCES}.items()
        ],
        columns=list(REGION_COLUMNS),
    )
    tables = sorted({t for t, _ in INDICATORS.values()}, key=str.lower)
    manifest: dict[str, Any] = {
        "build_id": "test-build-0001",
        "built_at": "2025-04-02T09:15:00+00:00",
        "package_version": "0.1.0",
        "catalog_hash": "0123456789ab",
        "source": {
            "kind": "folder",
            "label": "StatLine CSV folder",
            "location": "/data/cbs/statline_test",
            "checksum": "sha256:" + "ab12" * 16,
        },
        "tables": {
            t: {
                "rows": int((observations["source_table"] == t).sum()),
                "version": "2025-03-14",
                "warnings": ["Zwolle ontbreekt in alle jaren"] if t == "80305ned" else [],
            }
            for t in tables
        },
        "coverage": coverage_from_observations(observations),
        "warnings": list(warnings if warnings is not None else ["1 waarde onderdrukt (geheim)"]),
    }
    write_warehouse(Path(out_dir), observations, regions, manifest)
    return manifest


def free_port() -> int:
    """A TCP port that is free right now on localhost."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_health(port: int, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    """Poll ``/_stcore/health`` until it answers ``ok``; fail early if the server died."""
    url = f"http://127.0.0.1:{port}/_stcore/health"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200 and resp.read().strip() == b"ok":
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise TimeoutError(f"streamlit did not become healthy on port {port} within {timeout:.0f} s")


@contextlib.contextmanager
def streamlit_server(warehouse: Path, log_path: Path) -> Iterator[str]:
    """Run ``streamlit run app.py`` against ``warehouse``; yield its base URL.

    The server's output goes to ``log_path`` (shown by the test on failure).
    """
    port = free_port()
    env = {
        **os.environ,
        WAREHOUSE_ENV: str(warehouse),
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
    }
    cmd = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
        "--client.toolbarMode", "minimal",
    ]  # fmt: skip
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for_health(port, proc)
            yield f"http://127.0.0.1:{port}"
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def chromium_path() -> str | None:
    """Debian's chromium on PATH, or None."""
    return shutil.which("chromium")


def launch_chromium(playwright: Any) -> Any:
    """Launch Debian's chromium (never ``playwright install``) with our flags."""
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)


def wait_for_app(page: Any, timeout_ms: int = 30_000) -> None:
    """Wait until Streamlit has finished running the script and the page is drawn."""
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout_ms)
    page.wait_for_selector("[data-testid='stMainBlockContainer'] h1", timeout=timeout_ms)


# MapLibre (the maps) needs WebGL: chromium gets SwiftShader for it here.
WEBGL_ARGS = ["--use-angle=swiftshader", "--enable-unsafe-swiftshader"]


def open_map(page: Any, server: str, query: str = "") -> None:
    """Open the map page (at ``/``) with ``query`` and wait until MapLibre has drawn it."""
    page.goto(f"{server}/{query}", timeout=60_000)
    wait_for_app(page, timeout_ms=120_000)
    page.locator("[data-testid='stPlotlyChart']").first.wait_for(timeout=60_000)
    page.wait_for_selector("canvas.maplibregl-canvas", timeout=60_000)
    page.wait_for_function(  # the map has loaded its style and features
        "() => { const gd = document.querySelector('.js-plotly-plot');"
        " const m = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;"
        " return !!(m && m.map && m.map.loaded()); }",
        timeout=60_000,
    )
    page.wait_for_timeout(1500)


ARTEFACTS_ENV = "REGIOWELVAART_ARTEFACTS"


def artefact_path(name: str) -> Path:
    """Where a test writes a screenshot or export for people to look at.

    ``$REGIOWELVAART_ARTEFACTS`` or ``test-artefacts/`` in the repo (git-ignored);
    CI keeps that folder after the run.
    """
    folder = Path(os.environ.get(ARTEFACTS_ENV) or REPO / "test-artefacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


# url path → page file of every page; tests audit a page once its file exists
PAGE_FILES = {
    "kaart": "kaart.py",
    "ranglijst": "ranglijst.py",
    "regioprofiel": "regioprofiel.py",
    "vergelijken": "vergelijken.py",
    "deals": "deals.py",
    "toets": "toets.py",
    "methode": "methode.py",
    "status": "status.py",
    "afdruk": "afdruk.py",
}
PRESENT_PAGES = [path for path, file in PAGE_FILES.items() if (REPO / "pages" / file).exists()]
