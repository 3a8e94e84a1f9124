"""RawTable → the warehouse's long frame, the same for every source.

Per catalogue source entry: pick the annual periods (or the fixed year of a
table without periods), turn region titles or keys into codes in the indeling of
the row's boundary year, fold the ``Marges`` dimension into value/lower/upper,
and compute the value (one column, or a ratio of summed columns). Missing and
secret cells stay NaN and are flagged ``suppressed``; they are never zero.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from welfare.catalog import Indicator, SourceSpec
from welfare.errors import DataError
from welfare.regions import RegionResolver
from welfare.sources.base import MARGIN, PERIOD_KEY, PERIOD_TITLE, REGION_KEY, REGION_TITLE, ROW, RawTable
from welfare.types import LEVELS, level_of_code

LONG_COLUMNS = [
    "indicator_id",
    "region_code",
    "level",
    "year",
    "value",
    "lower",
    "upper",
    "source_table",
    "boundary_year",
    "flags",
]
_YEAR_KEY = re.compile(r"^(\d{4})JJ00$")
_YEAR_TITLE = re.compile(r"^(\d{4})$")


def parse_year(key: object, title: object) -> int | None:
    """The year of an annual period, or None for quarters, months, half-years.

    >>> parse_year("2021JJ00", None), parse_year(None, "2021 "), parse_year(None, "2011 1e kwartaal")
    (2021, 2021, None)
    """
    if isinstance(key, str) and key.strip():
        m = _YEAR_KEY.match(key.strip())
        return int(m.group(1)) if m else None
    if isinstance(title, str):
        m = _YEAR_TITLE.match(title.strip())
        return int(m.group(1)) if m else None
    return None


def margin_kind(title: object) -> str:
    """Classify a Marges title: value, lower, upper or margin (a ± half-width).

    >>> [margin_kind(t) for t in ("Waarde", "Ondergrens 95%-interval", "Betrouwbaarheidsmarge bovengrens", "Betrouwbaarheidsmarge")]
    ['value', 'lower', 'upper', 'margin']
    """
    if not isinstance(title, str) or title.strip() in ("", "Waarde"):
        return "value"
    t = title.strip().lower()
    if "ondergrens" in t:
        return "lower"
    if "bovengrens" in t:
        return "upper"
    if "marge" in t:
        return "margin"
    return "other"


def tidy(
    raw: RawTable,
    indicator: Indicator,
    spec: SourceSpec,
    resolver: RegionResolver,
    warnings: list[str],
) -> pd.DataFrame:
    """One catalogue source entry of one fetched table → long-frame rows.

    Raises DataError (naming the table, line and field) for an unknown region
    title in a year whose indeling is known, a dimension the catalogue left
    unfixed, or two rows for the same region and year.
    """
    return tidy_table(raw, [(indicator, spec)], resolver, warnings)[0]


def tidy_table(
    raw: RawTable,
    entries: list[tuple[Indicator, SourceSpec]],
    resolver: RegionResolver,
    warnings: list[str],
) -> list[pd.DataFrame]:
    """Tidy every catalogue entry served by one fetched table.

    Periods and regions are resolved once per distinct (year, boundary) rule,
    not once per indicator: a table like 80305ned serves seven indicators.
    """
    table_id = raw.table_id
    located: dict[tuple[int | None, int | None], pd.DataFrame] = {}
    out = []
    for indicator, spec in entries:
        for dim in raw.extra_dims:
            values = raw.frame[dim].dropna().unique()
            if len(values) > 1:
                raise DataError(
                    f"table {table_id}: dimension '{dim}' is not fixed by the catalogue filters of "
                    f"'{indicator.id}' (values: {', '.join(map(str, values[:5]))})",
                    table_id=table_id,
                    field=dim,
                )
        rule = (spec.year, spec.boundary)
        if rule not in located:
            located[rule] = _locate(raw, spec, indicator, resolver, warnings)
        out.append(_finish(located[rule], raw, indicator, spec))
    return out


def _locate(
    raw: RawTable, spec: SourceSpec, indicator: Indicator, resolver: RegionResolver, warnings: list[str]
) -> pd.DataFrame:
    """Rows with their year, boundary year, region code and level; rows of other areas dropped."""
    table_id = raw.table_id
    frame = raw.frame
    period_key = frame[PERIOD_KEY].astype("object").where(frame[PERIOD_KEY].notna(), "")
    period_title = frame[PERIOD_TITLE].astype("object").where(frame[PERIOD_TITLE].notna(), "")
    period_codes, period_uniques = pd.factorize(period_key.astype(str) + "\x1f" + period_title.astype(str))
    has_periods = not (len(period_uniques) == 1 and period_uniques[0] == "\x1f") and len(period_uniques) > 0
    if has_periods:
        year_of_unique = np.array(
            [parse_year(*(part or None for part in u.split("\x1f", 1))) or -1 for u in period_uniques],
            dtype=int,
        )
        years = year_of_unique[period_codes]
        keep = years >= 0
        if spec.year is not None:
            keep &= years == spec.year
    else:
        if spec.year is None:
            raise DataError(
                f"table {table_id} has no Perioden dimension: the catalogue entry of '{indicator.id}' needs 'year'",
                table_id=table_id,
            )
        years = np.full(len(frame), spec.year, dtype=int)
        keep = np.ones(len(frame), dtype=bool)
    located = frame.loc[keep].copy()
    located["year"] = years[keep]
    located["boundary_year"] = spec.boundary if spec.boundary is not None else located["year"]
    located["region_code"] = _region_codes(located, list(raw.measure_keys.values()), resolver, table_id, warnings)
    located = located[located["region_code"].notna()]
    located["level"] = located["region_code"].map(level_of_code)
    return located[located["level"].isin(LEVELS)]


def _finish(frame: pd.DataFrame, raw: RawTable, indicator: Indicator, spec: SourceSpec) -> pd.DataFrame:
    """Compute values and fold the Marges dimension into value/lower/upper."""
    table_id = raw.table_id
    frame = frame.assign(_v=_values(frame, raw, spec))
    margins = frame[MARGIN].astype("object")
    lookup = {m: margin_kind(m) for m in margins.dropna().unique()}
    kinds = margins.map(lookup).astype("object").where(margins.notna(), "value")
    if (kinds == "other").any():
        other = frame.loc[kinds == "other", MARGIN].iloc[0]
        raise DataError(f"table {table_id}: unknown Marges value {other!r}", table_id=table_id, field="Marges")
    frame["_kind"] = kinds.to_numpy()
    keys = ["region_code", "level", "year", "boundary_year"]
    base = frame[frame["_kind"] == "value"]
    dup = base.duplicated(subset=["region_code", "year"], keep=False)
    if dup.any():
        first = base[dup].iloc[0]
        same = dup & (base["region_code"] == first["region_code"]) & (base["year"] == first["year"])
        raise DataError(
            f"table {table_id}, line {first[ROW]}: region {first['region_code']} appears twice for "
            f"{first['year']} (titles: {', '.join(map(str, base.loc[same, REGION_TITLE].unique()))})",
            table_id=table_id,
            row=int(first[ROW]),
            field="RegioS",
        )
    out = base[keys + ["_v"]].rename(columns={"_v": "value"}).reset_index(drop=True)
    bounds = frame[frame["_kind"] != "value"]
    if bounds.empty:
        out["lower"] = out["upper"] = out["margin"] = np.nan
    else:
        wide = bounds.drop_duplicates(["region_code", "year", "_kind"]).pivot(
            index=["region_code", "year"], columns="_kind", values="_v"
        )
        wide = wide.reindex(columns=["lower", "upper", "margin"])
        idx = pd.MultiIndex.from_arrays([out["region_code"], out["year"]])
        for kind in ("lower", "upper", "margin"):
            out[kind] = wide[kind].reindex(idx).to_numpy()
    has_margin = out["margin"].notna()
    out.loc[has_margin, "lower"] = out.loc[has_margin, "value"] - out.loc[has_margin, "margin"]
    out.loc[has_margin, "upper"] = out.loc[has_margin, "value"] + out.loc[has_margin, "margin"]
    out["indicator_id"] = indicator.id
    out["source_table"] = table_id
    out["flags"] = np.where(out["value"].isna(), "suppressed", "")
    out["year"] = out["year"].astype("int16")
    out["boundary_year"] = out["boundary_year"].astype("int16")
    return out[LONG_COLUMNS].reset_index(drop=True)


def _region_codes(
    frame: pd.DataFrame, measures: list[str], resolver: RegionResolver, table_id: str, warnings: list[str]
) -> pd.Series:
    """Codes from keys where the source has them, else from titles via the resolver.

    StatLine tables hold every region × period combination, so a gemeente also
    has (empty) rows for years in which it did not exist. A title unknown in its
    year is dropped when all its cells are empty, and an error otherwise.
    """
    keys = frame[REGION_KEY].astype("object")
    with_key = keys.notna().to_numpy()
    if with_key.all():
        return _keyed_codes(frame, keys.str.strip(), measures, resolver)
    titles = frame[REGION_TITLE].astype("object").fillna("")
    boundary = frame["boundary_year"].to_numpy(dtype=int)
    codes = np.empty(len(frame), dtype=object)
    # Fast path: exact titles, one dict lookup per boundary year.
    for year in np.unique(boundary):
        sel = boundary == year
        codes[sel] = titles[sel].map(resolver.lookup(int(year))).to_numpy()
    codes[with_key] = keys[with_key].str.strip().to_numpy()
    unmatched = pd.isna(codes)
    if not unmatched.any():
        return pd.Series(codes, index=frame.index, dtype="object")
    # Slow path for the rest: title variants, other kinds of area, former gemeenten.
    rest = pd.DataFrame(
        {
            "title": titles.to_numpy()[unmatched],
            "boundary": boundary[unmatched],
            "filled": frame[measures].notna().any(axis=1).to_numpy()[unmatched],
            "line": frame[ROW].to_numpy()[unmatched],
        }
    )
    combos = rest.groupby(["title", "boundary"], sort=False).agg(filled=("filled", "any"), line=("line", "first"))
    unplaced: dict[int, set[str]] = {}
    found: dict[tuple[str, int], str | None] = {}
    for (title, year), filled, line in zip(combos.index, combos["filled"], combos["line"]):
        try:
            found[(title, year)] = resolver.resolve(str(title), int(year))
            continue
        except KeyError:
            found[(title, year)] = None
        if not filled:
            continue  # an empty row for a year the gemeente did not exist
        if resolver.has_year(int(year)):
            raise DataError(
                f"table {table_id}, line {line}: unknown region {title!r} — not a region of "
                f"{year} in Gebieden in Nederland",
                table_id=table_id,
                row=int(line),
                field="RegioS",
            )
        unplaced.setdefault(int(year), set()).add(str(title))
    if unplaced:
        years = sorted(unplaced)
        names = sorted(set().union(*unplaced.values()))
        span = f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
        warnings.append(
            f"table {table_id}: {sum(map(len, unplaced.values()))} region-years of {span} left out: "
            f"former gemeenten, and there is no Gebieden in Nederland table for those years "
            f"(e.g. {', '.join(names[:3])})"
        )
    codes[unmatched] = [found[(t, b)] for t, b in zip(rest["title"], rest["boundary"])]
    return pd.Series(codes, index=frame.index, dtype="object")


def _keyed_codes(frame: pd.DataFrame, codes: pd.Series, measures: list[str], resolver: RegionResolver) -> pd.Series:
    """Keys as codes, dropping what the title route drops too, so both sources agree.

    Dropped (set to None): codes of no region we know in any year (e.g. AM99
    "Niet in te delen"), and empty rows of a gemeente in a year it did not exist.
    """
    known = resolver.known_codes()
    codes = codes.where(codes.isin(known))
    empty = ~frame[measures].notna().any(axis=1)
    boundary = frame["boundary_year"].to_numpy(dtype=int)
    for year in np.unique(boundary):
        sel = (boundary == year) & empty.to_numpy()
        if sel.any():
            existing = set(resolver.lookup(int(year)).values())
            codes[sel] = codes[sel].where(codes[sel].isin(existing))
    return codes.astype("object").where(codes.notna(), None)


def _values(frame: pd.DataFrame, raw: RawTable, spec: SourceSpec) -> np.ndarray:
    if spec.column is not None:
        return frame[raw.measure_keys[spec.column]].to_numpy(dtype=float)

    def signed_sum(terms: tuple) -> np.ndarray:
        total = np.zeros(len(frame))
        for term in terms:
            values = frame[raw.measure_keys[term.measure]].to_numpy(dtype=float)
            if term.measure.stem in spec.zero_if_missing:
                values = np.nan_to_num(values, nan=0.0)
            total = total + term.sign * values
        return total  # NaN if any term is missing

    num = signed_sum(spec.numerator)
    if not spec.denominator:
        return num * spec.scale
    den = signed_sum(spec.denominator)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(den != 0, num / den * spec.scale, np.nan)
    return value
