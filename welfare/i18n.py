"""NL/EN messages for the app, the exports and the CLI.

Streamlit's own UI strings are English only, so every word the app shows comes
from :data:`MESSAGES`. Dutch is the default language; English is the switch.
Keys are dotted by where they are used (``app.``, ``build.``, ``status.``, ...).
Templates use ``str.format`` fields (``{table}``); :func:`t` fills them.

No Streamlit here: the catalogue is plain data and :func:`t` a pure function.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from welfare.types import LANGS

DEFAULT_LANG = "nl"

_LOG = logging.getLogger(__name__)

MESSAGES: dict[str, dict[str, str]] = {
    # ------------------------------------------------------------------ app frame
    "app.tagline": {
        "nl": "Brede welvaart in Nederlandse regio's, voor de Regio Deals",
        "en": "Broad welfare in Dutch regions, for the Regio Deals",
    },
    "app.lang_label": {"nl": "Taal · Language", "en": "Language · Taal"},
    "app.lang_help": {
        "nl": "nl = Nederlands, en = English. De keuze staat in de link (?lang=en).",
        "en": "nl = Dutch, en = English. The choice is kept in the link (?lang=en).",
    },
    "app.lang_invalid": {
        "nl": "Onbekende taal ‘{value}’ in de link; de app toont Nederlands.",
        "en": "Unknown language ‘{value}’ in the link; showing Dutch.",
    },
    "app.version": {"nl": "regiowelvaart {version}", "en": "regiowelvaart {version}"},
    "nav.status": {"nl": "Status gegevens", "en": "Data status"},
    # ------------------------------------------------------------ first-run build
    "build.start": {
        "nl": "Er is nog geen datawarehouse in {path}. De app bouwt het nu uit de CBS-tabellen; dat kan even duren.",
        "en": "There is no data warehouse in {path} yet. The app is building it from the CBS tables now; this may take a while.",
    },
    "build.step": {
        "nl": "Stap {step} van {total}: {table} — {message}",
        "en": "Step {step} of {total}: {table} — {message}",
    },
    "build.preparing": {"nl": "Voorbereiden…", "en": "Preparing…"},
    "build.waiting": {
        "nl": "Een andere sessie bouwt het datawarehouse; even geduld…",
        "en": "Another session is building the data warehouse; please wait…",
    },
    "build.done": {
        "nl": "Datawarehouse gebouwd: {tables} tabellen, {warnings} waarschuwingen.",
        "en": "Data warehouse built: {tables} tables, {warnings} warnings.",
    },
    "build.failed": {
        "nl": "Het datawarehouse kon niet worden gebouwd: {error}",
        "en": "The data warehouse could not be built: {error}",
    },
    "build.unexpected": {
        "nl": "Onverwachte fout ({kind}): {error}",
        "en": "Unexpected error ({kind}): {error}",
    },
    "build.hint": {
        "nl": "Bouw het datawarehouse op de server met `python -m welfare build` en laad deze pagina daarna opnieuw.",
        "en": "Build the data warehouse on the server with `python -m welfare build`, then reload this page.",
    },
    "build.retry": {"nl": "Opnieuw proberen", "en": "Try again"},
    # ------------------------------------------------------- warehouse integrity
    "app.integrity_failed": {
        "nl": (
            "Het datawarehouse in {path} klopt niet met zijn manifest: bestanden ontbreken, zijn gewijzigd "
            "of horen er niet bij. De app toont geen cijfers uit een datawarehouse dat zo is veranderd."
        ),
        "en": (
            "The data warehouse in {path} does not match its manifest: files are missing, changed or do "
            "not belong there. The app shows no figures from a data warehouse that was changed like this."
        ),
    },
    "app.integrity_problems": {"nl": "Gevonden ({count}):", "en": "Found ({count}):"},
    "app.integrity_more": {"nl": "… en nog {count}", "en": "… and {count} more"},
    "app.integrity_rebuild": {
        "nl": "Bouw het datawarehouse opnieuw op de server met `{command}` en laad deze pagina daarna opnieuw.",
        "en": "Rebuild the data warehouse on the server with `{command}`, then reload this page.",
    },
    # ---------------------------------------------------------------- status page
    "status.title": {"nl": "Status van de gegevens", "en": "Data status"},
    "status.intro": {
        "nl": (
            "Het dashboard leest alle cijfers uit een lokaal datawarehouse dat uit tabellen van het CBS "
            "is opgebouwd. Hier staat waar die tabellen vandaan komen, hoe actueel ze zijn en voor welke "
            "indicatoren en regio's er cijfers zijn."
        ),
        "en": (
            "The dashboard reads every figure from a local data warehouse built from Statistics "
            "Netherlands (CBS) tables. This page shows where those tables came from, how recent they are, "
            "and for which indicators and regions there are figures."
        ),
    },
    "status.unreadable": {
        "nl": "Het datawarehouse in {path} is niet leesbaar: {error}",
        "en": "The data warehouse in {path} cannot be read: {error}",
    },
    "status.section_build": {"nl": "Build en bron", "en": "Build and source"},
    "status.section_coverage": {"nl": "Dekking per indicator", "en": "Coverage per indicator"},
    "status.section_tables": {"nl": "Brontabellen en versies", "en": "Source tables and versions"},
    "status.metric_built": {"nl": "Gebouwd op", "en": "Built on"},
    "status.metric_source": {"nl": "Bron", "en": "Source"},
    "status.metric_indicators": {"nl": "Indicatoren met cijfers", "en": "Indicators with figures"},
    "status.metric_indicators_value": {"nl": "{n} van {total}", "en": "{n} of {total}"},
    "status.metric_tables": {"nl": "Brontabellen", "en": "Source tables"},
    "status.coverage_intro": {
        "nl": (
            "Eén rij per indicator uit de catalogus. ‘Gemeenten’ en ‘Niveaus’ tellen de regio's met een cijfer "
            "in het nieuwste jaar van dat niveau (een ander jaar staat tussen haakjes); — betekent: geen gegevens."
        ),
        "en": (
            "One row per indicator in the catalogue. ‘Municipalities’ and ‘Levels’ count the regions with a figure "
            "in that level's newest year (a different year is shown in brackets); — means: no data."
        ),
    },
    "status.coverage_empty": {
        "nl": "Het manifest bevat geen dekkingsgegevens.",
        "en": "The manifest holds no coverage information.",
    },
    "status.coverage_alt": {
        "nl": "Dekking per indicator: niveaus, jaren en aantal regio's met een waarde",
        "en": "Coverage per indicator: levels, years and number of regions with a value",
    },
    "status.tables_alt": {
        "nl": "Brontabellen met versie en aantal rijen",
        "en": "Source tables with version and number of rows",
    },
    "status.tables_empty": {
        "nl": "Het manifest noemt geen brontabellen.",
        "en": "The manifest lists no source tables.",
    },
    "status.levels_legend": {
        "nl": "GM = gemeente, AM = arbeidsmarktregio, CR = COROP-gebied, PV = provincie, LD = landsdeel, NL = Nederland.",
        "en": "GM = municipality, AM = labour market region, CR = COROP region, PV = province, LD = NUTS-1 region, NL = the Netherlands.",
    },
    "status.warnings": {"nl": "Waarschuwingen bij de build ({n})", "en": "Build warnings ({n})"},
    "status.no_warnings": {"nl": "De build gaf geen waarschuwingen.", "en": "The build gave no warnings."},
    "status.catalog_problem": {
        "nl": "De indicatorcatalogus kon niet worden gelezen ({error}); de tabel toont alleen indicator-id's.",
        "en": "The indicator catalogue could not be read ({error}); the table shows indicator ids only.",
    },
    "status.source_line": {
        "nl": "Bron: CBS, {tables}; bewerking regiowelvaart",
        "en": "Source: CBS (Statistics Netherlands), {tables}; processing regiowelvaart",
    },
    "status.source_line_none": {
        "nl": "Bron: CBS; bewerking regiowelvaart",
        "en": "Source: CBS (Statistics Netherlands); processing regiowelvaart",
    },
    # summary rows (label, value)
    "summary.source": {"nl": "Bron", "en": "Source"},
    "summary.source_folder": {"nl": "Map met StatLine-exports (CSV)", "en": "Folder of StatLine exports (CSV)"},
    "summary.source_cbs": {"nl": "CBS OData (live)", "en": "CBS OData (live)"},
    "summary.source_folder_short": {"nl": "CSV-map", "en": "CSV folder"},
    "summary.source_cbs_short": {"nl": "CBS (live)", "en": "CBS (live)"},
    "summary.location": {"nl": "Locatie", "en": "Location"},
    "summary.checksum": {"nl": "Controlegetal invoer", "en": "Input checksum"},
    "summary.api": {"nl": "API", "en": "API"},
    "summary.source_version": {"nl": "Versie bron", "en": "Source version"},
    "summary.built_at": {"nl": "Gebouwd op", "en": "Built on"},
    "summary.vintage": {"nl": "Gegevensversie", "en": "Data vintage"},
    "summary.vintage_dates": {
        "nl": "{n} brontabellen, bijgewerkt door het CBS tussen {first} en {last}",
        "en": "{n} source tables, updated by CBS between {first} and {last}",
    },
    "summary.vintage_date": {
        "nl": "{n} brontabellen, bijgewerkt door het CBS op {last}",
        "en": "{n} source tables, updated by CBS on {last}",
    },
    "summary.vintage_other": {
        "nl": "{n} brontabellen; de versie per tabel staat bij ‘Brontabellen en versies’",
        "en": "{n} source tables; the version of each is under ‘Source tables and versions’",
    },
    "summary.catalog_hash": {"nl": "Catalogushash", "en": "Catalogue hash"},
    "summary.catalog_same": {"nl": "(gelijk aan de huidige catalogus)", "en": "(matches the current catalogue)"},
    "summary.catalog_changed": {
        "nl": "(de catalogus is sindsdien gewijzigd; bouw opnieuw met python -m welfare build)",
        "en": "(the catalogue has changed since; rebuild with python -m welfare build)",
    },
    "summary.stale": {"nl": "Verouderde tabellen", "en": "Stale tables"},
    "summary.stale_item": {
        "nl": "{table}: vernieuwen mislukt op {when}, de vorige gegevens (versie {version}) zijn behouden",
        "en": "{table}: refresh failed on {when}, the previous data (version {version}) were kept",
    },
    "summary.schema_version": {"nl": "Schemaversie", "en": "Schema version"},
    "summary.package_version": {"nl": "Versie regiowelvaart", "en": "regiowelvaart version"},
    "summary.build_id": {"nl": "Build-id", "en": "Build id"},
    # column headers
    "col.indicator_id": {"nl": "ID", "en": "ID"},
    "col.label": {"nl": "Indicator", "en": "Indicator"},
    "col.theme": {"nl": "Thema", "en": "Theme"},
    "col.levels": {"nl": "Niveaus", "en": "Levels"},
    "col.years": {"nl": "Jaren", "en": "Years"},
    "col.last_year": {"nl": "Nieuwste jaar", "en": "Newest year"},
    "col.gemeenten": {"nl": "Gemeenten", "en": "Municipalities"},
    "col.gemeenten_help": {
        "nl": "Aantal gemeenten met een cijfer in het nieuwste jaar op gemeenteniveau; — = geen gemeentecijfers.",
        "en": "Number of municipalities with a figure in the newest municipal year; — = no municipal figures.",
    },
    "col.regions": {"nl": "Niveaus: regio's met waarde", "en": "Levels: regions with a value"},
    "col.regions_help": {
        "nl": "Per niveau het aantal regio's met een cijfer in het nieuwste jaar; een ander jaar staat tussen haakjes.",
        "en": "Per level, the number of regions with a figure in the newest year; a different year is shown in brackets.",
    },
    "col.source_tables": {"nl": "Brontabellen", "en": "Source tables"},
    "col.table_id": {"nl": "Tabel", "en": "Table"},
    "col.version": {"nl": "Versie", "en": "Version"},
    "col.rows": {"nl": "Rijen", "en": "Rows"},
    "col.n_warnings": {"nl": "Waarschuwingen", "en": "Warnings"},
    "col.api": {"nl": "API", "en": "API"},
    "col.stale": {"nl": "Verouderd", "en": "Stale"},
}


def _merge_page_messages() -> None:
    """Add the pages' messages (``welfare.texts``); a key may be defined once."""
    from welfare.texts import page_messages

    for key, entry in page_messages().items():
        if key in MESSAGES:
            raise ValueError(f"message key {key!r} is defined in welfare.i18n and in welfare.texts")
        MESSAGES[key] = entry


_merge_page_messages()

_SAFE_VALUE = re.compile(r"[^A-Za-z0-9_.\-]")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~$]|:(?=[A-Za-z/]))")


class _KeepMissing(dict):
    """format_map helper: an unknown field stays visible as ``{name}``."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def t(key: str, lang: str, **fmt: Any) -> str:
    """Return the message ``key`` in ``lang``, with ``fmt`` filled in.

    Never raises: an unknown language falls back to Dutch, an unknown key
    returns the key itself (and logs a warning), and a template field missing
    from ``fmt`` stays visible as ``{field}``.

    Parameters
    ----------
    key : str
        Message key, e.g. ``"status.title"``.
    lang : str
        ``"nl"`` or ``"en"``; anything else gives Dutch.
    **fmt
        Values for the template's ``{fields}``.

    Returns
    -------
    str
        The message.

    Examples
    --------
    >>> t("status.title", "en")
    'Data status'
    >>> t("status.title", "fr")
    'Status van de gegevens'
    >>> t("build.step", "nl", step=2, total=9, table="86088NED", message="klaar")
    'Stap 2 van 9: 86088NED — klaar'
    """
    entry = MESSAGES.get(key)
    if entry is None:
        _LOG.warning("i18n: unknown message key %r", key)
        return key
    template = entry.get(lang) or entry.get(DEFAULT_LANG) or next(iter(entry.values()), key)
    if not fmt:
        return template
    try:
        return template.format_map(_KeepMissing(fmt))
    except (ValueError, IndexError, AttributeError):  # malformed template: show it unfilled
        _LOG.warning("i18n: cannot format %r (%s) with %r", key, lang, fmt)
        return template


def resolve_lang(raw: object) -> tuple[str, str | None]:
    """Turn a ``lang`` query-string value into a language and a rejected value.

    Parameters
    ----------
    raw : object
        What the URL holds: ``None`` or ``""`` (absent), a string, or a list of
        strings (a repeated parameter; the last one counts, as in Streamlit).

    Returns
    -------
    tuple[str, str | None]
        The language to use (``"nl"`` or ``"en"``) and, when ``raw`` was present
        but not a known language, a short, display-safe copy of it (letters,
        digits, ``._-``; at most 16 characters) for the notice; else ``None``.

    Examples
    --------
    >>> resolve_lang(None), resolve_lang(""), resolve_lang("en"), resolve_lang(["nl", "en"])
    (('nl', None), ('nl', None), ('en', None), ('en', None))
    >>> resolve_lang("xx"), resolve_lang("<b>EN</b>")
    (('nl', 'xx'), ('nl', 'bEN_b'))
    """
    if isinstance(raw, (list, tuple)):
        raw = raw[-1] if raw else None
    if raw is None or str(raw).strip() == "":
        return DEFAULT_LANG, None
    value = str(raw)
    if value in LANGS:
        return value, None
    shown = _SAFE_VALUE.sub("", value.replace("/", "_"))[:16] or "?"
    return DEFAULT_LANG, shown


def md_escape(text: object) -> str:
    r"""Escape text that comes from data or errors before it goes into markdown.

    Streamlit renders ``st.error``, ``st.info``, ``st.markdown`` and captions as
    markdown (with ``$…$`` as LaTeX and ``:name[…]``/``:name:`` directives), so a
    column like ``Tevreden_8`` or a path could otherwise change the formatting.
    A colon is escaped only where it could start a directive (before a letter).

    Examples
    --------
    >>> print(md_escape("no column 'Afstand_<n>' in $DATA*"))
    no column 'Afstand\_\<n\>' in \$DATA\*
    >>> print(md_escape("table 86088NED: see :red[x]"))
    table 86088NED: see \:red\[x\]
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))
