"""NL/EN messages of the status page (``pages/status.py``) added with live CBS and ``build --refresh``.

The page's older messages live in :data:`welfare.i18n.MESSAGES` (``status.``,
``summary.``, ``col.``); these keys are new and must not repeat one of those.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "status.stale_banner": {
        "nl": (
            "**Verouderde gegevens:** bij de laatste verversing (`build --refresh`) kon het CBS "
            "{n} brontabel(len) niet leveren. De vorige gegevens van die tabellen zijn behouden:"
        ),
        "en": (
            "**Stale data:** in the last refresh (`build --refresh`) CBS could not deliver "
            "{n} source table(s). Their previous data were kept:"
        ),
    },
    "status.stale_banner_item": {
        "nl": "{table}: versie {version} behouden{newer}; mislukt sinds {since} — {reason}",
        "en": "{table}: version {version} kept{newer}; failing since {since} — {reason}",
    },
    "status.stale_banner_newer": {
        "nl": " (bij het CBS staat versie {cbs_version})",
        "en": " (CBS has version {cbs_version})",
    },
    "status.stale_banner_hint": {
        "nl": "Probeer het later opnieuw met `python -m welfare build --refresh`.",
        "en": "Try again later with `python -m welfare build --refresh`.",
    },
    "status.col_api_help": {
        "nl": "De CBS-API die de tabel leverde: odata-v4 (nieuw portaal) of odata-v3; leeg bij een CSV-map.",
        "en": "The CBS API that served the table: odata-v4 (new portal) or odata-v3; empty for a CSV folder.",
    },
    "status.col_stale_help": {
        "nl": "Aangevinkt: de verversing mislukte en de vorige gegevens van deze tabel zijn behouden.",
        "en": "Ticked: the refresh failed and this table's previous data were kept.",
    },
}
