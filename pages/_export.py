"""The export menu under every chart and map (not a page: the underscore keeps it out of any list).

Files are built only when a button is clicked (``data=<callable>``,
``on_click="ignore"``: no rerun of the page), through ``welfare.export``,
so the PNG, SVG, PDF and briefing pack carry the same figure, source line,
vintage, recipe hash and permalink as the screen.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from welfare import export
from welfare.errors import WelfareError
from welfare.i18n import md_escape, t

MIME = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf", "zip": "application/zip"}


def file_or_message(build: Callable[[], bytes], lang: str) -> Callable[[], bytes]:
    """``build`` for a download button; a failure becomes a small text file saying why, not a traceback."""

    def make() -> bytes:
        try:
            return build()
        except (WelfareError, OSError, ValueError) as exc:
            return t("export.failed", lang, error=str(exc)).encode("utf-8")

    return make


def export_menu(
    key: str,
    fig: go.Figure,
    *,
    lang: str,
    title: str,
    permalink: str,
    data: Callable[[], pd.DataFrame],
    config_hash: str | None = None,
    vintage: str | None = None,
    print_query: str | None = None,
) -> None:
    """A popover with the figure as PNG (2× and 1×), SVG, PDF and a briefing pack of it.

    ``data`` gives the rows shown (only the regions and indicators on
    screen, with units and sources) for the pack's CSV; ``print_query`` (the
    view's query string) adds a link to the print page.
    """
    stem = export.safe_name(f"regiowelvaart-{title}")
    with st.popover(t("export.button", lang), icon=":material/download:", help=t("export.help", lang)):
        size = st.selectbox(
            t("export.size", lang), list(export.SIZES), index=list(export.SIZES).index(export.DEFAULT_SIZE),
            format_func=lambda s: export.SIZES[s].label(lang), key=f"export_size_{key}",
        )  # fmt: skip
        kw = {"permalink": permalink, "config_hash": config_hash, "lang": lang}
        buttons = [
            ("png", t("export.png", lang), lambda: export.render(fig, "png", size, scale=2, **kw), f"{stem}.png"),
            ("png1", t("export.png1", lang), lambda: export.render(fig, "png", size, scale=1, **kw), f"{stem}-1x.png"),
            ("svg", t("export.svg", lang), lambda: export.render(fig, "svg", size, **kw), f"{stem}.svg"),
            ("pdf", t("export.pdf", lang), lambda: export.render(fig, "pdf", size, **kw), f"{stem}.pdf"),
        ]
        for name, text, build, filename in buttons:
            fmt = "png" if name.startswith("png") else name
            st.download_button(
                text, data=file_or_message(build, lang), file_name=filename, mime=MIME[fmt], on_click="ignore",
                key=f"export_{name}_{key}", icon=":material/image:" if fmt != "pdf" else ":material/picture_as_pdf:",
                width="stretch",
            )  # fmt: skip

        def pack() -> bytes:
            item = export.ExportItem(name=stem, title=title, figure=fig, data=data(), permalink=permalink, config_hash=config_hash)
            return export.briefing_pack([item], lang=lang, size=size, vintage=vintage, created=datetime.now(timezone.utc))

        st.download_button(
            t("export.pack", lang), data=file_or_message(pack, lang), file_name=f"{stem}.zip", mime=MIME["zip"], on_click="ignore",
            key=f"export_pack_{key}", icon=":material/folder_zip:", help=t("export.pack_help", lang), width="stretch",
        )  # fmt: skip
        if print_query is not None:
            st.page_link("pages/afdruk.py", label=t("export.print", lang), icon=":material/print:", query_params=_query_dict(print_query))
        st.caption(md_escape(t("export.note", lang)))


def _query_dict(query: str) -> dict[str, str]:
    from urllib.parse import parse_qsl

    return dict(parse_qsl(query.lstrip("?")))
