"""Helpers of the AppTest page tests: open a page of ``app.py`` with a query string, read what it shows.

The ``app_env`` fixture (in ``conftest.py``) points the app at the session's warehouse first.
"""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parent.parent / "app.py"
TEXT_KINDS = ("title", "header", "subheader", "markdown", "caption", "info", "error", "warning", "code")


def open_page(page_file: str, timeout: float = 180, **query: str | list[str]) -> AppTest:
    """Run ``app.py`` on ``page_file`` (e.g. ``pages/deals.py``) as if opened with ``?query``."""
    at = AppTest.from_file(str(APP), default_timeout=timeout)
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page(page_file)
    return at.run()


def texts(at: AppTest) -> str:
    """Every text element of the page, one per line."""
    return "\n".join(str(e.value) for kind in TEXT_KINDS for e in getattr(at, kind))


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def figures(at: AppTest) -> list[dict]:
    """The page's Plotly charts as figure dicts, in page order."""
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
