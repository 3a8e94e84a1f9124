"""The indicator catalogue: which CBS table and column gives each indicator.

The catalogue is data (``welfare/indicators.toml``); this module loads and
validates it. Every error names the indicator and the field.

>>> cat = load_catalog()
>>> cat.indicators["wrk_unemployment"].label("en")
'Unemployment rate'
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from welfare.errors import CatalogError
from welfare.sources.base import MeasureRef, TableRequest
from welfare.sources.cbs_odata4 import MeasureHint
from welfare.types import AGGREGATION_RULES, HARMONISATION_WEIGHTS, LEVELS

CATALOG_PATH = Path(__file__).with_name("indicators.toml")
GEMEENTE_COVERAGES = ("all", "large", "none")
RMBW_MATCHES = ("exact", "approximate", "none")
THEME_DIMENSIONS = ("hier_en_nu", "later", "context")


@dataclass(frozen=True)
class Term:
    """A measure in a ratio, with its sign: ``-TotaalBinnenwater`` subtracts."""

    measure: MeasureRef
    sign: int = 1


@dataclass(frozen=True)
class SourceSpec:
    """Where one indicator comes from in one table."""

    table: str
    column: MeasureRef | None = None
    numerator: tuple[Term, ...] = ()  # without a denominator: a signed sum of columns
    denominator: tuple[Term, ...] = ()
    scale: float = 1.0
    filters: dict[str, str] = field(default_factory=dict)
    year: int | None = None  # for tables without a Perioden dimension
    boundary: int | None = None  # None = the indeling of each report year
    # Ratio terms whose empty cell means "none" (CBS leaves nil cells empty, e.g. no sea water).
    zero_if_missing: tuple[str, ...] = ()

    @property
    def measures(self) -> tuple[MeasureRef, ...]:
        """Every measure this source needs, in a stable order."""
        refs = [self.column] if self.column else []
        refs += [t.measure for t in self.numerator + self.denominator]
        return tuple(dict.fromkeys(r for r in refs if r is not None))

    def describe(self) -> str:
        """The source as a line: '86088NED NettoArbeidsparticipatie (Persoonskenmerken=Totaal personen)'."""
        if self.column:
            what = str(self.column)
        else:
            num = " + ".join(_term_text(t) for t in self.numerator)
            den = " + ".join(_term_text(t) for t in self.denominator)
            what = f"({num}) / ({den})" if den else num
        filt = ", ".join(f"{k}={v}" for k, v in self.filters.items())
        return f"{self.table} {what}" + (f" ({filt})" if filt else "")


def _term_text(term: Term) -> str:
    return ("-" if term.sign < 0 else "") + str(term.measure)


@dataclass(frozen=True)
class Indicator:
    """One brede-welvaart indicator and its sources."""

    id: str
    theme: str
    labels: dict[str, str]
    units: dict[str, str]
    direction: int
    levels: tuple[str, ...]
    gemeente_coverage: str
    aggregation: str
    harmonisation_weight: str
    licence: str
    sources: tuple[SourceSpec, ...]
    also_themes: tuple[str, ...] = ()
    rmbw_label: str | None = None
    rmbw_match: str = "none"
    note: str = ""

    def label(self, lang: str = "nl") -> str:
        """The indicator's name in ``lang`` (Dutch when unknown)."""
        return self.labels.get(lang, self.labels["nl"])

    def unit(self, lang: str = "nl") -> str:
        """The unit in ``lang`` (Dutch when unknown)."""
        return self.units.get(lang, self.units["nl"])

    @property
    def tables(self) -> tuple[str, ...]:
        """The source tables, in priority order."""
        return tuple(dict.fromkeys(s.table for s in self.sources))


@dataclass(frozen=True)
class Catalog:
    """The whole catalogue: themes and indicators, and a hash of the file."""

    themes: dict[str, dict[str, str]]
    indicators: dict[str, Indicator]
    hash: str
    # OData4 measure hints: table id (upper case) → measure ("stem" or "stem#n") → code/title/unit.
    odata4: dict[str, dict[str, MeasureHint]] = field(default_factory=dict)

    def theme_label(self, theme: str, lang: str = "nl") -> str:
        """The theme's name in ``lang``."""
        t = self.themes[theme]
        return t.get(lang, t["nl"])

    def requests(self) -> list[TableRequest]:
        """One request per (table, filters), merging the measures of all indicators.

        The build fetches each table once per filter combination, in a stable order.
        """
        merged: dict[tuple[str, tuple[tuple[str, str], ...]], list[MeasureRef]] = {}
        for ind in self.indicators.values():
            for src in ind.sources:
                key = (src.table, tuple(sorted(src.filters.items())))
                refs = merged.setdefault(key, [])
                refs.extend(m for m in src.measures if m not in refs)
        return [
            TableRequest(table_id=t, measures=tuple(refs), filters=dict(f))
            for (t, f), refs in merged.items()
        ]


def _need(entry: dict[str, Any], key: str, where: str, kind: type | tuple[type, ...]) -> Any:
    if key not in entry:
        raise CatalogError(f"{where}: field '{key}' is missing")
    value = entry[key]
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise CatalogError(f"{where}: field '{key}' must be {kind}, got {value!r}")
    return value


def _choice(entry: dict[str, Any], key: str, where: str, choices: tuple[Any, ...]) -> Any:
    value = entry.get(key)
    if value not in choices:
        raise CatalogError(f"{where}: field '{key}' must be one of {list(choices)}, got {value!r}")
    return value


def _terms(raw: list[Any], where: str) -> tuple[Term, ...]:
    terms = []
    for item in raw:
        if not isinstance(item, str) or not item.strip("-"):
            raise CatalogError(f"{where}: ratio terms must be column stems, got {item!r}")
        sign = -1 if item.startswith("-") else 1
        terms.append(Term(MeasureRef(item.lstrip("-")), sign))
    return tuple(terms)


def _source(raw: dict[str, Any], where: str) -> SourceSpec:
    table = _need(raw, "table", where, str)
    where = f"{where} (table {table})"
    column = raw.get("column")
    numerator, denominator = raw.get("numerator"), raw.get("denominator")
    if (column is None) == (numerator is None):
        raise CatalogError(f"{where}: give either 'column' or 'numerator'/'denominator'")
    if denominator is not None and not numerator:
        raise CatalogError(f"{where}: 'denominator' needs a 'numerator'")
    filters = raw.get("filters", {})
    if not isinstance(filters, dict) or not all(isinstance(v, str) for v in filters.values()):
        raise CatalogError(f"{where}: 'filters' must map dimension names to titles")
    for key in ("year", "boundary"):
        if key in raw and not (isinstance(raw[key], int) and 1990 <= raw[key] <= 2100):
            raise CatalogError(f"{where}: '{key}' must be a year, got {raw[key]!r}")
    stems = {t.lstrip("-") for t in (numerator or []) + (denominator or [])}
    if not set(raw.get("zero_if_missing", ())) <= stems:
        raise CatalogError(f"{where}: 'zero_if_missing' may only name ratio terms")
    occurrence = raw.get("occurrence", 1)
    if not isinstance(occurrence, int) or occurrence < 1:
        raise CatalogError(f"{where}: 'occurrence' must be a positive whole number")
    unknown = set(raw) - {"table", "column", "occurrence", "numerator", "denominator", "scale", "filters", "year", "boundary", "zero_if_missing"}
    if unknown:
        raise CatalogError(f"{where}: unknown field(s) {sorted(unknown)}")
    return SourceSpec(
        table=table,
        column=MeasureRef(column, occurrence) if column else None,
        numerator=_terms(numerator or [], where),
        denominator=_terms(denominator or [], where),
        scale=float(raw.get("scale", 1.0)),
        filters=dict(filters),
        year=raw.get("year"),
        boundary=raw.get("boundary"),
        zero_if_missing=tuple(raw.get("zero_if_missing", ())),
    )


def parse_catalog(text: str) -> Catalog:
    """Parse and validate catalogue TOML text; raise CatalogError naming entry and field."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"indicator catalogue is not valid TOML: {exc}") from exc
    themes = data.get("themes") or {}
    for tid, t in themes.items():
        if not isinstance(t, dict) or not t.get("nl") or not t.get("en"):
            raise CatalogError(f"theme '{tid}': needs 'nl' and 'en' labels")
        _choice(t, "dimension", f"theme '{tid}'", THEME_DIMENSIONS)
    indicators: dict[str, Indicator] = {}
    for n, raw in enumerate(data.get("indicator") or [], start=1):
        where = f"indicator #{n}"
        iid = _need(raw, "id", where, str)
        where = f"indicator '{iid}'"
        if iid in indicators:
            raise CatalogError(f"{where}: duplicate id")
        theme = _choice(raw, "theme", where, tuple(themes))
        also = tuple(raw.get("also_themes", []))
        for extra in also:
            if extra not in themes:
                raise CatalogError(f"{where}: also_themes names unknown theme {extra!r}")
        levels = tuple(_need(raw, "levels", where, list))
        bad = [lv for lv in levels if lv not in LEVELS]
        if not levels or bad:
            raise CatalogError(f"{where}: field 'levels' must be a non-empty list of {list(LEVELS)}, got {list(levels)}")
        sources = raw.get("source") or []
        if not sources:
            raise CatalogError(f"{where}: needs at least one [[indicator.source]]")
        indicators[iid] = Indicator(
            id=iid,
            theme=theme,
            labels={"nl": _need(raw, "label_nl", where, str), "en": _need(raw, "label_en", where, str)},
            units={"nl": _need(raw, "unit_nl", where, str), "en": _need(raw, "unit_en", where, str)},
            direction=_choice(raw, "direction", where, (-1, 0, 1)),
            levels=levels,
            gemeente_coverage=_choice(raw, "gemeente_coverage", where, GEMEENTE_COVERAGES),
            aggregation=_choice(raw, "aggregation", where, AGGREGATION_RULES),
            harmonisation_weight=_choice(raw, "harmonisation_weight", where, HARMONISATION_WEIGHTS),
            licence=_need(raw, "licence", where, str),
            sources=tuple(_source(s, f"{where}, source #{i}") for i, s in enumerate(sources, 1)),
            also_themes=also,
            rmbw_label=raw.get("rmbw_label"),
            rmbw_match=_choice(raw, "rmbw_match", where, RMBW_MATCHES),
            note=raw.get("note", ""),
        )
    if not indicators:
        raise CatalogError("indicator catalogue has no [[indicator]] entries")
    odata4 = _odata4_hints(data.get("odata4", {}), indicators)
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    return Catalog(themes=themes, indicators=indicators, hash=digest, odata4=odata4)


def _odata4_hints(raw: Any, indicators: dict[str, Indicator]) -> dict[str, dict[str, MeasureHint]]:
    """The ``[odata4]`` section: per table, per measure a code, or a title and unit.

    Each table must be a source table of some indicator, and each measure one
    of that table's catalogue measures (``stem``, or ``stem#n`` for the n-th
    column with that stem).
    """
    if not isinstance(raw, dict):
        raise CatalogError("[odata4]: must be a table of source tables")
    measures: dict[str, set[str]] = {}
    for ind in indicators.values():
        for src in ind.sources:
            measures.setdefault(src.table.upper(), set()).update(str(m) for m in src.measures)
    out: dict[str, dict[str, MeasureHint]] = {}
    for table, entries in raw.items():
        where = f"[odata4.{table}]"
        if table.upper() not in measures:
            raise CatalogError(f"{where}: no indicator uses table {table}")
        if not isinstance(entries, dict):
            raise CatalogError(f"{where}: must map measure stems to a code or {{ code, title, unit }}")
        hints: dict[str, MeasureHint] = {}
        for stem, value in entries.items():
            here = f"{where} {stem}"
            if stem not in measures[table.upper()]:
                known = ", ".join(sorted(measures[table.upper()]))
                raise CatalogError(f"{here}: not a catalogue measure of table {table} (measures: {known})")
            if isinstance(value, str) and value.strip():
                hints[stem] = MeasureHint(code=value.strip())
                continue
            if not isinstance(value, dict) or not value:
                raise CatalogError(f"{here}: give a code (\"M001234\") or {{ code, title, unit }}")
            unknown = set(value) - {"code", "title", "unit"}
            if unknown:
                raise CatalogError(f"{here}: unknown field(s) {sorted(unknown)}")
            bad = [k for k, v in value.items() if not isinstance(v, str) or not v.strip()]
            if bad:
                raise CatalogError(f"{here}: field(s) {sorted(bad)} must be non-empty text")
            hints[stem] = MeasureHint(code=value.get("code"), title=value.get("title"), unit=value.get("unit"))
        out[table.upper()] = hints
    return out


@lru_cache(maxsize=4)
def load_catalog(path: Path = CATALOG_PATH) -> Catalog:
    """Load the catalogue file (cached per path)."""
    return parse_catalog(Path(path).read_text(encoding="utf-8"))
