"""The load test's tools against a real ``streamlit run``: the websocket client and ``bench/load.py``.

``bench/streamlit_protocol.py`` stands in for a browser in the load test; these tests make sure it
still does what a browser does with this Streamlit version (open a page, set a control, go to another
page, download an export) and that the server answers it as it answers a browser. The last test runs
the load script itself for a few seconds: it must finish, count its interactions and write its figures.
No latency is asserted here (speed goals are for the benchmark, not for tests).
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import pytest
from PIL import Image

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

from load import round_plan  # noqa: E402
from streamlit_protocol import ProtocolError, ProtocolSession  # noqa: E402

T = TypeVar("T")


def figure_of(client: ProtocolSession) -> dict:
    charts = client.page.widgets("plotly_chart")
    assert charts, "no chart on the page"
    return json.loads(charts[0].spec)


def on_the_map(server: str, scenario: Callable[[ProtocolSession], Awaitable[T]]) -> T:
    """Open a protocol session on the landing map, run ``scenario`` with it, close it."""

    async def run() -> T:
        client = await ProtocolSession.connect(server)
        try:
            await client.run()
            return await scenario(client)
        finally:
            await client.close()

    return asyncio.run(run())


def test_a_protocol_session_sets_the_map_controls_like_a_browser(server):
    async def scenario(client: ProtocolSession) -> None:
        assert "niveau" not in client.page.query_string  # the landing map: gemeenten
        assert client.current("button_group", "Niveau") == "Gemeenten"
        await client.choose("button_group", "Niveau", "Provincies")
        assert "niveau=provincie" in client.page.query_string  # the page wrote its view to the URL
        assert "Provincies" in figure_of(client)["layout"]["title"]["subtitle"]["text"]
        slider = client.widget("slider", "Jaar")
        assert client.current("slider", "Jaar") == list(slider.options)[-1]  # the newest year
        earlier = list(slider.options)[-2]
        await client.choose("slider", "Jaar", earlier)
        assert f"jaar={earlier}" in client.page.query_string
        assert client.current("slider", "Jaar") == earlier
        assert f"t/m {earlier}" in figure_of(client)["layout"]["title"]["subtitle"]["text"]  # the landing map: the pressure score
        indicator = client.widget("selectbox", "Wat de kaart toont")
        assert client.current("selectbox", "Wat de kaart toont").startswith("Druk op brede welvaart")
        other = next(o for o in indicator.options if "Werkloosheid" in o)
        await client.choose("selectbox", "Wat de kaart toont", other)
        assert client.current("selectbox", "Wat de kaart toont") == other
        assert figure_of(client)["layout"]["title"]["text"].startswith("Werkloosheid")
        assert "indicator=" in client.page.query_string

    on_the_map(server, scenario)


def test_a_protocol_session_goes_to_other_pages_and_back(server):
    async def scenario(client: ProtocolSession) -> None:
        assert {"", "regioprofiel", "deals", "ranglijst"} <= set(client.pages)
        await client.navigate("regioprofiel")
        assert client.page.page_script_hash == client.pages["regioprofiel"]
        headings = [e.heading.body for e in client.page.elements.values() if e.WhichOneof("type") == "heading"]
        assert any("profiel" in h.lower() for h in headings), headings
        await client.navigate("")
        assert client.page.widgets("plotly_chart")  # the map again
        with pytest.raises(ProtocolError, match="no page 'nergens'"):
            await client.navigate("nergens")

    on_the_map(server, scenario)


def test_a_protocol_session_downloads_the_png_export(server):
    async def scenario(client: ProtocolSession) -> bytes:
        with pytest.raises(ProtocolError, match="no download button 'TIFF'"):
            await client.download("TIFF")
        with pytest.raises(ProtocolError, match="has no option 'Wijken'"):
            await client.choose("button_group", "Niveau", "Wijken")
        return await client.download("PNG (1×)")

    png = on_the_map(server, scenario)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.width > 600 and image.height > 400


def test_the_load_script_runs_browser_and_protocol_sessions_and_reports(built, tmp_path):
    out = tmp_path / "load.json"
    env = {**os.environ, "LOAD_THINK_MIN": "0.5", "LOAD_THINK_MAX": "1"}
    cmd = [
        sys.executable, str(REPO / "bench" / "load.py"), "--sessions", "3", "--browsers", "1", "--seconds", "20",
        "--cold", "--warehouse", str(built[0]), "--json", str(out),
    ]  # fmt: skip
    done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(out.read_text())
    assert figures["browser_sessions"] == 1 and figures["protocol_sessions"] == 2
    assert figures["errors"] == 0, done.stdout
    assert figures["browser_interactions"] >= 2 and figures["protocol_interactions"] >= 8
    assert {"open the map", "level", "indicator"} <= set(figures["steps"])
    assert figures["server_runs"] >= figures["interactions"] - figures.get("exports", 0)  # every other step is a script run
    assert 50 < figures["server_peak_rss_mb"] < 4096
    assert "latency p50" in done.stdout and "server peak RSS" in done.stdout


def test_a_third_of_the_sessions_export_in_each_round_and_every_session_every_third_round():
    plans = {(r, seed): round_plan(r, seed) for r in range(1, 7) for seed in range(18)}
    for r in range(1, 7):
        assert sum("export PNG" in plans[r, seed] for seed in range(18)) == 6
    for seed in range(18):
        assert [("export PNG" in plans[r, seed]) for r in range(1, 7)].count(True) == 2
    assert all(p.index("export PNG") == 3 for p in plans.values() if "export PNG" in p)  # after the year
