"""NL/EN messages of the pages, one module per page, merged into :data:`welfare.i18n.MESSAGES`.

Each module defines ``MESSAGES: dict[str, dict[str, str]]`` with keys prefixed
by its page (``deals.``, ``map.``, ...), so pages can be written side by side
without editing one shared file. :func:`page_messages` merges them and
refuses a key defined twice.
"""

from __future__ import annotations

import importlib
import pkgutil


def page_messages() -> dict[str, dict[str, str]]:
    """All page modules' messages, merged; a key defined in two modules is an error."""
    merged: dict[str, dict[str, str]] = {}
    owner: dict[str, str] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for key, entry in getattr(module, "MESSAGES", {}).items():
            if key in merged:
                raise ValueError(f"message key {key!r} is defined in both {owner[key]} and {info.name}")
            merged[key] = entry
            owner[key] = info.name
    return merged
