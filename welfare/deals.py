"""The Regio Deals registry: validation, members per boundary year, areas and summaries.

The registry is ours: ``data/regio_deals.csv``, one row per deal (82), carried
over from ``../shared/reference/regio_deals.csv`` and checked. Its columns
(:data:`COLUMNS`):

=====================  ===================================================================
column                 content
=====================  ===================================================================
id                     slug, e.g. ``t3-zuid-hollandse-delta`` (``t1``–``t3``, ``r4``–``r6``)
name                   the deal's name
tranche                1–6 (:data:`TRANCHES`, the official numbering)
year_selected          the year the round was selected; must match the tranche
date_signed            ISO 8601, at the precision known: ``2020-07-17``, ``2020-07`` (month
                       known, day not) or ``2024`` (year only); empty when unknown
end_year               the last year of the deal's period; empty when unknown
rijksbijdrage_meur     the Rijk's contribution in M€ (decimal point), in (0, 200]
cofinancing_meur       regional co-financing in M€, ≥ 0; empty when unknown
provinces              ``;``-separated province names (CBS spelling, ``Fryslân``) or
                       ``Caribisch Nederland``
gemeenten              ``;``-separated gemeente names as they were named in the deal's
                       *naming year* (below), CBS spelling (``'s-Gravenhage``,
                       ``Bergen (L.)``, ``Hengelo (O.)``); empty for province-wide or
                       sector deals and where the parties are not known yet.
                       ``Bonaire``, ``Sint Eustatius`` and ``Saba`` are openbare lichamen
                       of Caribisch Nederland, not gemeenten (see below)
lead_ministry          free text (LNV, BZK, VRO, …)
themes                 ``;``-separated, free text
status                 one of :data:`STATUSES` (conservative on purpose)
partial                ``true`` when the deal covers only some neighbourhoods or towns of
                       its gemeenten (the source's ``DEELGEBIED`` marker), else ``false``
successor              the id of the follow-up deal, or empty
sources                ``;``-separated URLs
notes                  the compiler's notes; ``[register: …]`` says what the registry
                       changed with respect to the fact sheet (spelling, a date's month)
=====================  ===================================================================

Unknown values stay empty; they are never 0.

**Naming year and baseline.** A deal's gemeenten are named as they were when the
deal was made: in the year of ``date_signed``, or in ``year_selected`` when the
date is unknown (:attr:`Deal.naming_year`). :func:`baseline_year` is the year
before that: the last full year before the deal.

**Members on any boundary year.** Gemeenten merge (and now and then split).
:class:`Indeling` reads the yearly gemeente lists of ``../shared/data/geo``
(2018–2026) and carries a deal's gemeenten from its naming year to any boundary
year through the same VNG address flows the build uses to restate indicator
series (:class:`welfare.harmonise.Transitions`): a 2020 deal naming Brielle, Hellevoetsluis and
Westvoorne has Voorne aan Zee (GM1992) as member from 2023 on. A gemeente that
only partly consists of the deal's gemeenten (Tilburg took 8 % of Haaren in
2021) is a member with ``partial`` set and ``partial_reason`` ``herindeling``.
Every member of a ``partial`` deal is flagged ``deelgebied``: the registry
records which deals cover only neighbourhoods, not which of their gemeenten.

**Caribisch Nederland.** Bonaire, Sint Eustatius and Saba are openbare lichamen:
they have no gemeente code, no boundary in the European Netherlands and no rows
in the warehouse's gemeente tables. They stay in the registry (with their money)
and count in every summary; :func:`members` gives them no rows and
:func:`unresolved_names` lists them with the reason.

**Money across provinces.** A deal that spans several provinces (or landsdelen)
is counted in each of them by :func:`summarise`. Its Rijksbijdrage is by default
*not* split: each of its provinces shows the whole amount, so the province rows
add up to more than the national total; ``n_multi`` and
``rijksbijdrage_multi_meur`` say how much of a row comes from such deals.
``split="equal"`` divides the money equally over the deal's provinces instead,
so the rows add up to the total (an assumption: the deals do not say how their
money is spread).

Examples
--------
>>> reg = load_registry()
>>> len(reg), reg.get("t3-zuid-hollandse-delta").gemeenten
(82, ('Brielle', 'Goeree-Overflakkee', 'Hellevoetsluis', 'Hoeksche Waard', 'Nissewaard', 'Westvoorne'))
>>> m = members(reg, 2023)
>>> print(m[m["deal_id"] == "t3-zuid-hollandse-delta"][["gemeente_code", "gemeente_name", "named_as"]].to_string(index=False))
gemeente_code      gemeente_name                          named_as
       GM1924 Goeree-Overflakkee                Goeree-Overflakkee
       GM1930         Nissewaard                        Nissewaard
       GM1963     Hoeksche Waard                    Hoeksche Waard
       GM1992     Voorne aan Zee Brielle;Hellevoetsluis;Westvoorne
"""

from __future__ import annotations

import csv
import difflib
import functools
import io
import math
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TextIO, get_args

import pandas as pd

from welfare.errors import DataError
from welfare.harmonise import Transitions

if TYPE_CHECKING:  # geopandas is imported where areas are drawn, not when the registry loads
    import geopandas as gpd

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REGISTRY = REPO_ROOT / "data" / "regio_deals.csv"

COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "tranche",
    "year_selected",
    "date_signed",
    "end_year",
    "rijksbijdrage_meur",
    "cofinancing_meur",
    "provinces",
    "gemeenten",
    "lead_ministry",
    "themes",
    "status",
    "partial",
    "successor",
    "sources",
    "notes",
)
LIST_COLUMNS: tuple[str, ...] = ("provinces", "gemeenten", "themes", "sources")
LIST_SEPARATOR = ";"

DealStatus = Literal[
    "afgerond",
    "looptijd verstreken (afronding niet bevestigd)",
    "in uitvoering",
    "convenant vastgesteld (start uitvoering)",
    "looptijd onbekend",
]
STATUSES: tuple[str, ...] = get_args(DealStatus)

DealGrouping = Literal["total", "tranche", "province", "landsdeel"]
GROUPINGS: tuple[str, ...] = get_args(DealGrouping)
MoneySplit = Literal["none", "equal"]
MONEY_SPLITS: tuple[str, ...] = get_args(MoneySplit)

MAX_RIJKSBIJDRAGE_MEUR = 200.0  # the largest deal is 130 (Brainport, Rotterdam-Zuid); the rule since 2022 is ≤ 40


@dataclass(frozen=True)
class Tranche:
    """One selection round, with its official totals (``../shared/reference/regio-deals.md``)."""

    number: int
    year_selected: int
    rijksbijdrage_meur: float
    n_deals: int
    lead_ministry: str


TRANCHES: dict[int, Tranche] = {
    t.number: t
    for t in (
        Tranche(1, 2018, 345.0, 4, "LNV"),
        Tranche(2, 2018, 215.0, 12, "LNV"),
        Tranche(3, 2020, 180.0, 14, "LNV"),
        Tranche(4, 2023, 284.2, 14, "BZK"),
        Tranche(5, 2024, 384.6, 22, "BZK / VRO"),
        Tranche(6, 2025, 244.3, 16, "VRO"),
    )
}

PROVINCES: dict[str, str] = {
    "Groningen": "PV20",
    "Fryslân": "PV21",
    "Drenthe": "PV22",
    "Overijssel": "PV23",
    "Flevoland": "PV24",
    "Gelderland": "PV25",
    "Utrecht": "PV26",
    "Noord-Holland": "PV27",
    "Zuid-Holland": "PV28",
    "Zeeland": "PV29",
    "Noord-Brabant": "PV30",
    "Limburg": "PV31",
}
CARIBISCH_NEDERLAND = "Caribisch Nederland"
OPENBARE_LICHAMEN: tuple[str, ...] = ("Bonaire", "Sint Eustatius", "Saba")
OPENBAAR_LICHAAM_REASON = (
    "openbaar lichaam of Caribisch Nederland: no gemeente, so no gemeente code or boundary"
)

# The file of ../shared/data/geo with every year's gemeenten (Indeling.from_geo_folder).
INDELING_FILE = "gemeente_indeling_2018_2026.csv"

PARTIAL_DEELGEBIED = "deelgebied"
PARTIAL_HERINDELING = "herindeling"
MEMBER_COLUMNS: tuple[str, ...] = (
    "deal_id",
    "gemeente_code",
    "gemeente_name",
    "year",
    "partial",
    "named_as",  # the registry's names (of the naming year) this member comes from, ';'-joined
    "partial_reason",  # '|'-joined: deelgebied, herindeling; '' when the whole gemeente is in the deal
)

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_YEAR = re.compile(r"^\d{4}$")
_SUFFIX = re.compile(r"\s*\([^)]*\)$")
_Report = Callable[[str, str], None]  # (field, message): one problem of the row being read


# --------------------------------------------------------------------------- the registry


@dataclass(frozen=True)
class RowProblem:
    """One thing wrong in one row of the registry.

    ``row`` is the line of the CSV file where the row starts (the header is
    line 1), ``field`` the column.

    >>> print(RowProblem(7, "status", "'klaar' is not a status"))
    line 7, field status: 'klaar' is not a status
    """

    row: int
    field: str
    message: str
    deal_id: str = ""

    def __str__(self) -> str:
        return f"line {self.row}, field {self.field}: {self.message}"


class RegistryError(DataError):
    """The registry is invalid. ``problems`` lists every problem; ``row`` and
    ``field`` are those of the first one, and the message names the file."""

    def __init__(self, message: str, problems: Iterable[RowProblem], *, table_id: str = "") -> None:
        self.problems: tuple[RowProblem, ...] = tuple(problems)
        first = self.problems[0] if self.problems else None
        super().__init__(
            message, table_id=table_id, row=first.row if first else None, field=first.field if first else None
        )


@dataclass(frozen=True)
class Deal:
    """One Regio Deal, typed. Lists are tuples; unknown values are None.

    ``row`` is the CSV line the deal was read from (0 when built in code).
    """

    id: str
    name: str
    tranche: int
    year_selected: int
    date_signed: str | None = None
    end_year: int | None = None
    rijksbijdrage_meur: float | None = None
    cofinancing_meur: float | None = None
    provinces: tuple[str, ...] = ()
    gemeenten: tuple[str, ...] = ()
    lead_ministry: str = ""
    themes: tuple[str, ...] = ()
    status: str = "looptijd onbekend"
    partial: bool = False
    successor: str | None = None
    sources: tuple[str, ...] = ()
    notes: str = ""
    row: int = 0

    @property
    def signed_year(self) -> int | None:
        """The year of ``date_signed`` (None when unknown).

        >>> Deal("x", "X", 5, 2024, date_signed="2024").signed_year
        2024
        """
        return int(self.date_signed[:4]) if self.date_signed else None

    @property
    def naming_year(self) -> int:
        """The year whose gemeenten the registry names: signing year, else ``year_selected``."""
        return self.signed_year or self.year_selected

    @property
    def openbare_lichamen(self) -> tuple[str, ...]:
        """The registry's names that are openbare lichamen (Caribisch Nederland)."""
        return tuple(n for n in self.gemeenten if n in OPENBARE_LICHAMEN)

    @property
    def cofinancing_ratio(self) -> float | None:
        """Co-financing per euro of Rijksbijdrage (1.0 = half of the total); None when unknown.

        >>> round(Deal("x", "X", 3, 2020, rijksbijdrage_meur=22.5, cofinancing_meur=64.55).cofinancing_ratio, 3)
        2.869
        """
        if self.cofinancing_meur is None or not self.rijksbijdrage_meur:
            return None
        return self.cofinancing_meur / self.rijksbijdrage_meur

    def record(self) -> dict[str, Any]:
        """The deal as a dict with the registry's columns (lists as lists, unknown as None)."""
        out = {c: getattr(self, c) for c in COLUMNS}
        for c in LIST_COLUMNS:
            out[c] = list(out[c])
        return out


@dataclass(frozen=True)
class Registry:
    """The deals of one registry file, in file order, and the rows that were left out.

    ``problems`` is empty for a registry loaded with ``strict=True``; with
    ``strict=False`` it lists the problems of the rows that are *not* in
    ``deals``. ``source`` names the file.
    """

    deals: tuple[Deal, ...]
    problems: tuple[RowProblem, ...] = ()
    source: str = ""

    def __len__(self) -> int:
        return len(self.deals)

    def __repr__(self) -> str:
        left_out = f", {len(self.problems)} problems" if self.problems else ""
        return f"Registry({len(self.deals)} deals from {self.source or 'code'}{left_out})"

    def __iter__(self) -> Iterator[Deal]:
        return iter(self.deals)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(d.id for d in self.deals)

    def get(self, deal_id: str) -> Deal | None:
        """The deal with this id, or None."""
        return next((d for d in self.deals if d.id == deal_id), None)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, *, source: str = "") -> Registry:
        """The registry back from :meth:`frame` output or ``deals.parquet``.

        No validation is done: those rows were validated when they were written.

        >>> reg = load_registry()
        >>> Registry.from_frame(reg.frame()).deals == reg.deals
        True
        """
        deals = []
        for rec in frame.to_dict(orient="records"):
            values = {
                c: _from_cell(rec.get(c), _FIELD_KIND.get(c, "str"))
                for c in (*COLUMNS, "row")
                if c in rec
            }
            for c in ("lead_ministry", "notes"):
                values[c] = values.get(c) or ""
            values["partial"] = bool(values.get("partial"))
            deals.append(Deal(**values))
        return cls(tuple(deals), source=source)

    def to_csv(self, buf: TextIO) -> None:
        """Write the deals in the registry's own schema: a file :func:`load_registry` reads back.

        >>> import io
        >>> buf = io.StringIO()
        >>> filter_deals(load_registry(), tranche=1).to_csv(buf)
        >>> print(buf.getvalue().splitlines()[3][:93])
        t1-rotterdam-zuid,Regio Deal Rotterdam-Zuid,1,2018,2018-12-03,,130,130,Zuid-Holland,Rotterdam
        """
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(COLUMNS)
        for deal in self.deals:
            writer.writerow([_csv_cell(getattr(deal, c)) for c in COLUMNS])

    def frame(self, *, join_lists: bool = False) -> pd.DataFrame:
        """One row per deal with :data:`COLUMNS` plus ``signed_year``, ``baseline_year``,
        ``cofinancing_ratio`` and ``row``.

        Lists are Python lists, or ``;``-joined strings with ``join_lists`` (the
        CSV form). Amounts are floats (NaN when unknown), years nullable ints.

        >>> f = load_registry().frame()
        >>> f.loc[f["id"] == "t1-rotterdam-zuid", ["tranche", "rijksbijdrage_meur", "partial", "successor"]]
           tranche  rijksbijdrage_meur  partial             successor
        2        1               130.0     True  r4-rotterdam-zuid-ii
        """
        rows = []
        for d in self.deals:
            rec = d.record()
            if join_lists:
                rec.update({c: LIST_SEPARATOR.join(rec[c]) for c in LIST_COLUMNS})
            rec.update(
                signed_year=d.signed_year,
                baseline_year=baseline_year(d),
                cofinancing_ratio=d.cofinancing_ratio,
                row=d.row,
            )
            rows.append(rec)
        extra = ["signed_year", "baseline_year", "cofinancing_ratio", "row"]
        frame = pd.DataFrame(rows, columns=[*COLUMNS, *extra])
        for c in ("tranche", "year_selected", "end_year", "signed_year", "baseline_year", "row"):
            frame[c] = frame[c].astype("Int64")
        for c in ("rijksbijdrage_meur", "cofinancing_meur", "cofinancing_ratio"):
            frame[c] = frame[c].astype("float64")
        frame["partial"] = frame["partial"].astype(bool)
        return frame


def _from_cell(value: Any, kind: str) -> Any:
    """A frame or Parquet cell → the Deal field's type (NaN/None → None, arrays → tuples)."""
    if kind == "list":
        if isinstance(value, str):
            return tuple(_split(value))
        return tuple(str(v) for v in value) if value is not None and not _missing(value) else ()
    if _missing(value):
        return None
    return {"int": int, "float": float, "str": str, "bool": bool}[kind](value)


def _missing(value: Any) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):  # an array or list is not missing
        return False


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    if isinstance(value, tuple):
        return LIST_SEPARATOR.join(value)
    return str(value)


_FIELD_KIND = {
    "tranche": "int", "year_selected": "int", "end_year": "int", "row": "int",
    "rijksbijdrage_meur": "float", "cofinancing_meur": "float", "partial": "bool",
    **{c: "list" for c in LIST_COLUMNS},
}


def baseline_year(deal: Deal) -> int:
    """The last full year before the deal: the year before signing, else before selection.

    >>> baseline_year(Deal("x", "X", 3, 2020, date_signed="2020-07-17")), baseline_year(Deal("y", "Y", 1, 2018))
    (2019, 2017)
    """
    return deal.naming_year - 1


def latest_year(
    observations: pd.DataFrame, *, indicator_id: str | None = None, level: str | None = "GM"
) -> int | None:
    """The newest report year with a value in ``observations`` (None when there is none).

    Parameters
    ----------
    observations : pandas.DataFrame
        Warehouse observations (``indicator_id, level, year, value``).
    indicator_id : str, optional
        Only this indicator; default any.
    level : str or None, default "GM"
        Only rows of this level (a deal area is made of gemeenten); None for any.

    >>> obs = pd.DataFrame({"indicator_id": ["a", "a", "b"], "level": ["GM", "GM", "PV"],
    ...                     "year": [2022, 2023, 2024], "value": [1.0, float("nan"), 2.0]})
    >>> latest_year(obs), latest_year(obs, level=None), latest_year(obs, indicator_id="c")
    (2022, 2024, None)
    """
    rows = observations[observations["value"].notna()]
    if indicator_id is not None:
        rows = rows[rows["indicator_id"] == indicator_id]
    if level is not None:
        rows = rows[rows["level"] == level]
    return int(rows["year"].max()) if len(rows) else None


# --------------------------------------------------------------------------- gemeente names and herindelingen


@dataclass(frozen=True, eq=False)
class Indeling:
    """Gemeente names and codes per year, and the herindelingen between years.

    The herindelingen are :class:`welfare.harmonise.Transitions`, the VNG
    address flows the build uses to restate gemeente series: deal members are
    carried across years exactly as the indicator values are. Build it with
    :meth:`from_geo_folder` (the files of ``../shared/data/geo``) or
    :meth:`from_frames`.

    Examples
    --------
    >>> ind = default_indeling()
    >>> ind.years[0], ind.years[-1], ind.resolve("Brielle", 2019)
    (2018, 2026, 'GM0501')
    >>> ind.carry({"GM0501": True}, 2019, 2023)
    {'GM1992': False}
    >>> ind.carry({"GM0501": True, "GM0530": True, "GM0614": True}, 2019, 2023)
    {'GM1992': True}
    >>> ind.carry({"GM1992": True}, 2024, 2019)
    {'GM0501': True, 'GM0530': True, 'GM0614': True}
    """

    names: dict[int, dict[str, str]]  # year → name → code
    codes: dict[int, dict[str, str]]  # year → code → name
    province_of: dict[int, dict[str, str]]  # year → code → PV code
    transitions: Transitions = field(repr=False)
    _chains: dict[tuple[int, int], dict[str, dict[str, float]]] = field(default_factory=dict, repr=False)

    @classmethod
    def from_frames(cls, gemeenten: pd.DataFrame, transitions: Transitions, *, source: str = "") -> Indeling:
        """Build from a frame ``year, code, name, provincie`` (every gemeente of
        every year, consecutive years) and the transitions between the years.

        Raises
        ------
        DataError
            Duplicate names in a year, a gap between years, or transitions that
            do not join one year's gemeenten to the next year's.
        """
        where = f"{source}: " if source else ""
        names: dict[int, dict[str, str]] = {}
        codes: dict[int, dict[str, str]] = {}
        province_of: dict[int, dict[str, str]] = {}
        for year, rows in gemeenten.groupby("year", sort=True):
            y = int(year)
            dup = rows["name"][rows["name"].duplicated()].tolist()
            if dup:
                raise DataError(f"{where}gemeente name(s) {dup} occur twice in {y}", table_id=source)
            codes[y] = dict(zip(rows["code"].astype(str), rows["name"].astype(str)))
            names[y] = {name: code for code, name in codes[y].items()}
            province_of[y] = dict(zip(rows["code"].astype(str), rows["provincie"].astype(str)))
        years = sorted(codes)
        if years != list(range(years[0], years[-1] + 1)):
            raise DataError(f"{where}the gemeente lists skip a year ({years})", table_id=source)
        indeling = cls(names, codes, province_of, transitions)
        for y in years[1:]:
            for a, b in ((y - 1, y), (y, y - 1)):
                chain = indeling._chain(a, b)
                reached = {t for c in codes[a] for t in chain.get(c, {c: 1.0})}
                if reached != set(codes[b]):
                    raise DataError(
                        f"{where}the herindelingen do not join the gemeenten of {a} to those of {b}: "
                        f"{sorted(reached - set(codes[b]))[:5]} reached but no gemeente of {b}, "
                        f"{sorted(set(codes[b]) - reached)[:5]} not reached",
                        table_id=source,
                    )
        return indeling

    @classmethod
    def from_geo_folder(cls, folder: Path | str) -> Indeling:
        """Read ``gemeente_indeling_2018_2026.csv`` and the VNG address matrices
        (:meth:`welfare.harmonise.Transitions.from_folder`) of the geo folder.

        Raises
        ------
        DataError
            A file is missing or lacks a column.
        """
        folder = Path(folder)
        path = folder / INDELING_FILE
        if not path.is_file():
            raise DataError(
                f"gemeente names: {INDELING_FILE} is missing in the geo folder {folder} (set REGIOWELVAART_GEO_FOLDER)",
                table_id=INDELING_FILE,
            )
        frame = pd.read_csv(path, dtype=str)
        needed = {"jaar", "gemeentecode", "gemeentenaam", "provinciecode"}
        if not needed <= set(frame.columns):
            raise DataError(f"{INDELING_FILE} lacks the columns {sorted(needed - set(frame.columns))}", table_id=INDELING_FILE)
        gemeenten = frame.rename(
            columns={"jaar": "year", "gemeentecode": "code", "gemeentenaam": "name", "provinciecode": "provincie"}
        )
        gemeenten["year"] = gemeenten["year"].astype(int)
        return cls.from_frames(gemeenten, Transitions.from_folder(folder), source=INDELING_FILE)

    def _chain(self, from_year: int, to_year: int) -> dict[str, dict[str, float]]:
        """Address shares from the gemeenten of one year to another (codes not in it stay)."""
        key = (from_year, to_year)
        if key not in self._chains:
            self._chains[key] = self.transitions.chain(from_year, to_year)
        return self._chains[key]

    @property
    def years(self) -> list[int]:
        return sorted(self.codes)

    def check_year(self, year: int) -> int:
        """``year`` as an int, or ValueError naming the years there are."""
        if int(year) not in self.codes:
            raise ValueError(f"'year' must be a gemeente indeling year {self.years[0]}–{self.years[-1]}, got {year!r}")
        return int(year)

    def resolve(self, name: str, year: int) -> str:
        """The code of the gemeente called ``name`` in ``year``; KeyError when there is none."""
        return self.names[self.check_year(year)][name]

    def name(self, code: str, year: int) -> str:
        """The name of gemeente ``code`` in ``year``."""
        return self.codes[self.check_year(year)][code]

    def years_of_name(self, name: str) -> list[int]:
        """The years in which a gemeente was called ``name``."""
        return [y for y in self.years if name in self.names[y]]

    def suggest(self, name: str, year: int) -> str | None:
        """The closest gemeente name of ``year``: the same name with a province
        suffix, the same up to case, or a close spelling (difflib); None if none.

        >>> ind = default_indeling()
        >>> ind.suggest("Beek", 2023), ind.suggest("brielle", 2020), ind.suggest("Brile", 2020)
        ('Beek (L.)', 'Brielle', 'Brielle')
        """
        known = self.names[self.check_year(year)]
        folded = name.strip().casefold()
        for candidate in known:
            if candidate.casefold() == folded or _SUFFIX.sub("", candidate).casefold() == folded:
                return candidate
        close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.75)
        return close[0] if close else None

    def carry(self, members: Mapping[str, bool], from_year: int, to_year: int) -> dict[str, bool]:
        """Carry a set of gemeenten of ``from_year`` to the gemeenten of ``to_year``.

        ``members`` maps a code to True when the whole gemeente is in the set,
        False when only part of it is. A gemeente of ``to_year`` is in the result
        when any part of it comes from the set, and whole (True) only when all
        its parts do and each of those is whole. Works in both directions.
        Codes are returned sorted.
        """
        y, z = self.check_year(from_year), self.check_year(to_year)
        unknown = [c for c in members if c not in self.codes[y]]
        if unknown:
            raise ValueError(f"{unknown} are not gemeenten of {y}")
        forward, backward = self._chain(y, z), self._chain(z, y)
        targets = {t for code in members for t in forward.get(code, {code: 1.0})}
        return {
            t: all(members.get(part, False) for part in backward.get(t, {t: 1.0}))
            for t in sorted(targets)
        }


@functools.lru_cache(maxsize=4)
def _indeling_of(folder: str) -> Indeling:
    return Indeling.from_geo_folder(folder)


def default_indeling() -> Indeling:
    """The indeling of the geo folder (``welfare.boundaries.default_geo_folder()``,
    ``REGIOWELVAART_GEO_FOLDER``), read once per folder."""
    from welfare.boundaries import default_geo_folder

    return _indeling_of(str(default_geo_folder().resolve()))


# --------------------------------------------------------------------------- loading and validation


def load_registry(
    path: Path | str = DEFAULT_REGISTRY, *, strict: bool = True, indeling: Indeling | None = None
) -> Registry:
    """Read and validate the registry.

    Parameters
    ----------
    path : Path or str
        The CSV file (default ``data/regio_deals.csv``), UTF-8, comma-separated.
    strict : bool, default True
        True: any problem raises. False: return the rows without problems and,
        in ``Registry.problems``, what is wrong with the others (for "load the
        good rows only", offered to the user explicitly). A file whose header is
        wrong raises either way.
    indeling : Indeling, optional
        Gemeente names per year; default :func:`default_indeling`.

    Returns
    -------
    Registry

    Raises
    ------
    RegistryError
        (a :class:`~welfare.errors.DataError`) naming the file, the CSV line
        and the field of each problem: an unknown gemeente (with the closest
        name), province, status or tranche; a Rijksbijdrage outside €0–200M; a
        negative or non-numeric amount; a duplicate id; dates out of order
        (signed before the selection year, ended before signing); a successor
        that is not in the file; a partial flag other than true/false.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> text = DEFAULT_REGISTRY.read_text(encoding="utf-8").replace("Brielle;Goeree", "Brile;Goeree")
    >>> bad = pathlib.Path(tempfile.mkdtemp()) / "deals.csv"
    >>> _ = bad.write_text(text, encoding="utf-8")
    >>> load_registry(bad)
    Traceback (most recent call last):
    ...
    welfare.deals.RegistryError: deals.csv, line 28, field gemeenten: 'Brile' is not a gemeente in 2020 (did you mean 'Brielle'?)
    >>> reg = load_registry(bad, strict=False)
    >>> len(reg), [p.deal_id for p in reg.problems]
    (81, ['t3-zuid-hollandse-delta'])
    """
    path = Path(path)
    label = path.name
    indeling = indeling or default_indeling()
    rows, problems = _read_rows(path, label)
    per_row: dict[int, list[RowProblem]] = {}
    deals: dict[int, Deal | None] = {}
    for line, values in rows:
        deals[line], per_row[line] = _parse_row(values, line, indeling)
    for problem in _cross_row_problems(rows):
        per_row[problem.row].append(problem)
    problems = sorted(problems + [p for ps in per_row.values() for p in ps], key=lambda p: p.row)
    if strict and problems:
        raise RegistryError(_message(label, problems), problems, table_id=label)
    good = tuple(deal for line, deal in deals.items() if deal is not None and not per_row[line])
    return Registry(good, tuple(problems), source=label)


def _read_rows(path: Path, label: str) -> tuple[list[tuple[int, dict[str, str]]], list[RowProblem]]:
    """The rows as (CSV line, column → stripped text), and rows of the wrong length.

    A missing file or a wrong header raises: then no row can be read.
    """
    if not path.is_file():
        raise RegistryError(f"{label}: the registry file does not exist", (), table_id=label)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problem = RowProblem(line, "file", f"is not UTF-8 (byte {data[exc.start]:#04x} at offset {exc.start}): save the registry as UTF-8")
        raise RegistryError(_message(label, [problem]), [problem], table_id=label) from None
    return _rows_of(io.StringIO(text, newline=""), label)


def _rows_of(fh: io.StringIO, label: str) -> tuple[list[tuple[int, dict[str, str]]], list[RowProblem]]:
    """:func:`_read_rows` on the decoded text."""
    reader = csv.reader(fh)
    header = [h.strip() for h in next(reader, [])]
    missing = [c for c in COLUMNS if c not in header]
    extra = [c for c in header if c not in COLUMNS]
    if missing or extra or len(set(header)) != len(header):
        problems = [RowProblem(1, c, "column missing") for c in missing]
        problems += [RowProblem(1, c or "(empty)", "unknown column") for c in extra]
        problems = problems or [RowProblem(1, "header", "a column occurs twice")]
        raise RegistryError(_message(label, problems), problems, table_id=label)
    rows: list[tuple[int, dict[str, str]]] = []
    problems = []
    line = reader.line_num + 1  # the line a record starts on (fields may span lines)
    try:
        for values in reader:
            if any(v.strip() for v in values):
                if len(values) != len(header):
                    problems.append(RowProblem(line, "row", f"has {len(values)} fields, the header has {len(header)}"))
                else:
                    rows.append((line, {h: v.strip() for h, v in zip(header, values)}))
            line = reader.line_num + 1
    except csv.Error as exc:  # e.g. a field over the csv module's 128 KiB limit: an unclosed quote, usually
        problem = RowProblem(line, "row", f"cannot be read as CSV ({exc}); look for an unclosed quote")
        raise RegistryError(_message(label, [problem]), [problem], table_id=label) from None
    return rows, problems


def _cross_row_problems(rows: list[tuple[int, dict[str, str]]]) -> list[RowProblem]:
    """Duplicate ids, and successors that are missing, the deal itself or not of a later tranche."""
    problems = []
    first_line: dict[str, int] = {}
    tranche_of: dict[str, int | None] = {}
    for line, values in rows:
        deal_id = values["id"]
        if deal_id in first_line:
            problems.append(RowProblem(line, "id", f"duplicate id {deal_id!r} (first on line {first_line[deal_id]})", deal_id))
        else:
            first_line[deal_id] = line
            tranche_of[deal_id] = _tranche_or_none(values["tranche"])
    for line, values in rows:
        deal_id, successor = values["id"], values["successor"]
        if not successor or not _ID.match(successor):
            continue  # an empty successor is fine; a malformed one is a problem of the row itself
        if successor == deal_id:
            problems.append(RowProblem(line, "successor", "a deal cannot succeed itself", deal_id))
        elif successor not in first_line:
            close = difflib.get_close_matches(successor, list(first_line), n=1, cutoff=0.8)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(RowProblem(line, "successor", f"{successor!r} is not the id of a deal in this file{hint}", deal_id))
        else:
            own, later = _tranche_or_none(values["tranche"]), tranche_of[successor]
            if own is not None and later is not None and later <= own:
                message = f"{successor!r} is of tranche {later}, not later than this deal's tranche {own}"
                problems.append(RowProblem(line, "successor", message, deal_id))
    return problems


def _message(label: str, problems: list[RowProblem], shown: int = 12) -> str:
    if len(problems) == 1:
        return f"{label}, {problems[0]}"
    lines = [f"{label}: {len(problems)} problems"] + [f"  {p}" for p in problems[:shown]]
    if len(problems) > shown:
        lines.append(f"  … and {len(problems) - shown} more")
    return "\n".join(lines)


def _int_or_none(text: str) -> int | None:
    return int(text) if re.fullmatch(r"[0-9]+", text) else None


def _tranche_or_none(text: str) -> int | None:
    tranche = _int_or_none(text)
    return tranche if tranche in TRANCHES else None


def _split(text: str) -> list[str]:
    return [item.strip() for item in text.split(LIST_SEPARATOR)] if text.strip() else []


def _parse_row(values: dict[str, str], line: int, indeling: Indeling) -> tuple[Deal | None, list[RowProblem]]:
    """One CSV row → a Deal and the problems found in it (the Deal is None when a
    field it needs cannot be read)."""
    problems: list[RowProblem] = []

    def bad(field_name: str, message: str) -> None:
        problems.append(RowProblem(line, field_name, message, values["id"]))

    for required in ("id", "name", "tranche", "year_selected", "status", "partial", "provinces"):
        if not values[required]:
            bad(required, "is empty (required)")
    deal_id = values["id"]
    if deal_id and not _ID.match(deal_id):
        bad("id", f"{deal_id!r} is not an id (lower-case letters, digits and single hyphens)")

    tranche = None
    if values["tranche"]:
        tranche = _int_or_none(values["tranche"])
        if tranche not in TRANCHES:
            bad("tranche", f"unknown tranche {values['tranche']!r} (tranches are {min(TRANCHES)}–{max(TRANCHES)})")
            tranche = None
    year_selected = None
    if values["year_selected"]:
        if not _YEAR.match(values["year_selected"]):
            bad("year_selected", f"{values['year_selected']!r} is not a year")
        else:
            year_selected = int(values["year_selected"])
        if year_selected is not None and tranche is not None and year_selected != TRANCHES[tranche].year_selected:
            bad(
                "year_selected",
                f"{year_selected} does not match tranche {tranche}, selected in {TRANCHES[tranche].year_selected}",
            )

    date_signed = values["date_signed"] or None
    signed_year = None
    if date_signed:
        signed_year = _date_year(date_signed)
        if signed_year is None:
            bad("date_signed", f"{date_signed!r} is not a date (YYYY-MM-DD, or YYYY-MM / YYYY when only that is known)")
        elif year_selected is not None and signed_year < year_selected:
            bad("date_signed", f"{date_signed} is before the selection year {year_selected}")
    end_year = None
    if values["end_year"]:
        if not _YEAR.match(values["end_year"]):
            bad("end_year", f"{values['end_year']!r} is not a year")
        else:
            end_year = int(values["end_year"])
            start = signed_year or year_selected
            if start is not None and end_year < start:
                what = "signing year" if signed_year else "selection year"
                bad("end_year", f"{end_year} is before the {what} {start}")

    rijk = _amount(values["rijksbijdrage_meur"], "rijksbijdrage_meur", bad)
    if rijk is not None and not 0 < rijk <= MAX_RIJKSBIJDRAGE_MEUR:
        bad("rijksbijdrage_meur", f"{values['rijksbijdrage_meur']} is outside €0–{MAX_RIJKSBIJDRAGE_MEUR:.0f}M"
            + (" (leave it empty when unknown)" if rijk == 0 else ""))
    cofinancing = _amount(values["cofinancing_meur"], "cofinancing_meur", bad)

    provinces = _split(values["provinces"])
    for p in provinces:
        if p not in PROVINCES and p != CARIBISCH_NEDERLAND:
            close = difflib.get_close_matches(p, [*PROVINCES, CARIBISCH_NEDERLAND], n=1, cutoff=0.6)
            bad("provinces", f"unknown province {p!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    _duplicates(provinces, "provinces", bad)

    gemeenten = _split(values["gemeenten"])
    _duplicates(gemeenten, "gemeenten", bad)
    naming_year = signed_year or year_selected
    if gemeenten and naming_year is not None:
        if naming_year not in indeling.codes:
            bad("gemeenten", f"names cannot be checked: there is no gemeente list for {naming_year} "
                f"(there is for {indeling.years[0]}–{indeling.years[-1]})")
        else:
            _check_gemeenten(gemeenten, naming_year, provinces, indeling, bad)

    status = values["status"]
    if status and status not in STATUSES:
        close = difflib.get_close_matches(status, STATUSES, n=1, cutoff=0.6)
        bad("status", f"unknown status {status!r}" + (f" (did you mean {close[0]!r}?)" if close else "")
            + f"; statuses are {', '.join(repr(s) for s in STATUSES)}")
    partial = values["partial"].lower()
    if values["partial"] and partial not in ("true", "false"):
        bad("partial", f"{values['partial']!r} is not a partial flag: write true or false")
    successor = values["successor"] or None
    if successor and not _ID.match(successor):
        bad("successor", f"{successor!r} is not an id")
    sources = _split(values["sources"])
    for url in sources:
        if not re.match(r"^https?://\S+$", url):
            bad("sources", f"{url!r} is not a URL")

    if problems or tranche is None or year_selected is None:
        return None, problems
    return (
        Deal(
            id=deal_id,
            name=values["name"],
            tranche=tranche,
            year_selected=year_selected,
            date_signed=date_signed,
            end_year=end_year,
            rijksbijdrage_meur=rijk,
            cofinancing_meur=cofinancing,
            provinces=tuple(provinces),
            gemeenten=tuple(gemeenten),
            lead_ministry=values["lead_ministry"],
            themes=tuple(_split(values["themes"])),
            status=status,
            partial=partial == "true",
            successor=successor,
            sources=tuple(sources),
            notes=values["notes"],
            row=line,
        ),
        problems,
    )


def _date_year(text: str) -> int | None:
    match = _DATE.match(text)
    if not match:
        return None
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        date(year, month or 1, day or 1)
    except ValueError:
        return None
    return year


def _amount(text: str, field_name: str, bad: _Report) -> float | None:
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        hint = " (use a decimal point)" if re.match(r"^-?\d+,\d+$", text) else ""
        bad(field_name, f"{text!r} is not a number in M€{hint}")
        return None
    if value < 0:
        bad(field_name, f"{text} is negative")
        return None
    return value


def _duplicates(items: list[str], field_name: str, bad: _Report) -> None:
    seen: set[str] = set()
    for item in items:
        if not item:
            bad(field_name, "has an empty item (two separators in a row)")
        elif item in seen:
            bad(field_name, f"{item!r} occurs twice")
        seen.add(item)


def _check_gemeenten(names: list[str], year: int, provinces: list[str], indeling: Indeling, bad: _Report) -> None:
    pv_listed = {PROVINCES[p] for p in provinces if p in PROVINCES}
    for name in names:
        if not name:
            continue
        if name in OPENBARE_LICHAMEN:
            if CARIBISCH_NEDERLAND not in provinces:
                bad("gemeenten", f"{name!r} is an openbaar lichaam of {CARIBISCH_NEDERLAND}, "
                    f"which provinces does not list")
            continue
        code = indeling.names[year].get(name)
        if code is None:
            elsewhere = indeling.years_of_name(name)
            if elsewhere:
                hint = (f" (it is one in {_span(elsewhere)}: check date_signed and year_selected, "
                        f"names are those of the signing year)")
            else:
                close = indeling.suggest(name, year)
                hint = f" (did you mean {close!r}?)" if close else ""
            bad("gemeenten", f"{name!r} is not a gemeente in {year}{hint}")
            continue
        pv = indeling.province_of[year].get(code)
        if pv_listed and pv not in pv_listed:
            province = next((p for p, c in PROVINCES.items() if c == pv), pv)
            bad("gemeenten", f"{name} lies in {province}, which provinces does not list")


def _span(years: list[int]) -> str:
    return f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])


# --------------------------------------------------------------------------- members and areas


def members(registry: Registry | Iterable[Deal], year: int, *, indeling: Indeling | None = None) -> pd.DataFrame:
    """The member gemeenten of every deal on the boundaries of ``year``.

    Each deal's names are resolved in its naming year and carried to ``year``
    through the herindelingen (:meth:`Indeling.carry`). Deals without a
    gemeente list and openbare lichamen give no rows (:func:`unresolved_names`).

    Parameters
    ----------
    registry : Registry or iterable of Deal
    year : int
        Boundary year (2018–2026 with the geo folder).
    indeling : Indeling, optional
        Default :func:`default_indeling`.

    Returns
    -------
    pandas.DataFrame
        :data:`MEMBER_COLUMNS`: ``deal_id, gemeente_code, gemeente_name, year,
        partial, named_as, partial_reason``, in registry order, then by code.

    Raises
    ------
    ValueError
        ``year`` is not an indeling year, or a name does not resolve (only for
        deals not checked by :func:`load_registry`).

    Examples
    --------
    >>> reg = load_registry()
    >>> m = members(reg, 2021)
    >>> nob = m[(m["deal_id"] == "t3-noordoost-brabant") & m["partial"]]
    >>> print(nob[["gemeente_code", "gemeente_name", "named_as", "partial_reason"]].to_string(index=False))
    gemeente_code gemeente_name named_as partial_reason
           GM0824    Oisterwijk   Haaren    herindeling
           GM0855       Tilburg   Haaren    herindeling
    """
    indeling = indeling or default_indeling()
    year = indeling.check_year(year)
    rows: list[tuple[str, str, str, int, bool, str, str]] = []
    for deal in registry:
        codes = _named_codes(deal, indeling)
        if not codes:
            continue
        whole = indeling.carry({c: True for c in codes.values()}, deal.naming_year, year)
        sources: dict[str, list[str]] = {}
        for name, code in codes.items():
            for target in indeling.carry({code: True}, deal.naming_year, year):
                sources.setdefault(target, []).append(name)
        for code, full in whole.items():
            reasons = [PARTIAL_DEELGEBIED] if deal.partial else []
            if not full:
                reasons.append(PARTIAL_HERINDELING)
            rows.append(
                (deal.id, code, indeling.codes[year][code], year, bool(reasons),
                 LIST_SEPARATOR.join(sources[code]), "|".join(reasons))
            )
    frame = pd.DataFrame(rows, columns=list(MEMBER_COLUMNS))
    frame["year"] = frame["year"].astype("int16")
    frame["partial"] = frame["partial"].astype(bool)
    return frame


def _named_codes(deal: Deal, indeling: Indeling) -> dict[str, str]:
    """The deal's gemeente names (not openbare lichamen) → codes of its naming year."""
    year = indeling.check_year(deal.naming_year)
    out = {}
    for name in deal.gemeenten:
        if name in OPENBARE_LICHAMEN:
            continue
        code = indeling.names[year].get(name)
        if code is None:
            raise ValueError(f"deal {deal.id}: {name!r} is not a gemeente in {year}")
        out[name] = code
    return out


def unresolved_names(registry: Registry | Iterable[Deal], *, indeling: Indeling | None = None) -> pd.DataFrame:
    """Registry names that resolve to no gemeente code, with the reason.

    For a registry loaded by :func:`load_registry` these are the openbare
    lichamen of Caribisch Nederland; for deals built in code, also unknown names
    (with the closest name of that year).

    Returns
    -------
    pandas.DataFrame
        ``deal_id, name, year, reason`` (``year`` is the naming year).

    Examples
    --------
    >>> out = unresolved_names(load_registry())
    >>> print(out[["deal_id", "name", "year"]].to_string(index=False))
                   deal_id           name  year
    t1-caribisch-nederland        Bonaire  2018
    t1-caribisch-nederland Sint Eustatius  2018
    t1-caribisch-nederland           Saba  2018
         r5-sint-eustatius Sint Eustatius  2024
                   r5-saba           Saba  2024
                r6-bonaire        Bonaire  2025
    >>> print(out["reason"].iloc[0])
    openbaar lichaam of Caribisch Nederland: no gemeente, so no gemeente code or boundary
    """
    indeling = indeling or default_indeling()
    rows = []
    for deal in registry:
        year = deal.naming_year
        for name in deal.gemeenten:
            if name in OPENBARE_LICHAMEN:
                rows.append((deal.id, name, year, OPENBAAR_LICHAAM_REASON))
            elif year not in indeling.names:
                rows.append((deal.id, name, year, f"no gemeente list for {year}"))
            elif name not in indeling.names[year]:
                close = indeling.suggest(name, year)
                rows.append((deal.id, name, year, f"not a gemeente in {year}" + (f" (did you mean {close!r}?)" if close else "")))
    return pd.DataFrame(rows, columns=["deal_id", "name", "year", "reason"])


def deal_areas(
    registry: Registry | Iterable[Deal],
    gemeente_boundaries: gpd.GeoDataFrame,
    year: int,
    *,
    member_table: pd.DataFrame | None = None,
    indeling: Indeling | None = None,
) -> gpd.GeoDataFrame:
    """One dissolved polygon per deal that has members in ``year``.

    Parameters
    ----------
    registry : Registry or iterable of Deal
    gemeente_boundaries : geopandas.GeoDataFrame
        The gemeenten of ``year`` with ``statcode`` (e.g.
        ``welfare.boundaries.read_boundaries(warehouse, "gemeente", year)``, or
        its ``web=True`` copy for drawing).
    year : int
        Boundary year; must match the layer's ``jaar`` when it has one.
    member_table : pandas.DataFrame, optional
        Members as :func:`members` returns them, e.g. from the warehouse
        (``welfare.warehouse.read_deal_members``); rows of other years are
        ignored. Default: computed here with ``indeling``.
    indeling : Indeling, optional
        Default :func:`default_indeling` (only used without ``member_table``).

    Returns
    -------
    geopandas.GeoDataFrame
        ``deal_id, name, tranche, status, rijksbijdrage_meur, cofinancing_meur,
        provinces, themes, year, n_gemeenten, gemeente_codes, partial,
        partial_reason, geometry`` (lists ``;``-joined; ``partial`` when any
        member is partial, ``partial_reason`` the union of the members'), in the
        layer's CRS. Deals without members are left out.

    Raises
    ------
    ValueError
        The layer is of another year or lacks member gemeenten.

    Examples
    --------
    >>> from welfare.sources.geo_files import GeoJsonFolder
    >>> from welfare.boundaries import default_geo_folder
    >>> layer = GeoJsonFolder(default_geo_folder()).fetch("gemeente", 2023)
    >>> areas = deal_areas(load_registry(), layer, 2023)
    >>> row = areas.set_index("deal_id").loc["t3-zuid-hollandse-delta"]
    >>> print(row["n_gemeenten"], row["gemeente_codes"], row["partial"], row.geometry.geom_type)
    4 GM1924;GM1930;GM1963;GM1992 False MultiPolygon
    """
    import geopandas as gpd

    if "jaar" in gemeente_boundaries.columns:
        layer_years = sorted({int(y) for y in gemeente_boundaries["jaar"].dropna().unique()})
        if layer_years and layer_years != [year]:
            raise ValueError(f"'gemeente_boundaries' are of {layer_years}, not of year {year}")
    if member_table is None:
        m = members(registry, year, indeling=indeling)
    else:
        m = member_table[member_table["year"] == year]
        if "partial_reason" not in m.columns:
            m = m.assign(partial_reason=m["partial"].map({True: "partial", False: ""}))
    deals = {d.id: d for d in registry}
    m = m[m["deal_id"].isin(list(deals))]
    geometry = gemeente_boundaries.set_index("statcode").geometry
    absent = sorted(set(m["gemeente_code"]) - set(geometry.index))
    if absent:
        raise ValueError(f"'gemeente_boundaries' lack the member gemeenten {absent[:8]} of {year}")
    rows = []
    for deal_id, group in m.groupby("deal_id", sort=False):
        deal = deals[deal_id]
        reasons = sorted({r for rs in group["partial_reason"] for r in rs.split("|") if r})
        rows.append(
            {
                "deal_id": deal_id,
                "name": deal.name,
                "tranche": deal.tranche,
                "status": deal.status,
                "rijksbijdrage_meur": deal.rijksbijdrage_meur,
                "cofinancing_meur": deal.cofinancing_meur,
                "provinces": LIST_SEPARATOR.join(deal.provinces),
                "themes": LIST_SEPARATOR.join(deal.themes),
                "year": year,
                "n_gemeenten": len(group),
                "gemeente_codes": LIST_SEPARATOR.join(group["gemeente_code"]),
                "partial": bool(group["partial"].any()),
                "partial_reason": "|".join(reasons),
                "geometry": geometry.loc[group["gemeente_code"]].union_all(),
            }
        )
    columns = ["deal_id", "name", "tranche", "status", "rijksbijdrage_meur", "cofinancing_meur", "provinces",
               "themes", "year", "n_gemeenten", "gemeente_codes", "partial", "partial_reason", "geometry"]
    return gpd.GeoDataFrame(pd.DataFrame(rows, columns=columns), geometry="geometry", crs=gemeente_boundaries.crs)


# --------------------------------------------------------------------------- filters and summaries


def filter_deals(
    registry: Registry,
    tranche: int | Collection[int] | None = None,
    status: str | Collection[str] | None = None,
    province: str | Collection[str] | None = None,
    theme: str | None = None,
    budget_range: tuple[float | None, float | None] | None = None,
    text: str | None = None,
) -> Registry:
    """The deals that pass every filter given (None = no filter), in registry order.

    Parameters
    ----------
    registry : Registry
    tranche : int or collection of int
    status : str or collection of str
        Values of :data:`STATUSES`.
    province : str or collection of str
        Province names (:data:`PROVINCES`, ``Caribisch Nederland``) or PV codes;
        a deal passes when it lists any of them.
    theme : str
        Case-insensitive part of one of the deal's themes (``"wonen"``).
    budget_range : (low, high)
        Rijksbijdrage in M€, both ends included, None for open; deals whose
        Rijksbijdrage is unknown do not pass.
    text : str
        Case-insensitive part of the id, name, a gemeente, province or theme,
        the lead ministry or the notes.

    Returns
    -------
    Registry
        The same registry (``problems`` and ``source`` kept) with fewer deals.

    Raises
    ------
    ValueError
        An unknown tranche, status or province, or a range whose low end is above its high end.

    Examples
    --------
    >>> reg = load_registry()
    >>> len(filter_deals(reg, tranche=4)), len(filter_deals(reg, province="Limburg", budget_range=(20, None)))
    (14, 4)
    >>> filter_deals(reg, text="voorne").ids
    ('t3-zuid-hollandse-delta', 'r5-zuid-hollandse-delta-ii')
    >>> filter_deals(reg, status="klaar")
    Traceback (most recent call last):
    ...
    ValueError: 'status' must be among ('afgerond', 'looptijd verstreken (afronding niet bevestigd)', 'in uitvoering', 'convenant vastgesteld (start uitvoering)', 'looptijd onbekend'), got 'klaar'
    """
    keep = list(registry.deals)
    if tranche is not None:
        wanted = _choices("tranche", tranche, tuple(TRANCHES))
        keep = [d for d in keep if d.tranche in wanted]
    if status is not None:
        wanted_status = _choices("status", status, STATUSES)
        keep = [d for d in keep if d.status in wanted_status]
    if province is not None:
        code_of = {**PROVINCES, CARIBISCH_NEDERLAND: CARIBISCH_NEDERLAND}
        allowed = (*code_of, *PROVINCES.values())
        wanted_pv = {code_of.get(p, p) for p in _choices("province", province, allowed)}
        keep = [d for d in keep if any(code_of[p] in wanted_pv for p in d.provinces)]
    if theme:
        needle = theme.casefold().strip()
        keep = [d for d in keep if any(needle in t.casefold() for t in d.themes)]
    if budget_range is not None:
        low, high = budget_range
        if low is not None and high is not None and low > high:
            raise ValueError(f"'budget_range' low end {low} is above its high end {high}")
        keep = [
            d
            for d in keep
            if d.rijksbijdrage_meur is not None
            and (low is None or d.rijksbijdrage_meur >= low)
            and (high is None or d.rijksbijdrage_meur <= high)
        ]
    if text and text.strip():
        needle = text.casefold().strip()
        keep = [d for d in keep if needle in _haystack(d)]
    return Registry(tuple(keep), registry.problems, registry.source)


def _choices(name: str, value: Any, allowed: tuple[Any, ...]) -> set[Any]:
    values = {value} if isinstance(value, (str, int)) else set(value)
    bad = sorted(str(v) for v in values if v not in allowed)
    if bad:
        got = repr(value) if isinstance(value, (str, int)) else repr(bad)
        raise ValueError(f"'{name}' must be among {allowed}, got {got}")
    return values


def _haystack(deal: Deal) -> str:
    parts = [deal.id, deal.name, deal.lead_ministry, deal.notes, *deal.gemeenten, *deal.provinces, *deal.themes]
    return "\n".join(parts).casefold()


SUMMARY_COLUMNS: tuple[str, ...] = (
    "code",  # tranche number, PV/LD code; None for Caribisch Nederland and the total
    "name",
    "n_deals",
    "n_multi",  # deals counted here that also count elsewhere (several provinces/landsdelen)
    "rijksbijdrage_meur",
    "rijksbijdrage_multi_meur",  # the part of rijksbijdrage_meur that comes from those deals
    "n_rijksbijdrage_unknown",
    "n_cofinancing_known",
    "cofinancing_meur",  # sum over the deals whose co-financing is known
    "rijksbijdrage_cofinanced_meur",  # Rijksbijdrage of those same deals
    "cofinancing_ratio",  # cofinancing_meur / rijksbijdrage_cofinanced_meur; NaN when none is known
    "official_rijksbijdrage_meur",  # by tranche: the official total of the round
    "official_n_deals",
)


def summarise(registry: Registry | Iterable[Deal], by: DealGrouping = "tranche", *, split: MoneySplit = "none") -> pd.DataFrame:
    """Deals, Rijksbijdrage and co-financing per tranche, province or landsdeel (KPIs).

    Parameters
    ----------
    registry : Registry or iterable of Deal
    by : {"total", "tranche", "province", "landsdeel"}
        The grouping. A deal counts in every province (landsdeel) it lists;
        Caribisch Nederland is a group of its own (``code`` None) beside the
        provinces and the landsdelen.
    split : {"none", "equal"}, default "none"
        ``"none"``: a deal spanning several groups adds its whole Rijksbijdrage
        and co-financing to each (rows then add up to more than the total;
        ``n_multi``/``rijksbijdrage_multi_meur`` show how much). ``"equal"``:
        its money is divided equally over its groups, so rows add up to the
        total; ``n_deals`` still counts the deal in each group.

    Returns
    -------
    pandas.DataFrame
        :data:`SUMMARY_COLUMNS`, one row per group that has deals (every tranche).
        ``cofinancing_ratio`` is regional co-financing per euro of Rijksbijdrage
        over the deals where the co-financing is known (1.0 = half of the total).

    Examples
    --------
    >>> reg = load_registry()
    >>> by_tranche = summarise(reg)
    >>> print(by_tranche[["code", "n_deals", "rijksbijdrage_meur", "official_rijksbijdrage_meur",
    ...                   "n_cofinancing_known", "cofinancing_ratio"]].round(2).to_string(index=False))
     code  n_deals  rijksbijdrage_meur  official_rijksbijdrage_meur  n_cofinancing_known  cofinancing_ratio
        1        4               345.0                        345.0                    2               1.42
        2       12               215.0                        215.0                    9               1.72
        3       14               180.0                        180.0                   12               1.44
        4       14               284.2                        284.2                    7               1.25
        5       22               384.6                        384.6                    2               1.00
        6       16               244.3                        244.3                    1               1.00
    >>> lds = summarise(reg, "landsdeel", split="equal")
    >>> print(round(lds["rijksbijdrage_meur"].sum(), 1), round(summarise(reg, "total")["rijksbijdrage_meur"].iloc[0], 1))
    1653.1 1653.1
    """
    if by not in GROUPINGS:
        raise ValueError(f"'by' must be one of {GROUPINGS}, got {by!r}")
    if split not in MONEY_SPLITS:
        raise ValueError(f"'split' must be one of {MONEY_SPLITS}, got {split!r}")
    from welfare.boundaries import LANDSDEEL_NAMES, LANDSDEEL_OF_PROVINCIE

    province_name = {code: name for name, code in PROVINCES.items()}

    def groups(deal: Deal) -> list[tuple[Any, str]]:
        if by == "total":
            return [(None, "alle Regio Deals")]
        if by == "tranche":
            return [(deal.tranche, f"tranche {deal.tranche}")]
        out: list[tuple[Any, str]] = []
        for p in deal.provinces:
            if p == CARIBISCH_NEDERLAND:
                key: tuple[Any, str] = (None, CARIBISCH_NEDERLAND)
            elif by == "province":
                key = (PROVINCES[p], province_name[PROVINCES[p]])
            else:
                ld = LANDSDEEL_OF_PROVINCIE[PROVINCES[p]]
                key = (ld, LANDSDEEL_NAMES[ld])
            if key not in out:
                out.append(key)
        return out

    acc: dict[tuple[Any, str], dict[str, float]] = {}
    if by == "tranche":
        for t in TRANCHES:
            acc[(t, f"tranche {t}")] = {}
    for deal in registry:
        keys = groups(deal)
        share = 1.0 / len(keys) if split == "equal" and keys else 1.0
        multi = len(keys) > 1
        rijk = deal.rijksbijdrage_meur
        for key in keys:
            a = acc.setdefault(key, {})
            a["n_deals"] = a.get("n_deals", 0) + 1
            a["n_multi"] = a.get("n_multi", 0) + int(multi)
            if rijk is None:
                a["n_rijksbijdrage_unknown"] = a.get("n_rijksbijdrage_unknown", 0) + 1
            else:
                a["rijksbijdrage_meur"] = a.get("rijksbijdrage_meur", 0.0) + rijk * share
                if multi:
                    a["rijksbijdrage_multi_meur"] = a.get("rijksbijdrage_multi_meur", 0.0) + rijk * share
            if deal.cofinancing_meur is not None and rijk:
                a["n_cofinancing_known"] = a.get("n_cofinancing_known", 0) + 1
                a["cofinancing_meur"] = a.get("cofinancing_meur", 0.0) + deal.cofinancing_meur * share
                a["rijksbijdrage_cofinanced_meur"] = a.get("rijksbijdrage_cofinanced_meur", 0.0) + rijk * share

    def order(key: tuple[Any, str]) -> tuple[int, str]:
        code, name = key
        return (1, name) if code is None and by != "total" else (0, str(code))

    rows = []
    for key in sorted(acc, key=order):
        a = acc[key]
        code, name = key
        n_deals, n_known = int(a.get("n_deals", 0)), int(a.get("n_cofinancing_known", 0))
        # A sum over no known amount is unknown (NaN), except in a group without deals (0).
        rijk_known = n_deals - int(a.get("n_rijksbijdrage_unknown", 0)) > 0 or n_deals == 0
        cofinanced = a.get("rijksbijdrage_cofinanced_meur", 0.0)
        official = TRANCHES[code] if by == "tranche" else None
        rows.append(
            {
                "code": code,
                "name": name,
                "n_deals": n_deals,
                "n_multi": int(a.get("n_multi", 0)),
                "rijksbijdrage_meur": round(a.get("rijksbijdrage_meur", 0.0), 6) if rijk_known else math.nan,
                "rijksbijdrage_multi_meur": round(a.get("rijksbijdrage_multi_meur", 0.0), 6),
                "n_rijksbijdrage_unknown": int(a.get("n_rijksbijdrage_unknown", 0)),
                "n_cofinancing_known": n_known,
                "cofinancing_meur": round(a.get("cofinancing_meur", 0.0), 6) if n_known else math.nan,
                "rijksbijdrage_cofinanced_meur": round(cofinanced, 6) if n_known else math.nan,
                "cofinancing_ratio": a["cofinancing_meur"] / cofinanced if n_known else math.nan,
                "official_rijksbijdrage_meur": official.rijksbijdrage_meur if official else math.nan,
                "official_n_deals": official.n_deals if official else pd.NA,
            }
        )
    frame = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
    frame["official_n_deals"] = frame["official_n_deals"].astype("Int64")
    return frame


# --------------------------------------------------------------------------- map data for exports


def pressure_map_shown(
    pressure: pd.DataFrame,
    geojson: Mapping[str, Any],
    *,
    indicator_label: str,
    unit: str,
    years: str,
    source: str,
    vintage: str | None,
    config_hash: str,
    direction: int = -1,
) -> pd.DataFrame:
    """A pressure map's data for a CSV: one row per gemeente drawn, in the layer's order.

    Every feature of ``geojson`` is drawn (coloured, or grey as "geen
    gegevens"), so each gets a row; a gemeente without a score keeps an empty
    ``value``, ``quarter`` and ``rank``, never 0. ``pressure`` is
    ``ScoreResult.regions`` (``region_code``, ``name`` or ``region_name``,
    ``pressure_score``, ``rank``); ``quarter`` is the map's colour class
    (:func:`welfare.charts.quarter_classes` of all scores, ``direction`` −1:
    more pressure is worse).

    >>> gj = {"features": [{"id": "GM2", "properties": {"statcode": "GM2", "statnaam": "Bee"}},
    ...                    {"id": "GM3", "properties": {"statcode": "GM3", "statnaam": "Cee"}}]}
    >>> p = pd.DataFrame({"region_code": ["GM1", "GM2"], "name": ["Aa", "Bee"], "pressure_score": [0.1, 0.5], "rank": [2, 1]})
    >>> out = pressure_map_shown(p, gj, indicator_label="Druk", unit="z", years="2023", source="Bron: CBS",
    ...                          vintage="v", config_hash="abc")
    >>> out[["region_code", "region_name", "value", "rank", "quarter"]].to_dict("records")
    [{'region_code': 'GM2', 'region_name': 'Bee', 'value': 0.5, 'rank': 1, 'quarter': 'worst'}, {'region_code': 'GM3', 'region_name': 'Cee', 'value': nan, 'rank': None, 'quarter': None}]
    """
    from welfare.charts import quarter_classes

    features = list(geojson.get("features") or [])
    codes = [str(f.get("id") or f["properties"]["statcode"]) for f in features]
    layer_names = {c: (f.get("properties") or {}).get("statnaam") for c, f in zip(codes, features)}
    frame = pressure.drop_duplicates("region_code").set_index(pressure["region_code"].drop_duplicates().astype(str))
    values = pd.to_numeric(frame["pressure_score"], errors="coerce")
    quarters = pd.Series(quarter_classes(values, direction).to_numpy(), index=frame.index, dtype="object")
    name_col = "name" if "name" in frame else "region_name"
    names = frame[name_col].astype("object") if name_col in frame else pd.Series(dtype="object")
    rank = pd.to_numeric(frame["rank"], errors="coerce") if "rank" in frame else pd.Series(dtype=float)
    out = pd.DataFrame(
        {
            "region_code": codes,
            "region_name": [str(names.get(c) if pd.notna(names.get(c)) else layer_names.get(c) or c) for c in codes],
            "level": "GM",
            "indicator": "pressure",
            "indicator_label": indicator_label,
            "year": years,
            "value": values.reindex(codes).to_numpy(dtype=float),
            "unit": unit,
            "rank": pd.array(rank.reindex(codes).to_numpy(dtype=float), dtype="Int64"),
            "quarter": quarters.reindex(codes).to_numpy(),
            "source": source,
            "vintage": vintage or "",
            "config_hash": config_hash,
        }
    )
    out["quarter"] = out["quarter"].astype("object").where(out["quarter"].notna(), None)
    return out


def deal_map_shown(pressure_rows: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """:func:`pressure_map_shown` rows with the deal areas drawn over them (``deal_ids``, ``deals``).

    ``areas`` are the :func:`deal_areas` rows on the map (``deal_id``,
    ``name``, ``gemeente_codes`` joined by ``;``). A gemeente in no deal drawn
    has empty deal columns.

    >>> rows = pd.DataFrame({"region_code": ["GM1", "GM2"]})
    >>> areas = pd.DataFrame({"deal_id": ["a", "b"], "name": ["A", "B"], "tranche": [1, 2], "gemeente_codes": ["GM1;GM2", "GM2"]})
    >>> deal_map_shown(rows, areas)[["region_code", "deal_ids", "deals"]].to_dict("records")
    [{'region_code': 'GM1', 'deal_ids': 'a', 'deals': 'A'}, {'region_code': 'GM2', 'deal_ids': 'a;b', 'deals': 'A; B'}]
    """
    ids: dict[str, list[str]] = {}
    names: dict[str, list[str]] = {}
    for deal_id, name, codes in zip(areas["deal_id"], areas["name"], areas["gemeente_codes"]):
        for code in str(codes or "").split(";"):
            code = code.strip()
            if code:
                ids.setdefault(code, []).append(str(deal_id))
                names.setdefault(code, []).append(str(name))
    out = pressure_rows.copy()
    codes = out["region_code"].astype(str)
    out["deal_ids"] = [";".join(ids[c]) if c in ids else None for c in codes]
    out["deals"] = ["; ".join(names[c]) if c in names else None for c in codes]
    return out


# --------------------------------------------------------------------------- warehouse tables


def warehouse_tables(
    registry: Registry, *, indeling: Indeling | None = None, years: Iterable[int] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``deals.parquet`` and ``deal_members.parquet`` content: the registry frame and
    the members on every boundary year (default all years of the indeling).

    >>> deals, mem = warehouse_tables(load_registry(), years=[2025, 2026])
    >>> len(deals), sorted(mem["year"].unique().tolist())
    (82, [2025, 2026])
    """
    indeling = indeling or default_indeling()
    deals = registry.frame()
    years = indeling.years if years is None else list(years)
    mem = pd.concat([members(registry, y, indeling=indeling) for y in years], ignore_index=True)
    return deals, mem


__all__ = [
    "CARIBISCH_NEDERLAND",
    "COLUMNS",
    "DEFAULT_REGISTRY",
    "GROUPINGS",
    "MEMBER_COLUMNS",
    "MONEY_SPLITS",
    "OPENBARE_LICHAMEN",
    "PROVINCES",
    "STATUSES",
    "SUMMARY_COLUMNS",
    "TRANCHES",
    "Deal",
    "DealGrouping",
    "DealStatus",
    "Indeling",
    "MoneySplit",
    "Registry",
    "RegistryError",
    "RowProblem",
    "Tranche",
    "baseline_year",
    "deal_areas",
    "deal_map_shown",
    "default_indeling",
    "filter_deals",
    "latest_year",
    "load_registry",
    "members",
    "pressure_map_shown",
    "summarise",
    "unresolved_names",
    "warehouse_tables",
]
