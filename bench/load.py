"""Load test: N concurrent user sessions against one ``streamlit run app.py``.

Each session is one user with their own Streamlit session: after opening the
map, it loops through what a user does, with a think time of 5–15 s between
steps (reading a map or a profile; :data:`THINK_S`): choose another level,
another indicator, an earlier or later year (one step of the slider), open the
region profile and the Regio Deals page from the sidebar and return to the map,
and in every third round (a third of the sessions in each round) export the map
as PNG through its export menu (the file is made on the click and downloaded).

Two kinds of session, same steps (``--browsers K`` of ``--sessions N``):

- *browser*: Debian's chromium driven by Playwright, a browser per session (as
  people each have their own; tabs of one browser get no animation frames in
  the background). Latency: from the click or key press until the page reports
  the script run finished (a MutationObserver counts ``data-test-script-state``
  turning ``notRunning``); for the export, until the download has arrived. The
  load browsers run without WebGL and at the lowest CPU priority.
- *protocol*: :mod:`streamlit_protocol`, the websocket messages a browser tab
  sends and receives, without drawing. Latency: from the request until the
  server reports the run finished with every element received; for the export,
  until the file has arrived over HTTP.

Why both: a chromium spends 0.5–1.6 CPU seconds drawing each page of this app
(3 s for the first load), so 20 of them on this 2-core machine take both cores
and measure the browsers, not the server (see the README's table). The protocol
sessions ask the server for exactly the same work; the browser sessions show
what a user sees end to end while the server carries the load.

Errors: an exception on the page, "page not found", a failed download, or no
finished run within 60 s. Reports interactions, errors, p50/p95 latency (all,
per kind, per step, the PNG exports apart), the server's own time per script
run (``app.py`` logs each page run's seconds to ``$REGIOWELVAART_RUN_LOG``),
the server's CPU time, its peak RSS (the Streamlit process) and the peak PSS of
its process tree (with the chromium Kaleido renders exports in; PSS, because
chromium's processes share most of their pages), sampled every 0.5 s.
Goal on the 2-core machine: 20 sessions for 2 minutes, 0 errors, p95 ≤ 3 s,
RSS ≤ 1 GB.

Run:

    .venv/bin/python bench/load.py [--sessions 20] [--browsers 2] [--seconds 120] [--warehouse DIR]
                                   [--json OUT] [--cold] [--pin] [--equal-priority]

Before the clock starts, one visit to each level and page and one export fill
the caches that all sessions share, as a deployment's first user does
(``--cold`` skips it). ``--pin`` puts the server on core 0 and the clients on
core 1; ``--equal-priority`` runs the browsers at normal priority. Without
``--warehouse``: data/warehouse (build it first with ``make run`` or ``python
-m welfare build``). ``LOAD_VERBOSE=1`` prints every interaction;
``LOAD_THINK_MIN``/``LOAD_THINK_MAX`` change the think time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from browser import CHROMIUM_ARGS, chromium_path, streamlit_server  # noqa: E402

LEVEL_BUTTONS = ["Gemeenten", "COROP-gebieden", "Provincies"]
INDICATOR_TYPED = ["Werkloosheid", "Mediaan gestandaardiseerd", "Ervaren gezondheid", "Druk op brede welvaart", "Thema Gezondheid"]
VERBOSE = bool(os.environ.get("LOAD_VERBOSE"))
TIMEOUT_MS = 60_000
POLL_MS = 50
START_GAP_S = 1.5
# --pin: the server (Streamlit and its Kaleido browser) on one core, the clients on the other, as if they
# were other people's computers.
SERVER_CPU, CLIENT_CPU = 0, 1
# No WebGL in the load browsers: 20 maps drawn in software would measure the two cores drawing, not the server.
LOAD_BROWSER_ARGS = [*CHROMIUM_ARGS, "--disable-3d-apis"]
THINK_S = (float(os.environ.get("LOAD_THINK_MIN", 5)), float(os.environ.get("LOAD_THINK_MAX", 15)))  # seconds a user looks at a map, profile or list before the next click
# Counts finished script runs: the attribute on stApp turning notRunning (installed before any page script).
RUN_COUNTER = """
window.__runs = 0;
window.__started = 0;
new MutationObserver((changes) => {
  for (const c of changes) {
    if (c.attributeName !== 'data-test-script-state') continue;
    const state = c.target.getAttribute('data-test-script-state');
    if (state === 'notRunning') window.__runs += 1;
    if (state === 'running') window.__started += 1;
  }
}).observe(document, {attributes: true, subtree: true, attributeFilter: ['data-test-script-state']});
"""


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    by_step: dict[str, list[float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float | None, error: str | None = None, step: str = "") -> None:
        with self.lock:
            if error:
                self.errors.append(error)
            elif seconds is not None:
                self.latencies.append(seconds)
                self.by_step.setdefault(step, []).append(seconds)


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (Kaleido's chromium is a grandchild of Streamlit)."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        if p in found:
            continue
        found.append(p)
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def memory_of(pid: int) -> tuple[int, int]:
    """Bytes: the RSS of the process itself, and the PSS of its whole tree.

    PSS (proportional set size) counts a page shared by k processes as 1/k in each, so the sum over
    Kaleido's chromium processes is the memory they really take; a sum of their RSS would count
    chromium's shared libraries once per process.
    """
    rss, pss = 0, 0
    for p in descendants(pid):
        try:
            if p == pid:
                rss = next(int(line.split()[1]) * 1024 for line in Path(f"/proc/{p}/status").read_text().splitlines() if line.startswith("VmRSS:"))
            pss += sum(int(line.split()[1]) * 1024 for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines() if line.startswith("Pss:"))
        except (OSError, StopIteration):
            continue
    return rss, pss


def cpu_of_tree(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and its descendants that are still running."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for p in descendants(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
        except OSError:
            continue
    return total


async def settled(page, before: int) -> None:
    """Wait until a script run after ``before`` has finished and the page has a heading."""
    # Polled by timer: Playwright's default polls on animation frames, which a browser does not give to
    # a page that is not in front, and here 20 pages share one browser.
    await page.wait_for_function(
        f"window.__runs > {before} && document.querySelector(\"[data-testid='stApp']\")"
        ".getAttribute('data-test-script-state') === 'notRunning'",
        timeout=TIMEOUT_MS, polling=POLL_MS,
    )


async def step(page, name: str, action, tally: Tally, exports: Tally | None = None) -> None:
    """Run one interaction, timed; count an error instead of raising."""
    start = time.perf_counter()
    try:
        if await action() is False:
            return  # nothing to do in this state (no year slider, indicator not at this level): not timed
        elapsed = time.perf_counter() - start
        if await page.locator("[data-testid='stException']").count():
            tally.add(None, f"exception after {name}")
        elif await page.get_by_text("Page not found").count():
            tally.add(None, f"page not found after {name}")
        else:
            (exports or tally).add(elapsed, step=name)
            if VERBOSE:
                print(f"{elapsed:6.2f} s  {name}", flush=True)
    except Exception as exc:  # noqa: BLE001 - a load test counts every failure
        # what the page had done: a run that started and never finished is the server's; none started, the click's
        try:
            seen = await page.evaluate(
                "[window.__started, window.__runs, document.querySelector(\"[data-testid='stApp']\")?.getAttribute('data-test-script-state'), location.pathname]"
            )
            state = f" (runs started {seen[0]}, finished {seen[1]}, now {seen[2]}, at {seen[3]})"
        except Exception:  # noqa: BLE001 - the page itself may be gone
            state = ""
        tally.add(None, f"{type(exc).__name__} on {name}: {str(exc).splitlines()[0][:160]}{state}")
        shot = Path(tempfile.gettempdir()) / f"load-error-{len(tally.errors)}.png"
        try:
            await page.screenshot(path=str(shot), timeout=10_000)
            print(f"  error on {name}{state}; screenshot {shot}", flush=True)
        except Exception:  # noqa: BLE001
            pass


# One round of a user's steps; every third round (shifted per session, so a third of the sessions in
# each round) has a PNG export after the year.
ROUND = ("level", "indicator", "year", "profile", "map", "deals", "map")


def round_plan(round_no: int, seed: int) -> list[str]:
    """The step names of round ``round_no`` (from 1) of session ``seed``.

    >>> round_plan(1, 2)
    ['level', 'indicator', 'year', 'export PNG', 'profile', 'map', 'deals', 'map']
    >>> round_plan(1, 0)
    ['level', 'indicator', 'year', 'profile', 'map', 'deals', 'map']
    """
    names = list(ROUND)
    if (round_no + seed) % 3 == 0:
        names.insert(3, "export PNG")
    return names


async def user_rounds(actions: dict[str, Any], run_step: Any, rng: random.Random, seed: int, stop_at: float) -> None:
    """Run rounds of ``actions`` through ``run_step(name, action)`` until ``stop_at``, reading between steps."""
    round_no = 0
    while time.time() < stop_at:
        round_no += 1
        for name in round_plan(round_no, seed):
            if time.time() >= stop_at:
                return
            await run_step(name, actions[name])
            await asyncio.sleep(rng.uniform(*THINK_S))  # reading the page


async def session(base: str, browser, stop_at: float, tally: Tally, exports: Tally, seed: int) -> None:
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    rng = random.Random(seed)
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    await context.add_init_script(RUN_COUNTER)
    page = await context.new_page()

    async def runs() -> int:
        return int(await page.evaluate("window.__runs || 0"))

    async def click_then_settle(locator) -> None:
        before = await runs()
        t0 = time.perf_counter()
        # force: no wait for two identical animation frames (Playwright's "stable" check), which a busy
        # page in a loaded browser gives late; the click is queued like a person's
        await locator.click(timeout=TIMEOUT_MS, force=True)
        t1 = time.perf_counter()
        await settled(page, before)
        if VERBOSE:
            print(f"    click {t1 - t0:.2f} s, run {time.perf_counter() - t1:.2f} s", flush=True)

    async def open_map() -> None:
        await page.goto(base + "/", timeout=TIMEOUT_MS)
        await settled(page, 0)

    async def level() -> None:
        name = rng.choice(LEVEL_BUTTONS)
        button = page.locator("[data-testid='stButtonGroup'] button", has_text=name).first
        if await button.get_attribute("aria-checked") == "true":
            name = next(n for n in LEVEL_BUTTONS if n != name)
            button = page.locator("[data-testid='stButtonGroup'] button", has_text=name).first
        await click_then_settle(button)

    chosen = ["Druk op brede welvaart"]  # the map opens on the pressure score

    async def indicator() -> None:
        box = page.locator("[data-testid='stSelectbox']").first
        typed = rng.choice([x for x in INDICATOR_TYPED if x != chosen[0]])  # choosing the shown one runs nothing
        chosen[0] = typed
        await box.click(timeout=TIMEOUT_MS)
        before = await runs()
        await page.keyboard.type(typed)
        option = page.get_by_role("option", name=re.compile("^" + re.escape(typed))).first
        try:
            await option.wait_for(timeout=5_000)
        except PlaywrightTimeout:  # not at this level (a theme or survey indicator): a user picks another
            await page.keyboard.press("Escape")
            chosen[0] = ""
            return False
        await option.click(timeout=TIMEOUT_MS)
        await settled(page, before)
        return True

    async def year() -> None:
        slider = page.get_by_role("slider").first
        if not await slider.count():
            return False
        before = await runs()
        await slider.press("ArrowLeft", timeout=TIMEOUT_MS)
        try:
            await page.wait_for_function(f"window.__runs > {before}", timeout=3_000, polling=POLL_MS)
        except PlaywrightTimeout:  # the first year already: one later instead
            await slider.press("ArrowRight", timeout=TIMEOUT_MS)
        await settled(page, before)
        return True

    async def sidebar(label: str) -> None:
        await click_then_settle(page.locator("[data-testid='stSidebarNav'] a", has_text=label).first)

    async def export_png() -> None:
        await page.get_by_role("button", name="Exporteren").first.click(timeout=TIMEOUT_MS)
        async with page.expect_download(timeout=TIMEOUT_MS) as info:
            await page.get_by_role("button", name="PNG (1×)").click(timeout=TIMEOUT_MS)
        download = await info.value
        if await download.failure():
            raise RuntimeError(f"download failed: {await download.failure()}")
        await page.keyboard.press("Escape")  # close the popover

    actions = {"level": level, "indicator": indicator, "year": year, "export PNG": export_png,
               "profile": lambda: sidebar("Regioprofiel"), "map": lambda: sidebar("Kaart"), "deals": lambda: sidebar("Regio Deals")}  # fmt: skip
    try:
        await step(page, "open the map", open_map, tally)
        await user_rounds(actions, lambda name, action: step(page, name, action, tally, exports if name == "export PNG" else None), rng, seed, stop_at)
    finally:
        await context.close()


async def protocol_session(base: str, stop_at: float, tally: Tally, exports: Tally, seed: int) -> None:
    """The same user as :func:`session`, speaking Streamlit's websocket protocol instead of driving a browser.

    Same steps, order, think time and export rhythm; the latency of a step is from sending the
    request until the server reports the script run finished (all elements received), or until the
    exported file has arrived. Nothing is drawn, so what is measured is the server and the network.
    """
    from streamlit_protocol import ProtocolError, ProtocolSession

    rng = random.Random(seed)
    client: ProtocolSession | None = None

    async def open_map() -> None:
        nonlocal client
        client = await ProtocolSession.connect(base)
        await client.run()

    async def level() -> None:
        shown = client.current("button_group", "Niveau")
        await client.choose("button_group", "Niveau", rng.choice([o.content for o in client.widget("button_group", "Niveau").options if o.content != shown]))

    async def indicator() -> None:
        shown = client.current("selectbox", "Wat de kaart toont")  # choosing the shown one runs nothing
        await client.choose("selectbox", "Wat de kaart toont", rng.choice([o for o in client.widget("selectbox", "Wat de kaart toont").options if o != shown]))

    async def year() -> bool:
        sliders = [s for s in client.page.widgets("slider") if s.label == "Jaar"]
        if not sliders:
            return False  # one year only at this level: no slider
        years, now = list(sliders[0].options), client.current("slider", "Jaar")
        at = years.index(now) if now in years else len(years) - 1
        await client.choose("slider", "Jaar", years[at - 1] if at > 0 else years[at + 1])  # one step, as an arrow key
        return True

    async def export_png() -> None:
        png = await client.download("PNG (1×)")
        if not png.startswith(b"\x89PNG"):
            raise ProtocolError(f"the PNG export is no PNG ({len(png)} bytes)")

    def page(path: str):
        return lambda: client.navigate(path)

    async def timed(name: str, action) -> None:
        start = time.perf_counter()
        try:
            if await action() is False:
                return
            (exports if name == "export PNG" else tally).add(time.perf_counter() - start, step=name)
            if VERBOSE:
                print(f"{time.perf_counter() - start:6.2f} s  {name} (protocol)", flush=True)
        except (ProtocolError, OSError, asyncio.TimeoutError) as exc:
            tally.add(None, f"{type(exc).__name__} on {name} (protocol): {str(exc).splitlines()[0][:160] if str(exc) else ''}")

    actions = {"level": level, "indicator": indicator, "year": year, "export PNG": export_png,
               "profile": page("regioprofiel"), "map": page(""), "deals": page("deals")}  # fmt: skip
    try:
        await timed("open the map", open_map)
        if client is not None:
            await user_rounds(actions, timed, rng, seed, stop_at)
    finally:
        if client is not None:
            await client.close()


async def warm_up(base: str) -> None:
    """One visit to each level and page and one export before the clock starts, as a deployment's first
    user would make (fills the caches shared by all sessions, starts Kaleido; ``--cold`` skips it).

    Over the protocol: the caches are the server's, and no browser is needed for them.
    """
    from streamlit_protocol import ProtocolSession

    client = await ProtocolSession.connect(base)
    try:
        await client.run()
        for level in ("COROP-gebieden", "Provincies", "Gemeenten"):
            await client.choose("button_group", "Niveau", level)
        await client.download("PNG (1×)")  # the first export starts Kaleido's browser in the server process
        for path in ("regioprofiel", "deals", ""):
            await client.navigate(path)
    finally:
        await client.close()


def niced_chromium(folder: Path, pin: bool) -> str:
    """A wrapper that starts chromium at the lowest CPU priority (``nice -n 19``), on the clients' core with ``pin``.

    The 20 browsers stand for 20 people's own computers; on this machine they share the server's two
    cores, and at equal priority they take most of them (20 page loads at once). At the lowest
    priority they get what the server leaves, so the figures say what the server does under 20 users.
    """
    wrapper = folder / "chromium-nice"
    pinned = f"taskset -c {CLIENT_CPU} " if pin else ""
    wrapper.write_text(f'#!/bin/sh\nexec {pinned}nice -n 19 {chromium_path()} "$@"\n')
    wrapper.chmod(0o755)
    return str(wrapper)


@dataclass
class Tallies:
    """Interactions and exports, apart for the browser sessions and the protocol sessions."""

    browser: Tally = field(default_factory=Tally)
    browser_exports: Tally = field(default_factory=Tally)
    protocol: Tally = field(default_factory=Tally)
    protocol_exports: Tally = field(default_factory=Tally)


async def run_sessions(base: str, n: int, browsers: int, stop_at: float, tallies: Tallies, executable: str) -> None:
    """``browsers`` sessions in their own chromium, the other ``n - browsers`` over the websocket protocol."""
    async def over_protocol(i: int) -> None:
        await asyncio.sleep(START_GAP_S * i)
        await protocol_session(base, stop_at, tallies.protocol, tallies.protocol_exports, seed=i)

    if not browsers:
        await asyncio.gather(*(over_protocol(i) for i in range(n)))
        return
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        # A browser per session, as people each have their own: pages that share one browser are
        # background tabs, which get no animation frames, and Playwright's clicks wait for those.
        async def own_browser(i: int) -> None:
            await asyncio.sleep(START_GAP_S * i)  # people opening a link from one e-mail, one after another
            browser = await pw.chromium.launch(executable_path=executable, args=LOAD_BROWSER_ARGS)
            try:
                await session(base, browser, stop_at, tallies.browser, tallies.browser_exports, seed=i)
            finally:
                await browser.close()

        await asyncio.gather(*(own_browser(i) if i < browsers else over_protocol(i) for i in range(n)))


def percentiles(values: list[float]) -> tuple[float, float]:
    """p50 and p95 (nearest rank) of ``values``; NaN for none."""
    ordered = sorted(values)
    if not ordered:
        return float("nan"), float("nan")
    return statistics.median(ordered), ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--browsers", type=int, default=2, help="how many of the sessions drive a real chromium (the rest speak the protocol)")
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--warehouse", type=Path, default=REPO / "data" / "warehouse")
    parser.add_argument("--json", type=Path, help="write the figures as JSON here too")
    parser.add_argument("--cold", action="store_true", help="no warm-up visit before the clock starts")
    parser.add_argument("--equal-priority", action="store_true", help="run the browsers at the server's CPU priority (not nice 19)")
    parser.add_argument("--pin", action="store_true", help="server on core 0, clients on core 1")
    args = parser.parse_args()
    browsers = max(0, min(args.browsers, args.sessions))
    if browsers and chromium_path() is None:
        sys.exit("Debian's chromium is needed: apt-get install -y chromium")
    if not (args.warehouse / "manifest.json").exists():
        sys.exit(f"no warehouse in {args.warehouse}: run `python -m welfare build` first")
    tallies = Tallies()
    run_log = Path(tempfile.mkdtemp(prefix="load-")) / "runs.tsv"
    os.environ["REGIOWELVAART_RUN_LOG"] = str(run_log)  # app.py writes each page run's seconds here
    pin = args.pin and shutil.which("taskset") is not None and (os.cpu_count() or 1) > 1
    with tempfile.TemporaryDirectory() as tmp, streamlit_server(args.warehouse, Path(tmp) / "streamlit.log") as base:
        server_pid = int(os.popen(f"pgrep -f 'streamlit run app.py.*{base.rsplit(':', 1)[1]}' | head -1").read().strip() or 0)
        peak = [0, 0]  # Streamlit's RSS, the server tree's PSS
        sampling = threading.Event()

        def sample() -> None:
            while not sampling.is_set():
                if server_pid:
                    rss, pss = memory_of(server_pid)
                    peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)
                time.sleep(0.5)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        if pin and server_pid:
            subprocess.run(["taskset", "-a", "-p", "-c", str(SERVER_CPU), str(server_pid)], check=False, capture_output=True)
            os.sched_setaffinity(0, {CLIENT_CPU})  # this driver and the protocol clients
        if not args.cold:
            asyncio.run(warm_up(base))
        run_log.write_text("")  # only the runs under load count
        server_cpu_before = cpu_of_tree(server_pid) if server_pid else 0.0
        started = time.time()
        executable = "" if not browsers else chromium_path() if args.equal_priority else niced_chromium(run_log.parent, pin)
        asyncio.run(run_sessions(base, args.sessions, browsers, started + args.seconds, tallies, executable or ""))
        wall = time.time() - started
        server_cpu = (cpu_of_tree(server_pid) - server_cpu_before) if server_pid else float("nan")
        sampling.set()
        sampler.join()

    every = [tallies.browser, tallies.browser_exports, tallies.protocol, tallies.protocol_exports]
    latencies = [x for t in every for x in t.latencies]
    errors = [e for t in every for e in t.errors]
    p50, p95 = percentiles(latencies)
    figures: dict[str, object] = {
        "sessions": args.sessions,
        "browser_sessions": browsers,
        "protocol_sessions": args.sessions - browsers,
        "warm_up": not args.cold,
        "browsers_niced": not args.equal_priority,
        "pinned": pin,
        "think_s": list(THINK_S),
        "seconds": round(wall, 1),
        "interactions": len(latencies) + len(errors),
        "errors": len(errors),
        "p50_s": round(p50, 2),
        "p95_s": round(p95, 2),
        "server_peak_rss_mb": round(peak[0] / 2**20, 1),  # the Streamlit process
        "server_tree_peak_pss_mb": round(peak[1] / 2**20, 1),  # with Kaleido's chromium, shared pages split
        "server_cpu_s": round(server_cpu, 1),  # Streamlit and Kaleido's browser, during the clock
    }
    for kind, steps, exported in (("browser", tallies.browser, tallies.browser_exports), ("protocol", tallies.protocol, tallies.protocol_exports)):
        done = steps.latencies + exported.latencies
        if done or steps.errors:
            k50, k95 = percentiles(done)
            figures[f"{kind}_interactions"] = len(done) + len(steps.errors) + len(exported.errors)
            figures[f"{kind}_errors"] = len(steps.errors) + len(exported.errors)
            figures[f"{kind}_p50_s"], figures[f"{kind}_p95_s"] = round(k50, 2), round(k95, 2)
    steps: dict[str, list[float]] = {}
    for t in every:
        for name, values in t.by_step.items():
            steps.setdefault(name, []).extend(values)
    figures["steps"] = {name: {"n": len(v), "p50_s": round(percentiles(v)[0], 2), "p95_s": round(percentiles(v)[1], 2)} for name, v in sorted(steps.items())}
    exported_all = tallies.browser_exports.latencies + tallies.protocol_exports.latencies
    if exported_all:
        e50, e95 = percentiles(exported_all)
        figures["exports"] = len(exported_all)
        figures["export_p50_s"], figures["export_p95_s"] = round(e50, 2), round(e95, 2)
    server_runs = [float(line.split("\t")[1]) for line in run_log.read_text().splitlines() if "\t" in line]
    if server_runs:
        r50, r95 = percentiles(server_runs)
        figures["server_runs"] = len(server_runs)
        figures["server_run_p50_s"], figures["server_run_p95_s"] = round(r50, 3), round(r95, 3)

    print(f"{args.sessions} sessions ({browsers} in chromium, {args.sessions - browsers} over the protocol) for {wall:.0f} s: "
          f"{figures['interactions']} interactions, {figures['errors']} errors")  # fmt: skip
    print(f"latency p50 {p50:.2f} s, p95 {p95:.2f} s (goal ≤ 3 s); server peak RSS {figures['server_peak_rss_mb']} MB (goal ≤ 1024 MB), "
          f"with Kaleido's chromium (PSS) {figures['server_tree_peak_pss_mb']} MB")  # fmt: skip
    for kind in ("browser", "protocol"):
        if f"{kind}_interactions" in figures:
            print(f"  {kind} sessions: {figures[f'{kind}_interactions']} interactions, {figures[f'{kind}_errors']} errors, "
                  f"p50 {figures[f'{kind}_p50_s']:.2f} s, p95 {figures[f'{kind}_p95_s']:.2f} s")  # fmt: skip
    print("  by step: " + "; ".join(f"{name} {v['p50_s']:.2f}/{v['p95_s']:.2f} s (n={v['n']})" for name, v in figures["steps"].items()))
    if exported_all:
        print(f"  of which {figures['exports']} PNG exports: p50 {figures['export_p50_s']:.2f} s, p95 {figures['export_p95_s']:.2f} s")
    if server_runs:
        print(f"server side: {len(server_runs)} script runs, p50 {figures['server_run_p50_s']:.3f} s, "
              f"p95 {figures['server_run_p95_s']:.3f} s (the page's own work, without network and browser)")  # fmt: skip
    print(f"server CPU {server_cpu:.0f} s in {wall:.0f} s ({server_cpu / wall:.2f} cores); load average {os.getloadavg()[0]:.1f}")
    for error in errors[:10]:
        print("  error:", error)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
