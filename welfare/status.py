"""What the status page shows, as data: the warehouse's source, vintage and coverage.

Everything here is a pure function of ``manifest.json`` (see ``welfare.warehouse``)
and the indicator catalogue; the page only draws the results. Missing manifest
keys never raise: what is unknown comes back as missing (``None``/``<NA>``, or
:data:`MISSING` in text), never as 0.

Example manifest fragment (the keys these functions read)::

    {"built_at": "2025-04-02T09:15:00+00:00", "schema_version": 1,
     "catalog_hash": "3f9a0c1b2d4e", "package_version": "0.1.0", "build_id": "…",
     "source": {"kind": "folder", "label": "…", "location": "/data/cbs", "checksum": "…"},
     "tables": {"86088NED": {"rows": 1234, "version": "2025-03-14", "warnings": [],
                             "api": "odata-v4"},
                "85563NED": {"rows": 1164, "version": "2025-03-01", "api": "odata-v4",
                             "stale": {"since": "2025-06-01T09:00:00+00:00", "reason": "…",
                                       "cbs_version": "2025-05-30"}}},
     "coverage": [{"indicator_id": "wrk_unemployment", "level": "GM", "first_year": 2013,
                   "last_year": 2024, "regions_last_year": 342, "source_tables": ["86088NED"]}],
     "warnings": ["…"]}
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any, Protocol

import pandas as pd

from welfare.i18n import md_escape, t
from welfare.types import LEVELS

MISSING = "—"
"""How missing values are shown in text and tables."""

COVERAGE_COLUMNS: tuple[str, ...] = (
    "indicator_id",
    "label",
    "theme",
    "levels",
    "years",
    "last_year",
    "gemeenten",
    "regions",
    "source_tables",
)
"""Columns of :func:`coverage_frame`; the header of column ``c`` is ``t(f"col.{c}", lang)``."""

TABLE_COLUMNS: tuple[str, ...] = ("table_id", "version", "rows", "n_warnings", "api", "stale")
"""Columns of :func:`tables_frame`; the header of column ``c`` is ``t(f"col.{c}", lang)``."""

# Finest first, so "GM · CR · PV" reads from small to large areas.
LEVEL_ORDER: tuple[str, ...] = ("GM", "AM", "CR", "PV", "LD", "NL")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_HEX = re.compile(r"^(sha256:)?[0-9a-f]{20,}$", re.IGNORECASE)


class IndicatorLike(Protocol):
    """What the status functions need from a catalogue indicator."""

    id: str
    theme: str

    def label(self, lang: str = "nl") -> str: ...


class CatalogLike(Protocol):
    """What the status functions need from ``welfare.catalog.Catalog``."""

    themes: Mapping[str, Mapping[str, str]]
    indicators: Mapping[str, IndicatorLike]
    hash: str


def load_catalog_safely() -> tuple[CatalogLike | None, str | None]:
    """Load the indicator catalogue, or say why not.

    Returns
    -------
    tuple[CatalogLike | None, str | None]
        ``(catalog, None)`` on success, ``(None, message)`` when the catalogue
        is missing or invalid; the status page still works without it.
    """
    try:
        from welfare.catalog import load_catalog
    except ImportError as exc:  # the module is not there (yet)
        return None, str(exc)
    try:
        return load_catalog(), None
    except Exception as exc:  # CatalogError, OSError: the page shows the message
        return None, str(exc)


def _level_key(level: str) -> tuple[int, str]:
    order = LEVEL_ORDER + tuple(lv for lv in LEVELS if lv not in LEVEL_ORDER)
    return (order.index(level), level) if level in order else (len(order), level)


def _int_or_none(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        if pd.isna(value):
            return None
        return int(value)
    except (TypeError, ValueError):
        return None


def _theme_label(catalog: CatalogLike, theme: str, lang: str) -> str:
    names = catalog.themes.get(theme) or {}
    return names.get(lang) or names.get("nl") or theme


def coverage_records(manifest: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Return the manifest's coverage entries, cleaned, skipping malformed ones.

    Parameters
    ----------
    manifest : Mapping
        The warehouse manifest.

    Returns
    -------
    list[dict]
        One dict per (indicator, level) with ``indicator_id``, ``level``,
        ``first_year``, ``last_year``, ``regions_last_year`` (int or None) and
        ``source_tables`` (list of str).

    Examples
    --------
    >>> coverage_records({"coverage": [{"indicator_id": "a", "level": "GM", "last_year": "2023"}, "junk"]})
    [{'indicator_id': 'a', 'level': 'GM', 'first_year': None, 'last_year': 2023, 'regions_last_year': None, 'source_tables': []}]
    """
    out = []
    for entry in manifest.get("coverage") or []:
        if not isinstance(entry, Mapping) or not entry.get("indicator_id"):
            continue
        tables = entry.get("source_tables") or []
        if isinstance(tables, str):
            tables = [tables]
        out.append(
            {
                "indicator_id": str(entry["indicator_id"]),
                "level": str(entry.get("level") or "?"),
                "first_year": _int_or_none(entry.get("first_year")),
                "last_year": _int_or_none(entry.get("last_year")),
                "regions_last_year": _int_or_none(entry.get("regions_last_year")),
                "source_tables": [str(x) for x in tables],
            }
        )
    return out


def coverage_from_observations(observations: pd.DataFrame) -> list[dict[str, Any]]:
    """Compute coverage entries (as in the manifest) from the observations frame.

    Used when a manifest has no ``coverage`` key. A region counts when its
    ``value`` is not missing.

    Parameters
    ----------
    observations : pandas.DataFrame
        Columns ``indicator_id, region_code, level, year, value, source_table``.

    Returns
    -------
    list[dict]
        Same shape as :func:`coverage_records`.

    Examples
    --------
    >>> obs = pd.DataFrame({"indicator_id": ["a"] * 4, "region_code": ["GM1", "GM2", "GM1", "GM2"],
    ...     "level": ["GM"] * 4, "year": [2022, 2022, 2023, 2023], "value": [1.0, 2.0, 3.0, None],
    ...     "source_table": ["T1"] * 4})
    >>> coverage_from_observations(obs)
    [{'indicator_id': 'a', 'level': 'GM', 'first_year': 2022, 'last_year': 2023, 'regions_last_year': 1, 'source_tables': ['T1']}]
    """
    present = observations[observations["value"].notna()]
    out = []
    for (ind, level), grp in present.groupby(["indicator_id", "level"], sort=True):
        last = int(grp["year"].max())
        out.append(
            {
                "indicator_id": str(ind),
                "level": str(level),
                "first_year": int(grp["year"].min()),
                "last_year": last,
                "regions_last_year": int(grp.loc[grp["year"] == last, "region_code"].nunique()),
                "source_tables": sorted(grp["source_table"].dropna().astype(str).unique().tolist()),
            }
        )
    return out


def _years_text(first: int | None, last: int | None) -> str | None:
    if first is None and last is None:
        return None
    if first is None or last is None or first == last:
        return str(last if last is not None else first)
    return f"{first}–{last}"


def coverage_frame(
    manifest: Mapping[str, Any],
    lang: str,
    catalog: CatalogLike | None = None,
    records: list[dict[str, Any]] | None = None,
) -> pd.DataFrame:
    """One row per indicator: labels, levels, years and regions with a value.

    Indicators in the catalogue without any data get a row with missing values,
    so a gap is visible; indicators in the warehouse but not in the catalogue
    are listed after the catalogue ones, with their id as label.

    Parameters
    ----------
    manifest : Mapping
        The warehouse manifest (its ``coverage`` list is read).
    lang : str
        ``"nl"`` or ``"en"`` for labels and theme names.
    catalog : CatalogLike, optional
        The indicator catalogue (labels, themes, order). Without it, only the
        indicators in the manifest are listed, labelled by id.
    records : list of dict, optional
        Coverage entries to use instead of the manifest's (e.g. from
        :func:`coverage_from_observations`).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COVERAGE_COLUMNS`: ``indicator_id``, ``label``, ``theme``,
        ``levels`` ("GM · CR · PV"), ``years`` ("2013–2024"), ``last_year``
        (Int64, newest year over all levels), ``gemeenten`` (Int64, gemeenten
        with a value in the newest GM year; <NA> without GM data), ``regions``
        ("GM 342 · PV 12 (2022)": per level the count in that level's newest
        year, with the year when it differs from ``last_year``) and
        ``source_tables``. Missing is None/<NA> (never 0 or ""); a count
        that is unknown inside ``regions`` shows as :data:`MISSING`.

    Examples
    --------
    >>> m = {"coverage": [
    ...     {"indicator_id": "wrk_unemployment", "level": "GM", "first_year": 2013, "last_year": 2024,
    ...      "regions_last_year": 342, "source_tables": ["86088NED"]},
    ...     {"indicator_id": "wrk_unemployment", "level": "PV", "first_year": 2013, "last_year": 2023,
    ...      "regions_last_year": 12, "source_tables": ["86088NED"]}]}
    >>> row = coverage_frame(m, "en").iloc[0]
    >>> row["levels"], row["years"], int(row["last_year"]), int(row["gemeenten"]), row["regions"]
    ('GM · PV', '2013–2024', 2024, 342, 'GM 342 · PV 12 (2023)')
    >>> row["theme"] is None  # no catalogue given: theme unknown, shown as missing
    True
    """
    if records is None:
        records = coverage_records(manifest)
    by_indicator: dict[str, list[dict[str, Any]]] = {}
    for rec in records:
        by_indicator.setdefault(rec["indicator_id"], []).append(rec)

    ids: list[str] = list(catalog.indicators) if catalog is not None else []
    ids += [i for i in by_indicator if i not in ids]

    rows = []
    for iid in ids:
        recs = sorted(by_indicator.get(iid, []), key=lambda r: _level_key(r["level"]))
        ind = catalog.indicators.get(iid) if catalog is not None else None
        label = ind.label(lang) if ind is not None else iid
        theme = _theme_label(catalog, ind.theme, lang) if ind is not None and catalog is not None else None
        firsts = [r["first_year"] for r in recs if r["first_year"] is not None]
        lasts = [r["last_year"] for r in recs if r["last_year"] is not None]
        last_year = max(lasts) if lasts else None
        gm = next((r for r in recs if r["level"] == "GM"), None)
        parts = []
        for r in recs:
            n = r["regions_last_year"]
            text = f"{r['level']} {n if n is not None else MISSING}"
            if r["last_year"] is not None and r["last_year"] != last_year:
                text += f" ({r['last_year']})"
            parts.append(text)
        tables = sorted({tb for r in recs for tb in r["source_tables"]}, key=str.lower)
        rows.append(
            {
                "indicator_id": iid,
                "label": label,
                "theme": theme,
                "levels": " · ".join(dict.fromkeys(r["level"] for r in recs)) or None,
                "years": _years_text(min(firsts) if firsts else None, last_year),
                "last_year": last_year,
                "gemeenten": gm["regions_last_year"] if gm is not None else None,
                "regions": " · ".join(parts) or None,
                "source_tables": ", ".join(tables) or None,
            }
        )
    frame = pd.DataFrame(rows, columns=list(COVERAGE_COLUMNS))
    for col in ("last_year", "gemeenten"):
        frame[col] = pd.array(frame[col].tolist(), dtype="Int64")
    return frame


def indicators_with_data(frame: pd.DataFrame) -> int:
    """Number of rows of a :func:`coverage_frame` that have any year of data.

    Examples
    --------
    >>> indicators_with_data(coverage_frame({"coverage": [{"indicator_id": "a", "last_year": 2020}]}, "nl"))
    1
    """
    return int(frame["last_year"].notna().sum())


def table_ids(manifest: Mapping[str, Any]) -> list[str]:
    """The source tables of the build, sorted; from ``tables`` or else ``coverage``.

    Examples
    --------
    >>> table_ids({"tables": {"86088NED": {}, "80305ned": {}}})
    ['80305ned', '86088NED']
    """
    tables = manifest.get("tables")
    if isinstance(tables, Mapping) and tables:
        ids: Iterable[str] = tables.keys()
    else:
        ids = (tb for r in coverage_records(manifest) for tb in r["source_tables"])
    return sorted(set(map(str, ids)), key=str.lower)


def tables_frame(manifest: Mapping[str, Any]) -> pd.DataFrame:
    """One row per source table: id, version (the data vintage), rows, warnings, API, stale.

    ``api`` is the CBS API that served the table (``odata-v4``/``odata-v3``;
    None for a CSV folder); ``stale`` is True when a ``build --refresh`` could
    not fetch the table's newer version and kept its previous data.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`TABLE_COLUMNS`; ``rows`` and ``n_warnings`` are Int64,
        missing stays <NA>; ``version`` and ``api`` are None when unknown.

    Examples
    --------
    >>> tables_frame({"tables": {"86088NED": {"rows": 10, "version": "2025-03-14"}}}).to_dict("records")
    [{'table_id': '86088NED', 'version': '2025-03-14', 'rows': 10, 'n_warnings': 0, 'api': None, 'stale': False}]
    >>> tables_frame({"tables": {"T": {"api": "odata-v4", "stale": {"reason": "HTTP 500"}}}})[["api", "stale"]].to_dict("records")
    [{'api': 'odata-v4', 'stale': True}]
    """
    tables = manifest.get("tables") if isinstance(manifest.get("tables"), Mapping) else {}
    rows = []
    for tid in table_ids(manifest):
        info = tables.get(tid) if isinstance(tables.get(tid), Mapping) else {}
        warnings = info.get("warnings")
        version = info.get("version")
        rows.append(
            {
                "table_id": tid,
                "version": str(version) if version not in (None, "") else None,
                "rows": _int_or_none(info.get("rows")),
                "n_warnings": len(warnings) if isinstance(warnings, list) else (0 if info else None),
                "api": str(info["api"]) if info.get("api") else None,
                "stale": bool(info.get("stale")),
            }
        )
    frame = pd.DataFrame(rows, columns=list(TABLE_COLUMNS))
    frame["version"] = frame["version"].astype(object)
    frame["api"] = frame["api"].astype(object)
    frame["stale"] = frame["stale"].astype(bool)
    for col in ("rows", "n_warnings"):
        frame[col] = pd.array(frame[col].tolist(), dtype="Int64")
    return frame


def stale_tables(manifest: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The tables a ``build --refresh`` could not fetch anew: their previous data were kept.

    Each: ``table_id``, ``version`` (of the data kept), ``cbs_version`` (the
    newer one CBS has, when known), ``since`` (when the refresh failed) and
    ``reason``; sorted by table id.

    Examples
    --------
    >>> stale_tables({"tables": {"T": {"version": "2025-01-01", "stale": {"since": "2025-06-01", "reason": "HTTP 500"}},
    ...                          "U": {"version": "2025-01-01"}}})
    [{'table_id': 'T', 'version': '2025-01-01', 'cbs_version': None, 'since': '2025-06-01', 'reason': 'HTTP 500'}]
    """
    tables = manifest.get("tables") if isinstance(manifest.get("tables"), Mapping) else {}
    out = []
    for tid in sorted(tables, key=str.lower):
        info = tables[tid] if isinstance(tables[tid], Mapping) else {}
        stale = info.get("stale")
        if not stale:
            continue
        facts = stale if isinstance(stale, Mapping) else {}
        out.append(
            {
                "table_id": str(tid),
                "version": str(info["version"]) if info.get("version") else None,
                "cbs_version": str(facts["cbs_version"]) if facts.get("cbs_version") else None,
                "since": str(facts["since"]) if facts.get("since") else None,
                "reason": str(facts["reason"]) if facts.get("reason") else None,
            }
        )
    return out


def stale_banner(manifest: Mapping[str, Any], lang: str) -> str | None:
    """Markdown for the warning on top of the status page when tables are stale; None when none is.

    One line per table from :func:`stale_tables`: which version was kept, the
    newer one CBS has (when known), since when the refresh fails and why. The
    reason (text from a server) is escaped for Markdown.

    Examples
    --------
    >>> print(stale_banner({"tables": {"T": {"version": "2025-01-01", "stale": {
    ...     "since": "2025-06-01T09:00:00+00:00", "reason": "HTTP 500", "cbs_version": "2025-05-30"}}}}, "en"))
    **Stale data:** in the last refresh (`build --refresh`) CBS could not deliver 1 source table(s). Their previous data were kept:
    - T: version 2025-01-01 kept (CBS has version 2025-05-30); failing since 2025-06-01 — HTTP 500
    <BLANKLINE>
    Try again later with `python -m welfare build --refresh`.
    >>> stale_banner({"tables": {"T": {"version": "2025-01-01"}}}, "nl") is None
    True
    """
    stale = stale_tables(manifest)
    if not stale:
        return None
    items = []
    for s in stale:
        newer = t("status.stale_banner_newer", lang, cbs_version=md_escape(s["cbs_version"])) if s["cbs_version"] else ""
        items.append(
            "- "
            + t(
                "status.stale_banner_item",
                lang,
                table=md_escape(s["table_id"]),
                version=md_escape(s["version"] or MISSING),
                newer=newer,
                since=format_built_at(s["since"], lang, date_only=True),
                reason=md_escape(s["reason"] or MISSING),
            )
        )
    return "\n".join([t("status.stale_banner", lang, n=len(stale)), *items, "", t("status.stale_banner_hint", lang)])


def build_warnings(manifest: Mapping[str, Any]) -> list[str]:
    """All build warnings: the manifest's own, then each table's not already listed.

    A table warning that does not name its table gets the table id in front.
    Duplicates are dropped, order is kept.

    Examples
    --------
    >>> build_warnings({"warnings": ["a", "table T2: c"],
    ...                 "tables": {"T1": {"warnings": ["b", "b"]}, "T2": {"warnings": ["table T2: c"]}}})
    ['a', 'table T2: c', 'T1: b']
    """
    out = [str(w) for w in manifest.get("warnings") or []]
    seen = set(out)
    tables = manifest.get("tables")
    if isinstance(tables, Mapping):
        for tid in sorted(tables, key=str.lower):
            info = tables[tid]
            for w in (info.get("warnings") if isinstance(info, Mapping) else None) or []:
                w = str(w)
                if w not in seen:  # builds often repeat table warnings in the top-level list
                    out.append(w if str(tid) in w else f"{tid}: {w}")
                    seen.add(w)
    return list(dict.fromkeys(out))


def format_built_at(value: Any, lang: str, date_only: bool = False) -> str:
    """Show an ISO 8601 build time in Dutch time, as "dd-mm-jjjj hh:mm".

    Parameters
    ----------
    value : Any
        ``manifest["built_at"]``: ISO 8601, with a zone (naive means UTC).
    lang : str
        ``"nl"`` or ``"en"`` (English gets "yyyy-mm-dd hh:mm").
    date_only : bool
        Leave out the time and zone.

    Returns
    -------
    str
        The time in Europe/Amsterdam with its zone abbreviation; the raw text
        when it cannot be parsed; :data:`MISSING` when absent.

    Examples
    --------
    >>> format_built_at("2025-04-02T09:15:00Z", "nl")
    '02-04-2025 11:15 CEST'
    >>> format_built_at("2025-01-02T09:15:00+00:00", "en")
    '2025-01-02 10:15 CET'
    >>> format_built_at("2025-04-02T23:15:00Z", "nl", date_only=True)
    '03-04-2025'
    >>> format_built_at(None, "nl"), format_built_at("gisteren", "nl")
    ('—', 'gisteren')
    """
    if value in (None, ""):
        return MISSING
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    try:
        from zoneinfo import ZoneInfo

        moment = moment.astimezone(ZoneInfo("Europe/Amsterdam"))
    except Exception:  # no tz database: stay in UTC
        moment = moment.astimezone(timezone.utc)
    pattern = "%Y-%m-%d" if lang == "en" else "%d-%m-%Y"
    return moment.strftime(pattern if date_only else pattern + " %H:%M %Z")


def short_hash(value: Any, length: int = 12) -> str:
    """Shorten a long hex digest for display; other text is returned as is.

    Examples
    --------
    >>> short_hash("sha256:" + "ab" * 32), short_hash("2025-03-14"), short_hash(None)
    ('abababababab', '2025-03-14', '—')
    """
    if value in (None, ""):
        return MISSING
    text = str(value)
    if _HEX.match(text):
        return text.split(":")[-1][:length]
    return text


def _vintage(manifest: Mapping[str, Any], lang: str) -> str:
    frame = tables_frame(manifest)
    if frame.empty:
        return MISSING
    n = len(frame)
    dates = sorted(v[:10] for v in frame["version"].dropna() if _DATE.match(v))
    if dates and len(dates) == frame["version"].notna().sum():
        if dates[0] == dates[-1]:
            return t("summary.vintage_date", lang, n=n, last=dates[-1])
        return t("summary.vintage_dates", lang, n=n, first=dates[0], last=dates[-1])
    return t("summary.vintage_other", lang, n=n)


def source_kind_label(manifest: Mapping[str, Any], lang: str, short: bool = False) -> str:
    """The kind of source in words: "Map met StatLine-exports (CSV)" or "CBS OData (live)".

    ``short=True`` gives a word or two for a metric ("CSV-map", "CBS (live)").

    Examples
    --------
    >>> source_kind_label({"source": {"kind": "cbs"}}, "en"), source_kind_label({}, "nl")
    ('CBS OData (live)', '—')
    >>> source_kind_label({"source": {"kind": "folder"}}, "nl", short=True)
    'CSV-map'
    """
    source = manifest.get("source") if isinstance(manifest.get("source"), Mapping) else {}
    kind = source.get("kind")
    if kind in ("folder", "cbs"):
        return t(f"summary.source_{kind}" + ("_short" if short else ""), lang)
    return str(source.get("label") or kind or MISSING)


def source_summary(
    manifest: Mapping[str, Any], lang: str, catalog: CatalogLike | None = None
) -> list[tuple[str, str]]:
    """Label/value pairs describing the build: source, location, time, vintage, versions.

    Parameters
    ----------
    manifest : Mapping
        The warehouse manifest.
    lang : str
        ``"nl"`` or ``"en"``.
    catalog : CatalogLike, optional
        When given, the catalogue hash line says whether the current catalogue
        is the one the warehouse was built with.

    Returns
    -------
    list[tuple[str, str]]
        In display order; every value is text, :data:`MISSING` when unknown.

    Examples
    --------
    >>> rows = dict(source_summary({"source": {"kind": "folder", "location": "/data/cbs"},
    ...                             "schema_version": 1}, "en"))
    >>> rows["Source"], rows["Location"], rows["Schema version"], rows["Built on"]
    ('Folder of StatLine exports (CSV)', '/data/cbs', '1', '—')
    """
    source = manifest.get("source") if isinstance(manifest.get("source"), Mapping) else {}
    kind = source.get("kind")
    kind_text = source_kind_label(manifest, lang)  # the source's own label when the kind is unknown

    def text(value: Any) -> str:
        return MISSING if value in (None, "") else str(value)

    rows: list[tuple[str, str]] = [
        (t("summary.source", lang), kind_text),
        (t("summary.location", lang), text(source.get("location"))),
    ]
    if kind == "cbs" or "api" in source or "version" in source:
        if "api" in source:
            rows.append((t("summary.api", lang), text(source.get("api"))))
        if "version" in source:
            rows.append((t("summary.source_version", lang), text(source.get("version"))))
    if kind == "folder" or "checksum" in source:
        rows.append((t("summary.checksum", lang), short_hash(source.get("checksum"))))
    catalog_hash = short_hash(manifest.get("catalog_hash"))
    if catalog is not None and manifest.get("catalog_hash"):
        same = str(manifest["catalog_hash"]).startswith(str(catalog.hash)) or str(catalog.hash).startswith(
            str(manifest["catalog_hash"])
        )
        catalog_hash += " " + t("summary.catalog_same" if same else "summary.catalog_changed", lang)
    rows += [
        (t("summary.built_at", lang), format_built_at(manifest.get("built_at"), lang)),
        (t("summary.vintage", lang), _vintage(manifest, lang)),
    ]
    stale = stale_tables(manifest)
    if stale:
        rows.append(
            (
                t("summary.stale", lang),
                "; ".join(
                    t(
                        "summary.stale_item",
                        lang,
                        table=s["table_id"],
                        version=s["version"] or MISSING,
                        when=format_built_at(s["since"], lang, date_only=True),
                    )
                    for s in stale
                ),
            )
        )
    rows += [
        (t("summary.catalog_hash", lang), catalog_hash),
        (t("summary.schema_version", lang), text(manifest.get("schema_version"))),
        (t("summary.package_version", lang), text(manifest.get("package_version"))),
        (t("summary.build_id", lang), text(manifest.get("build_id"))),
    ]
    return rows


def source_line(manifest: Mapping[str, Any], lang: str, tables: Iterable[str] | None = None) -> str:
    """The attribution under a table: "Bron: CBS, 86088NED, 80305ned; bewerking regiowelvaart".

    Parameters
    ----------
    manifest : Mapping
        The warehouse manifest (its tables are used when ``tables`` is None).
    lang : str
        ``"nl"`` or ``"en"``.
    tables : iterable of str, optional
        The tables behind what is shown, when that is a subset.

    Examples
    --------
    >>> source_line({"tables": {"86088NED": {}, "80305ned": {}}}, "nl")
    'Bron: CBS, 80305ned, 86088NED; bewerking regiowelvaart'
    >>> source_line({}, "nl")
    'Bron: CBS; bewerking regiowelvaart'
    """
    ids = sorted(set(tables), key=str.lower) if tables is not None else table_ids(manifest)
    if not ids:
        return t("status.source_line_none", lang)
    return t("status.source_line", lang, tables=", ".join(ids))
