"""Region codes, names and hierarchy per year, and title → code resolution.

CBS's yearly "Gebieden in Nederland" tables list every gemeente of 1 January of
that year with the codes of the areas it belongs to (COROP, province, landsdeel,
arbeidsmarktregio) and its population. Their column numbers shift between
editions (province is ``Code_30`` in 2013 and ``Code_28`` in 2025), so the code
columns are recognised by the prefix of their values, not by name.

StatLine CSV exports name regions by title. :class:`RegionResolver` turns a title
into a code using the Gebieden table of the year whose boundaries the row uses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from welfare.errors import DataError
from welfare.sources.base import REGION_TITLE

# Gebieden in Nederland, one table per indeling year.
GEBIEDEN_TABLES: dict[int, str] = {
    2013: "82000NED",
    2014: "82496NED",
    2015: "82949NED",
    2016: "83287NED",
    2017: "83553NED",
    2018: "83859NED",
    2019: "84378NED",
    2020: "84721NED",
    2021: "84929NED",
    2022: "85067NED",
    2023: "85385NED",
    2024: "85755NED",
    2025: "86059NED",
}
NL_CODE = "NL01"
NL_NAME = "Nederland"

# Parent levels we keep, by code prefix → column in regions.parquet.
PARENT_COLUMNS = {"CR": "corop", "PV": "provincie", "LD": "landsdeel", "AM": "arbeidsmarktregio"}
SUFFIX_OF_LEVEL = {"CR": "CR", "PV": "PV", "LD": "LD", "AM": "AM"}

# Titles CBS uses for other kinds of area, which we deliberately do not keep:
# GGD/police/RES/agricultural/COROP-plus regions, city groups and "not assignable".
_OTHER_AREA = re.compile(
    r"\((GG|CG|BT|PD|RE|ET|ES|SG|GA|CP|LG)\)$"
    r"|^(GGD |G4$|G32$|G40$|Gemeenten >|Gemeenten; niet in te delen|Niet-gemeentelijk ingedeeld"
    r"|Buitenland|Niet in te delen|Extra-Regio|Concentratiegebied|Niet-concentratiegebied"
    r"|Amsterdam-Centrum/-Noord)"
    r"|^(Eems|Maas|Rijn-Midden|Rijn-Noord|Rijn-Oost|Rijn-West|Schelde)$"
)
# Older province names some tables still use.
PROVINCE_ALIASES = {"Friesland (PV)": "PV21", "Fryslân (PV)": "PV21"}
_PARENT_SUFFIX = re.compile(r"\((CR|PV|LD|AM)\)$")
_GM_SUFFIX = re.compile(r"\s+\((GM|gemeente)\)$")


def is_other_area(title: str) -> bool:
    """True for titles of areas that are not gemeente/COROP/province/landsdeel/AM/NL.

    >>> is_other_area("GGD Drenthe"), is_other_area("Rijnmond (CP)"), is_other_area("Assen")
    (True, True, False)
    """
    return bool(_OTHER_AREA.search(title.strip()))


def parse_gebieden(table: pd.DataFrame, year: int, table_id: str = "") -> pd.DataFrame:
    """One "Gebieden in Nederland" table (as text) → one row per gemeente.

    Returns columns ``code, name, title, corop, corop_name, provincie,
    provincie_name, landsdeel, landsdeel_name, arbeidsmarktregio,
    arbeidsmarktregio_name, population, year``.
    """
    code_cols = [c for c in table.columns if c.startswith("Code_")]
    names = {c: _next_name_column(table.columns, c) for c in code_cols}
    by_prefix: dict[str, str] = {}
    for col in code_cols:
        values = pd.Series(table[col].dropna().unique())
        values = values[values != "."]
        prefixes = set(values.str[:2].unique()) if len(values) else set()
        if len(prefixes) == 1:
            prefix = prefixes.pop()
            if prefix == "GM" or prefix in PARENT_COLUMNS:
                by_prefix.setdefault(prefix, col)
    missing = [p for p in ("GM", "CR", "PV", "LD") if p not in by_prefix]
    if missing:
        raise DataError(
            f"table {table_id} (Gebieden in Nederland {year}): no code column for {', '.join(missing)}",
            table_id=table_id,
        )
    pop_col = next((c for c in table.columns if c.startswith("Inwonertal")), None)
    out = pd.DataFrame(
        {
            "code": table[by_prefix["GM"]].astype("string"),
            "name": table[names[by_prefix["GM"]]].astype("string") if names[by_prefix["GM"]] else table[REGION_TITLE],
            "title": table[REGION_TITLE].astype("string"),
        }
    )
    for prefix, column in PARENT_COLUMNS.items():
        col = by_prefix.get(prefix)
        out[column] = table[col].astype("string") if col else pd.NA
        out[f"{column}_name"] = table[names[col]].astype("string") if col and names[col] else pd.NA
        # 'AM99 Niet in te delen': not an area (two new gemeenten of 2019 had no AM yet)
        unassigned = out[column].str.endswith("99").fillna(False) & out[f"{column}_name"].str.startswith("Niet in te delen").fillna(False)
        out.loc[unassigned, [column, f"{column}_name"]] = pd.NA
    out["population"] = pd.to_numeric(table[pop_col], errors="coerce") if pop_col else float("nan")
    out["year"] = year
    return out


def _next_name_column(columns: Iterable[str], code_col: str) -> str | None:
    cols = list(columns)
    i = cols.index(code_col)
    if i + 1 < len(cols) and cols[i + 1].startswith("Naam_"):
        return cols[i + 1]
    return None


def regions_frame(gemeenten: pd.DataFrame) -> pd.DataFrame:
    """All regions per year (GM and the areas above them) for regions.parquet.

    Parents get the summed population of their gemeenten.
    """
    rows = [
        gemeenten.assign(level="GM")[
            ["code", "name", "level", "year", "corop", "provincie", "landsdeel", "arbeidsmarktregio", "population"]
        ]
    ]
    for prefix, column in PARENT_COLUMNS.items():
        parents = gemeenten.dropna(subset=[column])
        if parents.empty:
            continue
        agg = parents.groupby(["year", column], as_index=False).agg(
            name=(f"{column}_name", "first"),
            population=("population", "sum"),
            n_missing_population=("population", lambda s: int(s.isna().sum())),
            provincie=("provincie", "first"),
            n_provincie=("provincie", "nunique"),
            landsdeel=("landsdeel", "first"),
            n_landsdeel=("landsdeel", "nunique"),
        )
        # An AM or COROP can straddle provinces: then it has no single parent.
        agg.loc[agg["n_provincie"] > 1, "provincie"] = pd.NA
        agg.loc[agg["n_landsdeel"] > 1, "landsdeel"] = pd.NA
        agg.loc[agg["n_missing_population"] > 0, "population"] = np.nan
        agg = agg.rename(columns={column: "code"}).assign(level=prefix)
        if prefix in ("PV", "LD"):
            agg["provincie"] = agg["code"] if prefix == "PV" else pd.NA
        if prefix == "LD":
            agg["landsdeel"] = agg["code"]
        rows.append(agg)
    nl = gemeenten.groupby("year", as_index=False).agg(population=("population", lambda s: s.sum(min_count=len(s))))
    rows.append(nl.assign(code=NL_CODE, name=NL_NAME, level="NL"))
    out = pd.concat(rows, ignore_index=True)
    for col in ("corop", "provincie", "landsdeel", "arbeidsmarktregio"):
        if col not in out:
            out[col] = pd.NA
    out["year"] = out["year"].astype("int16")
    return out[["code", "name", "level", "year", "corop", "provincie", "landsdeel", "arbeidsmarktregio", "population"]]


@dataclass
class RegionResolver:
    """Title → code, per indeling year, from the Gebieden in Nederland tables.

    ``resolve(title, year)`` uses the table of ``year`` when there is one, else
    the nearest year. It returns the code, ``None`` for a title of another kind of
    area (GGD, police, …), and raises ``KeyError`` for an unknown title.
    """

    by_year: dict[int, dict[str, str]] = field(default_factory=dict)
    _nearest: dict[int, int] = field(default_factory=dict, repr=False)
    _known: set[str] = field(default_factory=set, repr=False)

    @classmethod
    def from_gemeenten(cls, gemeenten: pd.DataFrame) -> RegionResolver:
        """Build the lookup from parse_gebieden() rows of one or more years."""
        resolver = cls()
        for year, rows in gemeenten.groupby("year"):
            lookup: dict[str, str] = {NL_NAME: NL_CODE}
            for code, name, title in zip(rows["code"], rows["name"], rows["title"]):
                lookup[title] = code
                lookup.setdefault(name, code)  # a title like 'Groningen (gemeente)' wins over the province
            for prefix, column in PARENT_COLUMNS.items():
                parents = rows.dropna(subset=[column]).drop_duplicates(column)
                for code, name in zip(parents[column], parents[f"{column}_name"]):
                    if pd.notna(name):
                        lookup[f"{name} ({SUFFIX_OF_LEVEL[prefix]})"] = code
            lookup.update(PROVINCE_ALIASES)
            resolver.by_year[int(year)] = lookup
        return resolver

    @property
    def years(self) -> list[int]:
        return sorted(self.by_year)

    def nearest_year(self, year: int) -> int:
        """The indeling year whose table is used for ``year`` (the later one on a tie)."""
        if year not in self._nearest:
            self._nearest[year] = min(self.by_year, key=lambda y: (abs(y - year), -y))
        return self._nearest[year]

    def lookup(self, year: int) -> dict[str, str]:
        """The exact-title lookup used for ``year`` (the nearest indeling year's)."""
        return self.by_year[self.nearest_year(year)]

    def known_codes(self) -> set[str]:
        """Every code of every year (gemeenten and the areas above them)."""
        if not self._known:
            self._known = {code for lookup in self.by_year.values() for code in lookup.values()}
        return self._known

    def has_year(self, year: int) -> bool:
        return year in self.by_year

    def resolve(self, title: str, year: int) -> str | None:
        """Code for a region title in the indeling of ``year``; None for other kinds of area."""
        title = title.strip()
        if is_other_area(title):
            return None
        lookup = self.by_year[self.nearest_year(year)]
        code = lookup.get(title)
        if code is None:
            bare = _GM_SUFFIX.sub("", title)  # 'Amsterdam (GM)' in the Veiligheidsmonitor
            code = lookup.get(bare) or lookup.get(f"{bare} (gemeente)")
        if code is None and _PARENT_SUFFIX.search(title):
            # COROP/AM/province names change now and then; their codes do not.
            for other in sorted(self.by_year, key=lambda y: abs(y - year)):
                code = self.by_year[other].get(title)
                if code is not None:
                    break
        if code is None:
            raise KeyError(title)
        return code
