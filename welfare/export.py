"""Briefing exports: any figure as PNG (1× and 2×), SVG or PDF, and a briefing pack (ZIP).

Figures come from :mod:`welfare.charts`, so an export carries the same title,
legend, source line and vintage as the screen; :func:`prepare_figure` sets a
fixed size and adds the permalink (and the scoring recipe's hash, when a score
is shown) to the footer, so a figure in a note can always be traced back to
the view that made it.

Kaleido 1.x drives Debian's ``chromium`` (found on PATH, or ``BROWSER_PATH``).
One warm Kaleido browser serves the whole process (:func:`ensure_server`):
~1.5 s per image instead of ~4.5 s with a browser per call. Kaleido's
process-wide server answers through one queue, so calls are serialised with a
lock; two Streamlit sessions exporting at once wait for each other instead of
receiving each other's image.

The pack (:func:`briefing_pack`) holds per view ``<name>.png`` (2×) and
``<name>.svg``, ``<name>.csv`` (the data shown: only the regions and
indicators of the view, with units and sources), one ``figuren.pdf`` with a
page per figure and a last page with a short methods note, and a
``README.txt`` with the permalinks.
"""

from __future__ import annotations

import copy
import csv
import functools
import html
import io
import os
import shutil
import threading
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from welfare import charts
from welfare.errors import WelfareError

FORMATS: tuple[str, ...] = ("png", "svg", "pdf")
CM_PER_INCH = 2.54
CSS_DPI = 96  # Plotly sizes are CSS pixels


class ExportError(WelfareError):
    """A figure could not be rendered (no chromium, Kaleido failed, bad size or format)."""


@dataclass(frozen=True)
class Size:
    """A fixed export size; ``width_px``/``height_px`` are CSS pixels at 96 dpi (scale 1)."""

    name: str
    width_px: int
    height_px: int
    label_nl: str
    label_en: str

    @classmethod
    def from_cm(cls, name: str, width_cm: float, height_cm: float, label_nl: str, label_en: str) -> Size:
        px = lambda cm: round(cm / CM_PER_INCH * CSS_DPI)  # noqa: E731
        return cls(name, px(width_cm), px(height_cm), label_nl, label_en)

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_nl


# A map needs more room than a chart: the A4 sizes are the printed size; PNG at 2× is print quality.
SIZES: dict[str, Size] = {
    s.name: s
    for s in (
        Size.from_cm("a4-half", 16.0, 10.0, "A4, halve pagina (16 × 10 cm)", "A4, half page (16 × 10 cm)"),
        Size.from_cm("a4-full", 16.0, 22.0, "A4, hele pagina (16 × 22 cm)", "A4, full page (16 × 22 cm)"),
        Size("slide", 1280, 720, "Dia 16:9 (1280 × 720)", "Slide 16:9 (1280 × 720)"),
    )
}
DEFAULT_SIZE = "a4-full"

_LOCK = threading.Lock()
KALEIDO_TABS = 3


def chromium() -> str | None:
    """The browser Kaleido will use: ``$BROWSER_PATH`` or Debian's chromium on PATH."""
    return os.environ.get("BROWSER_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")


def ensure_server() -> None:
    """Start the process's warm Kaleido browser once (idempotent, thread-safe)."""
    import kaleido

    if chromium() is None:
        raise ExportError("no chromium found for Kaleido: install Debian's chromium (apt-get install chromium) or set BROWSER_PATH")
    with _LOCK:
        if not _server_running():
            # Tabs render side by side: a map costs ~1.5 s mostly waiting in the browser, so a pack of
            # 6 maps × 3 formats takes half the time with 3 tabs. MathJax would be fetched from a CDN.
            kaleido.start_sync_server(n=KALEIDO_TABS, mathjax=False, silence_warnings=True)


def _server_running() -> bool:
    try:
        from kaleido._sync_server import GlobalKaleidoServer  # the only way to ask; private

        return bool(GlobalKaleidoServer().is_running())
    except Exception:  # noqa: BLE001 - when the private API moves, starting again is harmless
        return False


def prepare_figure(
    fig: go.Figure,
    size: str | Size = DEFAULT_SIZE,
    *,
    permalink: str | None = None,
    config_hash: str | None = None,
    lang: str = "nl",
) -> go.Figure:
    """A copy of ``fig`` at a fixed size with the permalink (and recipe hash) in its footer."""
    s = SIZES.get(size) if isinstance(size, str) else size
    if s is None:
        raise ExportError(f"unknown export size {size!r}: choose one of {', '.join(SIZES)}")
    out = go.Figure(copy.deepcopy(fig.to_dict()))
    out.update_layout(width=s.width_px, height=s.height_px, autosize=False)
    room = s.width_px - 32  # 16 px free left and right of the text
    margin = out.layout.margin
    top, bottom = margin.t or 60, margin.b or 60
    left, right = (margin.l if margin.l is not None else 80), (margin.r if margin.r is not None else 80)
    plot_width = max(1, s.width_px - left - right)
    # Title and footer start 16 px from the figure's left edge, not at the plot area (which a ranking
    # chart indents by its region names): the wrapped lines then fit the page.
    edge = -(left - 16) / plot_width
    # Title and subtitle wrap at the export's width instead of running off the page; each extra line pushes the plot down.
    title = out.layout.title
    if title.text and title.xref != "container":
        title.update(xref="container", x=16 / s.width_px, xanchor="left")
    if title.text:
        # A long title shrinks to fit one line (down to 13 px) instead of wrapping: Plotly draws a
        # two-line title upwards from its anchor, out of the page.
        size = float(title.font.size or 18)
        wide = text_width(html.unescape(str(title.text)), size)
        if wide > room:
            title.font.size = max(13, int(size * room / wide))
    if title.subtitle and title.subtitle.text:
        text, extra = wrap_html(str(title.subtitle.text), room, 13)
        title.subtitle.text, top = text, top + 17 * extra
    # The footer (source, vintage, note) wraps too and gets the recipe and the permalink as its last lines.
    extra_lines: list[str] = []
    if config_hash and config_hash not in charts.footer_text(out):
        extra_lines.append(("Recept" if lang != "en" else "Recipe") + f" {config_hash}")
    if permalink:
        extra_lines.append(permalink)
    footer = next((a for a in out.layout.annotations or () if a.name == "source"), None)
    lines = str(footer.text).split("<br>") if footer is not None else []
    lines += [charts_escape(x) for x in extra_lines]
    wrapped = [part for line in lines for part in wrap_html(line, room, 10)[0].split("<br>")]
    if footer is not None:
        footer.update(x=edge, xanchor="left")
        added = len(wrapped) - len(str(footer.text).split("<br>"))
        footer.text = "<br>".join(wrapped)
        footer.yshift = (footer.yshift or 0) - 15 * added
        bottom += 15 * added
    elif wrapped:
        out.add_annotation(
            text="<br>".join(wrapped), name="source", xref="paper", yref="paper", x=edge, y=0, yshift=-(bottom - 6 + 15 * len(wrapped)),
            xanchor="left", yanchor="bottom", showarrow=False, align="left", font={"size": 10, "color": charts.MUTED_COLOR},
        )  # fmt: skip
        bottom += 15 * len(wrapped)
    out.update_layout(margin={"t": top, "b": bottom})
    return out


# Without the font file, DejaVu Sans averages about 0.52 em per character (measured on the subtitles); 0.54 keeps a margin.
CHAR_EM = 0.54
DEJAVU = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",)


@functools.lru_cache(maxsize=8)
def _font(size: float) -> Any:
    """DejaVu Sans (the figures' font, Debian's fonts-dejavu-core) for measuring text; None when absent."""
    try:
        from PIL import ImageFont

        for path in DEJAVU:
            if os.path.isfile(path):
                return ImageFont.truetype(path, size=max(1, round(size)))
    except (ImportError, OSError):
        pass
    return None


def text_width(text: str, font_px: float) -> float:
    """The width of plain ``text`` in px as DejaVu Sans draws it (estimated when the font file is missing)."""
    font = _font(font_px)
    if font is None:
        return len(text) * font_px * CHAR_EM
    return float(font.getlength(text))


def wrap_html(text: str, width_px: int, font_px: float) -> tuple[str, int]:
    """``text`` (Plotly HTML, ``<br>`` between lines) wrapped at spaces to ``width_px``; and how many lines were added.

    >>> wrap_html("Bron: CBS, 85036NED, 2023; grenzen CBS/PDOK; bewerking regiowelvaart", 200, 10)[1]
    1
    >>> wrap_html("kort", 200, 10)
    ('kort', 0)
    """
    out: list[str] = []
    before = text.split("<br>")
    for line in before:
        current = ""
        for word in line.split(" "):
            candidate = f"{current} {word}" if current else word
            if current and text_width(html.unescape(candidate), font_px) > width_px:
                out.append(current)
                current = word
            else:
                current = candidate
        out.append(current)
    return "<br>".join(out), len(out) - len(before)


def write_atomic(path: str | os.PathLike[str], payload: bytes) -> None:
    """Write ``payload`` to ``path`` through a temporary file beside it: a failed write leaves the old file."""
    import tempfile
    from pathlib import Path

    target = Path(path)
    if target.is_dir():
        raise ExportError(f"--out {target} is a folder: give a file name")
    if not target.parent.is_dir():
        raise ExportError(f"--out {target}: the folder {target.parent} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def charts_escape(text: str) -> str:
    """Plotly annotations read a subset of HTML: escape ``<``, ``>`` and ``&``."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render(
    fig: go.Figure,
    fmt: str,
    size: str | Size = DEFAULT_SIZE,
    *,
    scale: float = 1.0,
    permalink: str | None = None,
    config_hash: str | None = None,
    lang: str = "nl",
) -> bytes:
    """The figure as PNG, SVG or PDF bytes at a fixed size (``scale`` 2 for print-quality PNG)."""
    return render_many([RenderJob(fig, fmt, size, scale, permalink, config_hash, lang)])[0]


@dataclass(frozen=True)
class RenderJob:
    """One figure in one format for :func:`render_many`."""

    figure: go.Figure
    fmt: str
    size: str | Size = DEFAULT_SIZE
    scale: float = 1.0
    permalink: str | None = None
    config_hash: str | None = None
    lang: str = "nl"


def render_many(jobs: Sequence[RenderJob]) -> list[bytes]:
    """Several renders at once, in Kaleido's tabs side by side; bytes in the order of ``jobs``.

    Same result as :func:`render` per job. Kaleido writes the files into a
    temporary folder that is removed afterwards.
    """
    import tempfile
    from pathlib import Path

    specs = []
    for job in jobs:
        if job.fmt not in FORMATS:
            raise ExportError(f"unknown export format {job.fmt!r}: choose one of {', '.join(FORMATS)}")
        if not 0.25 <= job.scale <= 4:
            raise ExportError(f"export scale must be between 0.25 and 4, got {job.scale!r}")
        ready = prepare_figure(job.figure, job.size, permalink=job.permalink, config_hash=job.config_hash, lang=job.lang)
        scale = job.scale if job.fmt == "png" else 1
        specs.append((ready, job.fmt, scale))
    if not specs:
        return []
    ensure_server()
    with tempfile.TemporaryDirectory(prefix="regiowelvaart-export-") as tmp:
        dicts = [
            {"fig": ready.to_dict(), "path": str(Path(tmp) / f"{i}.{fmt}"),
             "opts": {"format": fmt, "scale": scale, "width": ready.layout.width, "height": ready.layout.height}}
            for i, (ready, fmt, scale) in enumerate(specs)
        ]  # fmt: skip
        with _LOCK, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                from kaleido._sync_server import GlobalKaleidoServer  # batch call of the warm server; private

                GlobalKaleidoServer().call_function("write_fig_from_object", dicts, cancel_on_error=True)
            except Exception as exc:  # noqa: BLE001 - Kaleido raises bare exceptions; say what failed
                raise ExportError(f"Kaleido could not render {len(dicts)} figures: {exc}") from exc
        try:
            return [Path(d["path"]).read_bytes() for d in dicts]
        except OSError as exc:
            raise ExportError(f"Kaleido did not write every figure: {exc}") from exc


# ----------------------------------------------------------------------------- the pack


@dataclass(frozen=True)
class ExportItem:
    """One view in a pack: its figure, the data it shows and the link that reopens it."""

    name: str  # file stem, e.g. "kaart-werkloosheid-2023"
    title: str
    figure: go.Figure
    data: pd.DataFrame  # only the regions and indicators shown, with unit and source columns
    permalink: str = ""
    config_hash: str | None = None
    notes: Sequence[str] = field(default_factory=tuple)


def safe_name(text: str) -> str:
    """A file stem from free text: lowercase letters, digits and dashes.

    >>> safe_name("Kaart: Werkloosheid (2023) / GM")
    'kaart-werkloosheid-2023-gm'
    """
    out = "".join(c.lower() if c.isalnum() and c.isascii() else "-" for c in text)
    return "-".join(p for p in out.split("-") if p)[:80] or "figuur"


def methods_figure(lang: str, items: Sequence[ExportItem], size: Size, vintage: str | None) -> go.Figure:
    """The pack's last page: what the figures show, how pressure is measured, where data comes from."""
    nl = lang != "en"
    lines = [
        "<b>" + ("Methode en bronnen" if nl else "Method and sources") + "</b>",
        "",
        (
            "Druk op brede welvaart is de eigen maat van regiowelvaart, geen officiële selectieregel: indicatoren"
            if nl
            else "Pressure on broad welfare is regiowelvaart's own measure, not an official selection rule: indicators"
        ),
        (
            "van CBS, gestandaardiseerd (z-score), gemiddeld per thema, thema's gewogen (standaard gelijk);"
            if nl
            else "from CBS, standardised (z-score), averaged per theme, themes weighted (equal by default);"
        ),
        (
            "ontbrekende waarden tellen niet als nul; onder 65% dekking krijgt een regio geen score."
            if nl
            else "missing values never count as zero; below 65% coverage a region gets no score."
        ),
        (
            "De kwarten volgen de CBS-telling: slechtste en beste kwart van alle regio's van het niveau."
            if nl
            else "Quarters follow the CBS count: worst and best quarter of all regions of the level."
        ),
        "",
    ]
    for item in items:
        lines.append(f"• {charts_escape(item.title)}")
        if item.config_hash:
            lines.append(("   recept " if nl else "   recipe ") + item.config_hash)
        if item.permalink:
            lines.append("   " + charts_escape(item.permalink))
        for note in item.notes:
            lines.append("   " + charts_escape(note))
    lines += [
        "",
        "Bron: CBS (CC BY 4.0); grenzen CBS/PDOK; herindelingen VNG (CC BY-NC-SA 4.0); bewerking regiowelvaart"
        if nl
        else "Source: CBS (CC BY 4.0); boundaries CBS/PDOK; boundary changes VNG (CC BY-NC-SA 4.0); processing regiowelvaart",
    ]
    if vintage:
        lines.append(charts_escape(vintage))
    fig = go.Figure()
    fig.add_annotation(
        text="<br>".join(lines),
        xref="paper",
        yref="paper",
        x=0,
        y=1,
        xanchor="left",
        yanchor="top",
        align="left",
        showarrow=False,
        font={"size": 11, "color": charts.TEXT_COLOR, "family": charts.FONT_FAMILY},
    )
    fig.update_layout(
        template=charts.TEMPLATE,
        width=size.width_px,
        height=size.height_px,
        xaxis={"visible": False},
        yaxis={"visible": False},
        margin={"l": 40, "r": 40, "t": 40, "b": 40},
        plot_bgcolor="white",
        paper_bgcolor="white",
    )
    return fig


def merge_pdfs(parts: Sequence[bytes]) -> bytes:
    """One PDF with the pages of ``parts`` in order."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for part in parts:
        for page in PdfReader(io.BytesIO(part)).pages:
            writer.add_page(page)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def briefing_pack(
    items: Sequence[ExportItem],
    *,
    lang: str = "nl",
    size: str = DEFAULT_SIZE,
    vintage: str | None = None,
    created: datetime | None = None,
) -> bytes:
    """A ZIP with every view's PNG (2×), SVG and CSV, one PDF of all figures plus a methods page, and a README."""
    if not items:
        raise ExportError("a briefing pack needs at least one view")
    s = SIZES[size] if size in SIZES else None
    if s is None:
        raise ExportError(f"unknown export size {size!r}: choose one of {', '.join(SIZES)}")
    created = created or datetime.now(timezone.utc)
    names: list[str] = []
    jobs: list[RenderJob] = []
    for item in items:
        stem = safe_name(item.name)
        while stem in names:
            stem += "-2"
        names.append(stem)
        kw = {"permalink": item.permalink or None, "config_hash": item.config_hash, "lang": lang}
        jobs += [RenderJob(item.figure, "png", s, 2, **kw), RenderJob(item.figure, "svg", s, **kw), RenderJob(item.figure, "pdf", s, **kw)]
    jobs.append(RenderJob(methods_figure(lang, items, s, vintage), "pdf", s))
    rendered = render_many(jobs)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for i, (item, stem) in enumerate(zip(items, names)):
            png, svg, _ = rendered[3 * i : 3 * i + 3]
            zf.writestr(f"{stem}.png", png)
            zf.writestr(f"{stem}.svg", svg)
            zf.writestr(f"{stem}.csv", frame_to_csv(item.data))
        pdf_parts = [rendered[3 * i + 2] for i in range(len(items))] + [rendered[-1]]
        zf.writestr("figuren.pdf" if lang != "en" else "figures.pdf", merge_pdfs(pdf_parts))
        zf.writestr("README.txt", pack_readme(items, names, lang, created, vintage))
    return buf.getvalue()


def frame_to_csv(frame: pd.DataFrame) -> str:
    """CSV with a header, ``.`` decimals and empty cells for missing values (never 0)."""
    out = io.StringIO()
    frame.to_csv(out, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL, na_rep="")
    return out.getvalue()


def pack_readme(items: Sequence[ExportItem], stems: Sequence[str], lang: str, created: datetime, vintage: str | None) -> str:
    nl = lang != "en"
    lines = [
        "regiowelvaart — " + ("briefingpakket" if nl else "briefing pack"),
        ("Gemaakt: " if nl else "Created: ") + created.strftime("%Y-%m-%d %H:%M UTC"),
    ]
    if vintage:
        lines.append(vintage)
    lines.append("")
    for item, stem in zip(items, stems):
        lines.append(f"{stem}: {item.title}")
        if item.permalink:
            lines.append(("  link: " if nl else "  link: ") + item.permalink)
        if item.config_hash:
            lines.append(("  recept: " if nl else "  recipe: ") + item.config_hash)
        lines.append(f"  {stem}.png, {stem}.svg, {stem}.csv")
    lines += [
        "",
        ("figuren.pdf: alle figuren, een per pagina, en een methodenotitie." if nl else "figures.pdf: every figure, one per page, and a methods note."),
        "Bron: CBS (CC BY 4.0); grenzen CBS/PDOK; bewerking regiowelvaart" if nl else "Source: CBS (CC BY 4.0); boundaries CBS/PDOK; processing regiowelvaart",
    ]
    return "\n".join(lines) + "\n"
