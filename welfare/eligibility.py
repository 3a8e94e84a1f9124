"""Would an area qualify for a Regio Deal? The afwegingskader as a checklist, with the numbers behind it.

Officials ask: "this set of gemeenten wants a deal of €X with €Y co-financing — how
does it stand against the criteria?" :func:`check` answers with one
:class:`Criterion` per rule of the afwegingskader (the framework of the 2022 and
2024 letters), each with a verdict, the numbers behind it and the rule's source.
Round 6 (2025) was announced as the last round, so the check is a *what-if*
against the latest framework; no submission window is open.

Verdicts (:data:`VERDICTS`) are ``voldoet``, ``aandachtspunt``, ``voldoet niet``
and ``niet te toetsen``. What they mean depends on the kind of rule
(:data:`KINDS`): a ``hard`` rule fails with ``voldoet niet``; a ``priority``,
``assessment`` or ``portfolio`` consideration never excludes an area, so there
``voldoet niet`` means "this consideration does not speak for the area"; the
``qualitative`` parts are never scored.

The criteria (:data:`CRITERIA`, in this order)
----------------------------------------------
``rijksbijdrage`` (hard)
    The Rijksbijdrage is one-off, at least €5M and at most €40M: both ends count
    as inside (5 and 40 pass, 4.99 and 40.01 fail).
``cofinanciering`` (hard, with a motivated exception)
    The Rijk pays at most half: regional co-financing (public plus private) at
    least equal to the Rijksbijdrage (exactly 50 % passes). A lower share is an
    ``aandachtspunt``: allowed only with a motivation about the area's
    *draagkracht*, for which the area's income and wealth position is given as
    context (:data:`DRAAGKRACHT_INDICATORS`, beside NL and among the gemeenten).
    No co-financing at all fails: a deal is a joint investment.
``brede_welvaart`` (priority)
    "Special attention for regions where brede welvaart is most under pressure".
    No threshold was ever published; this is the dashboard's own measure
    (:mod:`welfare.scoring`): the area's composite pressure percentile among all
    gemeenten, its rank, the Monte Carlo rank band and label, and the number of
    indicators in the gemeenten's worst quarter. "Most under pressure" is read
    as the quarter of gemeenten with most pressure: ``robuust hoog`` (in that
    quarter in ≥ 90 % of the draws) meets, ``grensgeval`` is an
    ``aandachtspunt``, ``robuust laag`` does not meet.
``meervoudige_opgave`` (assessment, part *opgave*)
    The number of themes whose score is in the gemeenten's worst quarter, and
    which: two or more meet (:data:`MIN_THEMES`, our reading of "meervoudig"),
    one is an ``aandachtspunt``, none does not meet.
``eerdere_deals`` (priority from round 6)
    Which member gemeenten are already in a deal (the registry's members on the
    newest indeling), which deals, their status. Framework 2024: any overlap is
    an ``aandachtspunt`` (round 6 gave priority to regions without a deal).
    Framework 2022 has no such priority: only an overlap with a running deal is
    an ``aandachtspunt`` (double funding). Deals without a gemeente list in the
    area's provinces are listed as *possible* overlaps, without changing the verdict.
``spreiding`` (portfolio)
    Deals and Rijksbijdrage so far in the area's provinces and landsdelen, and
    per inhabitant against NL (money of a deal spanning several provinces split
    equally over them, so the rows add up). A landsdeel at or below the NL
    amount per inhabitant meets; above it is an ``aandachtspunt``.
``kwalitatief`` (qualitative)
    Aanpak, organisatie and the rest of the assessment, listed as questions for
    the official (:data:`QUESTIONS`); always ``niet te toetsen``.

An empty area leaves the money rules checked and every area rule ``niet te
toetsen``; an unknown code raises :class:`AreaError` naming it.

The area's rank band
--------------------
:func:`welfare.scoring.score_areas` places the area among the gemeenten on
their own scale (the point figures). For the band the Monte Carlo of
:func:`welfare.uncertainty.rank_uncertainty` runs over the gemeenten matrix with
the area's aggregated values (aggregated exactly as ``score_areas`` does) appended
as one extra row. Its rank in a draw is then 1 + the gemeenten with more
pressure, the same meaning as ``rank_among``. Two side effects, both small and
accepted: the extra row takes part in each draw's normalisation (one row of
~340), and the area has no CBS confidence bounds (its values are aggregates), so
only the gemeenten's values are redrawn.

Examples
--------
>>> p = Proposal(rijksbijdrage_meur=20, cofinancing_public_meur=12, cofinancing_private_meur=8)
>>> rijksbijdrage_criterion(p).verdict, cofinancing_criterion(p).verdict
('voldoet', 'voldoet')
>>> cofinancing_criterion(Proposal(rijksbijdrage_meur=20, cofinancing_meur=10)).numbers["rijk_share"]
0.6667
"""

from __future__ import annotations

import io
import math
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from welfare.catalog import Catalog
from welfare.i18n import t

Verdict = Literal["voldoet", "aandachtspunt", "voldoet niet", "niet te toetsen"]
VERDICTS: tuple[str, ...] = get_args(Verdict)
MEETS, ATTENTION, FAILS, UNTESTABLE = VERDICTS

Framework = Literal[2022, 2024]
FRAMEWORKS: tuple[int, ...] = get_args(Framework)
LATEST_FRAMEWORK = 2024

Kind = Literal["hard", "hard_exception", "priority", "assessment", "portfolio", "qualitative"]
KINDS: tuple[str, ...] = get_args(Kind)

CriterionId = Literal[
    "rijksbijdrage", "cofinanciering", "brede_welvaart", "meervoudige_opgave", "eerdere_deals", "spreiding", "kwalitatief"
]
CRITERIA: tuple[str, ...] = get_args(CriterionId)
KIND_OF: dict[str, str] = {
    "rijksbijdrage": "hard",
    "cofinanciering": "hard_exception",
    "brede_welvaart": "priority",
    "meervoudige_opgave": "assessment",
    "eerdere_deals": "priority",
    "spreiding": "portfolio",
    "kwalitatief": "qualitative",
}

MIN_RIJKSBIJDRAGE_MEUR = 5.0
MAX_RIJKSBIJDRAGE_MEUR = 40.0
MAX_RIJK_SHARE = 0.5
MIN_THEMES = 2  # "meervoudige opgave": our reading, not a published number
ROBUST_SHARE = 0.9  # robuust hoog: in the worst quarter of gemeenten in ≥ this share of the draws
TOLERANCE_MEUR = 1e-9  # amounts are compared with this slack (exactly 50 % must pass)
AREA_CODE = "AREA"  # the area's row code in scoring frames
DEAL_PREFIX = "deal:"
RUNNING_STATUSES: tuple[str, ...] = ("in uitvoering", "convenant vastgesteld (start uitvoering)")

# Income and wealth of the area, shown beside the co-financing rule (draagkracht).
DRAAGKRACHT_INDICATORS: tuple[str, ...] = (
    "mat_median_income",
    "eco_median_wealth",
    "ctx_low_income_households",
    "ctx_woz_value",
)
# Questions for the official: the parts of the assessment this check does not score.
QUESTIONS: tuple[str, ...] = ("opgave", "aanpak", "financien", "organisatie", "indienmoment")

# Area codes a token may name → the column of regions.parquet with each gemeente's parent.
AREA_PARENT: dict[str, str] = {"CR": "corop", "PV": "provincie", "LD": "landsdeel", "AM": "arbeidsmarktregio"}
_GM = re.compile(r"^GM\d{4}$")
_PARENT = re.compile(r"^(CR|PV|LD|AM)\d{2}$")
_NL = re.compile(r"^NL\d{2}$")
_SPLIT = re.compile(r"[\s~,;]+")
MAX_TOKENS = 400


class AreaError(ValueError):
    """An area that cannot be built: an unknown gemeente, area or deal; the message names it."""


# =========================================================================== the proposal


@dataclass(frozen=True)
class Proposal:
    """What is proposed: an area of gemeenten, the money and the framework to test against.

    Parameters
    ----------
    gemeenten : tuple of str
        Gemeente codes on the newest indeling (:func:`resolve_area` turns presets
        such as ``CR39`` or ``deal:<id>`` into codes). Duplicates and order do not
        matter; the codes are kept sorted.
    rijksbijdrage_meur : float or None
        The proposed Rijksbijdrage in M€; None = not given.
    cofinancing_public_meur, cofinancing_private_meur : float or None
        Regional co-financing in M€ by kind. A part left empty counts as none of
        that kind when the other part is given.
    cofinancing_meur : float or None
        The total co-financing when its split is unknown (the CLI's
        ``--cofinanciering``). With parts as well, they must add up to it.
    framework : {2022, 2024}
        The afwegingskader to test against (default the latest, 2024).
    name : str
        The area's name, for the onderbouwing.

    Raises
    ------
    ValueError
        A negative or non-finite amount, an unknown framework, parts that do not
        add up to the total.

    Examples
    --------
    >>> Proposal(("GM0928", "GM0917", "GM0917"), 20, 5, None).gemeenten
    ('GM0917', 'GM0928')
    >>> Proposal(rijksbijdrage_meur=20, cofinancing_public_meur=5).cofinancing_total_meur
    5.0
    >>> Proposal(rijksbijdrage_meur=-1)
    Traceback (most recent call last):
    ...
    ValueError: 'rijksbijdrage_meur' must be a number ≥ 0 (M€) or None, got -1
    """

    gemeenten: tuple[str, ...] = ()
    rijksbijdrage_meur: float | None = None
    cofinancing_public_meur: float | None = None
    cofinancing_private_meur: float | None = None
    cofinancing_meur: float | None = None
    framework: int = LATEST_FRAMEWORK
    name: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.gemeenten, str):
            codes = [c for c in _SPLIT.split(self.gemeenten) if c]
        else:
            codes = [str(c) for c in self.gemeenten]
        object.__setattr__(self, "gemeenten", tuple(sorted({c.strip().upper() for c in codes if c.strip()})))
        for name in ("rijksbijdrage_meur", "cofinancing_public_meur", "cofinancing_private_meur", "cofinancing_meur"):
            value = getattr(self, name)
            if value is None:
                continue
            ok = isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)
            if not ok or not math.isfinite(float(value)) or float(value) < 0:
                raise ValueError(f"'{name}' must be a number ≥ 0 (M€) or None, got {value!r}")
            object.__setattr__(self, name, float(value))
        try:
            framework = int(self.framework)
        except (TypeError, ValueError):
            framework = -1
        if framework not in FRAMEWORKS:
            raise ValueError(f"'framework' must be one of {list(FRAMEWORKS)}, got {self.framework!r}")
        object.__setattr__(self, "framework", framework)
        parts = (self.cofinancing_public_meur, self.cofinancing_private_meur)
        if self.cofinancing_meur is not None and any(p is not None for p in parts):
            total = sum(p or 0.0 for p in parts)
            if abs(total - self.cofinancing_meur) > 0.005:
                raise ValueError(
                    f"public ({parts[0]}) and private ({parts[1]}) co-financing add up to {total:g}, "
                    f"not to the total 'cofinancing_meur' {self.cofinancing_meur:g}"
                )

    @property
    def cofinancing_total_meur(self) -> float | None:
        """Public plus private co-financing in M€; None when none is given."""
        if self.cofinancing_meur is not None:
            return self.cofinancing_meur
        parts = [p for p in (self.cofinancing_public_meur, self.cofinancing_private_meur) if p is not None]
        return float(sum(parts)) if parts else None

    @property
    def split_known(self) -> bool:
        """Whether the public/private split of the co-financing is known."""
        return self.cofinancing_public_meur is not None or self.cofinancing_private_meur is not None


# =========================================================================== results


@dataclass(frozen=True)
class Criterion:
    """One rule of the framework applied to a proposal.

    ``numbers`` holds what the verdict rests on (JSON-able: numbers, strings,
    lists, dicts; None for unknown); ``case`` says which sentence explains it
    (:func:`explain`). The rule's source is rendered per language by :meth:`source`.
    """

    id: str
    verdict: str
    numbers: dict[str, Any]
    case: str
    framework: int = LATEST_FRAMEWORK
    kind: str = ""

    def __post_init__(self) -> None:
        if self.id not in CRITERIA:
            raise ValueError(f"'id' must be one of {list(CRITERIA)}, got {self.id!r}")
        if self.verdict not in VERDICTS:
            raise ValueError(f"'verdict' must be one of {list(VERDICTS)}, got {self.verdict!r}")
        if not self.kind:
            object.__setattr__(self, "kind", KIND_OF[self.id])

    def title(self, lang: str = "nl") -> str:
        return t(f"check.crit.{self.id}", lang)

    def source(self, lang: str = "nl", data: bool = True) -> str:
        """Where the rule comes from and, with ``data``, the CBS tables and years behind the numbers."""
        fw = self.framework
        used = self.numbers.get("data_source") or {}
        cbs = _cbs_line(used.get("tables", ()), used.get("years", ()), lang) if used and data else ""
        if self.id in ("rijksbijdrage", "cofinanciering", "kwalitatief"):
            text = t(f"check.src.{self.id}", lang, framework=fw)
        elif self.id == "eerdere_deals":
            text = t(f"check.src.eerdere_deals_{fw}", lang, framework=fw)
        elif self.id == "brede_welvaart":
            h = self.numbers.get("config_hash")
            text = t("check.src.brede_welvaart", lang, hash=h) if h else t("check.src.brede_welvaart_rule", lang)
        elif self.id == "spreiding" and self.numbers.get("population_year"):
            text = t("check.src.spreiding", lang, framework=fw, year=self.numbers["population_year"])
        else:
            text = t(f"check.src.{self.id}_rule" if self.id == "spreiding" else f"check.src.{self.id}", lang, framework=fw)
        return f"{text} {cbs}".strip() if cbs else text

    def to_dict(self, lang: str = "nl") -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "verdict": self.verdict,
            "numbers": _jsonable(self.numbers),
            "source": self.source(lang),
            "explanation": explain(self, lang),
        }


@dataclass(frozen=True)
class Area:
    """The proposed area as built: codes, names, population and parents on one indeling."""

    codes: tuple[str, ...]
    names: tuple[str, ...]
    year: int  # the gemeente indeling (the newest, that of the harmonised rows)
    population: float | None
    provinces: tuple[tuple[str, str], ...]  # (code, name)
    landsdelen: tuple[tuple[str, str], ...]

    @property
    def empty(self) -> bool:
        return not self.codes


@dataclass(frozen=True)
class EligibilityResult:
    """The checklist for one proposal: the criteria and the headline numbers."""

    proposal: Proposal
    area: Area
    criteria: tuple[Criterion, ...]
    config_hash: str = ""
    built_at: str = ""
    checked_on: str = field(default_factory=lambda: date.today().isoformat())

    def criterion(self, criterion_id: str) -> Criterion:
        for c in self.criteria:
            if c.id == criterion_id:
                return c
        raise KeyError(criterion_id)

    @property
    def pressure_percentile(self) -> float | None:
        return self.criterion("brede_welvaart").numbers.get("percentile")

    @property
    def themes_under_pressure(self) -> int | None:
        return self.criterion("meervoudige_opgave").numbers.get("themes_under_pressure")

    @property
    def existing_deals(self) -> list[dict[str, Any]]:
        return list(self.criterion("eerdere_deals").numbers.get("deals") or [])

    @property
    def verdicts(self) -> dict[str, str]:
        return {c.id: c.verdict for c in self.criteria}

    def to_dict(self, lang: str = "nl") -> dict[str, Any]:
        """The CLI's JSON: ``criteria`` (id, verdict, numbers, source, …) and the headline numbers."""
        p = self.proposal
        return _jsonable(
            {
                "framework": p.framework,
                "what_if": True,
                "area": {
                    "name": p.name or None,
                    "gemeenten": list(self.area.codes),
                    "names": list(self.area.names),
                    "indeling": self.area.year,
                    "population": self.area.population,
                    "provinces": [code for code, _ in self.area.provinces],
                    "landsdelen": [code for code, _ in self.area.landsdelen],
                },
                "rijksbijdrage_meur": p.rijksbijdrage_meur,
                "cofinancing_meur": p.cofinancing_total_meur,
                "cofinancing_public_meur": p.cofinancing_public_meur,
                "cofinancing_private_meur": p.cofinancing_private_meur,
                "pressure_percentile": self.pressure_percentile,
                "themes_under_pressure": self.themes_under_pressure,
                "existing_deals": self.existing_deals,
                "criteria": [c.to_dict(lang) for c in self.criteria],
                "config_hash": self.config_hash,
                "data_as_of": self.built_at[:10] or None,
                "checked_on": self.checked_on,
                "sources": source_lines(self, lang),
            }
        )


# =========================================================================== the area


def area_year(observations: pd.DataFrame, regions: pd.DataFrame) -> int:
    """The gemeente indeling areas are built on: that of the harmonised rows, within the regions' years."""
    from welfare.deal_welfare import boundary_year_of

    return min(boundary_year_of(observations), int(regions["year"].max()))


def split_tokens(text: str | Sequence[str] | None) -> list[str]:
    """Area tokens from a URL value or a CLI argument: split on ``~``, ``,``, ``;`` or spaces.

    Codes are upper-cased, deal ids lower-cased; at most :data:`MAX_TOKENS` are read.

    >>> split_tokens("gm0917~CR39, deal:T2-Parkstad-Limburg-I")
    ['GM0917', 'CR39', 'deal:t2-parkstad-limburg-i']
    >>> split_tokens(None), split_tokens(["GM0917", " "])
    ([], ['GM0917'])
    """
    if text is None:
        return []
    parts = _SPLIT.split(text) if isinstance(text, str) else [p for x in text for p in _SPLIT.split(str(x))]
    out = []
    for part in parts[: MAX_TOKENS]:
        part = part.strip()
        if not part:
            continue
        out.append(DEAL_PREFIX + part[len(DEAL_PREFIX):].lower() if part.lower().startswith(DEAL_PREFIX) else part.upper())
    return out


def resolve_area(
    tokens: str | Sequence[str],
    regions: pd.DataFrame,
    year: int,
    member_table: pd.DataFrame | None = None,
) -> tuple[str, ...]:
    """The gemeente codes an area is made of, from codes and presets.

    Parameters
    ----------
    tokens : str or sequence of str
        Gemeente codes (``GM0917``), areas whose gemeenten are taken whole
        (COROP ``CR39``, province ``PV31``, landsdeel ``LD04``,
        arbeidsmarktregio ``AM30``, all of ``NL01``) and deal areas
        (``deal:<deal id>``: its members on ``year``); a string is split by
        :func:`split_tokens`. The area is their union.
    regions : pandas.DataFrame
        ``regions.parquet``: the gemeenten of ``year`` with their parents.
    year : int
        The indeling (:func:`area_year`).
    member_table : pandas.DataFrame, optional
        :func:`welfare.deals.members` on ``year``; needed for ``deal:`` tokens.

    Returns
    -------
    tuple of str
        Sorted gemeente codes, without duplicates.

    Raises
    ------
    AreaError
        A token that is no gemeente, area or deal of ``year``, named in the message.

    Examples
    --------
    >>> from welfare.aggregate import example_frames
    >>> _, reg = example_frames()
    >>> resolve_area("AM36", reg, 2024)
    ('GM0166', 'GM0180', 'GM0193', 'GM1896')
    >>> resolve_area(["GM0193", "GM0193", "GM1896"], reg, 2024)
    ('GM0193', 'GM1896')
    >>> resolve_area("GM0193~GM9999", reg, 2024)
    Traceback (most recent call last):
    ...
    welfare.eligibility.AreaError: unknown gemeente code 'GM9999': not a gemeente in the 2024 indeling
    """
    gm = regions[(regions["level"] == "GM") & (regions["year"] == year)]
    if gm.empty:
        raise AreaError(f"regions has no gemeenten for the {year} indeling")
    known = set(gm["code"])
    codes: set[str] = set()
    for token in split_tokens(tokens):
        if _GM.match(token):
            if token not in known:
                raise AreaError(f"unknown gemeente code {token!r}: not a gemeente in the {year} indeling")
            codes.add(token)
        elif _PARENT.match(token):
            column = AREA_PARENT[token[:2]]
            inside = gm.loc[gm[column] == token, "code"] if column in gm else pd.Series(dtype=object)
            if inside.empty:
                raise AreaError(f"unknown {column} code {token!r}: no gemeente of the {year} indeling lies in it")
            codes.update(inside)
        elif _NL.match(token):
            codes.update(known)
        elif token.startswith(DEAL_PREFIX):
            deal_id = token[len(DEAL_PREFIX):]
            if member_table is None:
                raise AreaError(f"{token!r}: deal areas need the deals' members (member_table)")
            rows = member_table[(member_table["deal_id"] == deal_id) & (member_table["year"] == year)]
            if rows.empty:
                raise AreaError(f"unknown deal {deal_id!r}, or a deal without a gemeente list in {year}")
            codes.update(rows["gemeente_code"])
        else:
            raise AreaError(
                f"{token[:40]!r} is not a gemeente code (GM0000), an area code (CR, PV, LD, AM + 2 digits) or deal:<deal id>"
            )
    return tuple(sorted(codes))


def presets(regions: pd.DataFrame, year: int, registry: Any = None, member_table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Ready-made areas for the area builder: COROP, province, arbeidsmarktregio and deal areas.

    Returns
    -------
    pandas.DataFrame
        ``kind`` (``corop``, ``provincie``, ``arbeidsmarktregio``, ``deal``),
        ``token`` (what :func:`resolve_area` reads: ``CR39``, ``deal:<id>``),
        ``name`` and ``gemeenten`` (a tuple of codes on ``year``), sorted by kind
        and name. Deals need ``registry`` and ``member_table``; only deals with
        members on ``year`` are listed.

    Examples
    --------
    >>> from welfare.aggregate import example_frames
    >>> _, reg = example_frames()
    >>> p = presets(reg, 2024)
    >>> p[p["kind"] == "arbeidsmarktregio"][["token", "gemeenten"]].to_dict("records")
    [{'token': 'AM36', 'gemeenten': ('GM0166', 'GM0180', 'GM0193', 'GM1896')}]
    """
    gm = regions[(regions["level"] == "GM") & (regions["year"] == year)]
    names = regions[regions["year"] == year].drop_duplicates("code").set_index("code")["name"].to_dict()
    rows = []
    for kind in ("corop", "provincie", "arbeidsmarktregio"):
        if kind not in gm:
            continue
        for code, group in gm.dropna(subset=[kind]).groupby(kind):
            rows.append((kind, code, names.get(code, code), tuple(sorted(group["code"]))))
    if registry is not None and member_table is not None:
        on_year = member_table[member_table["year"] == year]
        by_deal = {d: tuple(sorted(g["gemeente_code"])) for d, g in on_year.groupby("deal_id")}
        for deal in registry:
            if deal.id in by_deal:
                rows.append(("deal", DEAL_PREFIX + deal.id, deal.name, by_deal[deal.id]))
    order = {"corop": 0, "provincie": 1, "arbeidsmarktregio": 2, "deal": 3}
    out = pd.DataFrame(rows, columns=["kind", "token", "name", "gemeenten"])
    out = out.sort_values(["kind", "name"], key=lambda s: s.map(order) if s.name == "kind" else s.str.casefold(), kind="stable")
    return out.reset_index(drop=True)


def _area(codes: Sequence[str], regions: pd.DataFrame, year: int) -> Area:
    gm = regions[(regions["level"] == "GM") & (regions["year"] == year)].drop_duplicates("code").set_index("code")
    unknown = [c for c in codes if c not in gm.index]
    if unknown:
        shown = ", ".join(repr(c) for c in unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
        raise AreaError(f"unknown gemeente code(s) {shown}: not a gemeente in the {year} indeling")
    rows = gm.loc[list(codes)]
    names = regions[regions["year"] == year].drop_duplicates("code").set_index("code")["name"].to_dict()
    from welfare.boundaries import LANDSDEEL_NAMES

    def parents(column: str) -> tuple[tuple[str, str], ...]:
        values = sorted({str(v) for v in rows[column].dropna()}) if column in rows else []
        return tuple((v, names.get(v) or LANDSDEEL_NAMES.get(v, v)) for v in values)

    population = pd.to_numeric(rows["population"], errors="coerce")
    return Area(
        codes=tuple(codes),
        names=tuple(rows["name"].astype(str)),
        year=year,
        population=float(population.sum()) if len(rows) and population.notna().all() else None,
        provinces=parents("provincie"),
        landsdelen=parents("landsdeel"),
    )


# =========================================================================== the money rules


def rijksbijdrage_criterion(proposal: Proposal) -> Criterion:
    """The Rijksbijdrage within [5, 40] M€ (hard; both ends inside).

    >>> [rijksbijdrage_criterion(Proposal(rijksbijdrage_meur=x)).verdict for x in (4.99, 5, 40, 40.01)]
    ['voldoet niet', 'voldoet', 'voldoet', 'voldoet niet']
    >>> rijksbijdrage_criterion(Proposal()).verdict
    'niet te toetsen'
    """
    rijk = proposal.rijksbijdrage_meur
    numbers = {"rijksbijdrage_meur": rijk, "min_meur": MIN_RIJKSBIJDRAGE_MEUR, "max_meur": MAX_RIJKSBIJDRAGE_MEUR}
    if rijk is None:
        verdict, case = UNTESTABLE, "missing"
    elif rijk < MIN_RIJKSBIJDRAGE_MEUR - TOLERANCE_MEUR:
        verdict, case = FAILS, "low"
    elif rijk > MAX_RIJKSBIJDRAGE_MEUR + TOLERANCE_MEUR:
        verdict, case = FAILS, "high"
    else:
        verdict, case = MEETS, "ok"
    return Criterion("rijksbijdrage", verdict, numbers, case, proposal.framework)


def cofinancing_criterion(proposal: Proposal, draagkracht: Sequence[Mapping[str, Any]] = ()) -> Criterion:
    """Rijk ≤ 50 % of the total: co-financing ≥ Rijksbijdrage (hard, with a motivated exception).

    ``draagkracht`` is the area's income and wealth context (:func:`draagkracht_context`),
    carried in the numbers.

    >>> def v(rijk, cofin):
    ...     return cofinancing_criterion(Proposal(rijksbijdrage_meur=rijk, cofinancing_meur=cofin)).verdict
    >>> v(20, 20), v(20, 19.99), v(20, 0), v(20, None), v(None, 20)
    ('voldoet', 'aandachtspunt', 'voldoet niet', 'niet te toetsen', 'niet te toetsen')
    """
    rijk, cofin = proposal.rijksbijdrage_meur, proposal.cofinancing_total_meur
    numbers: dict[str, Any] = {
        "rijksbijdrage_meur": rijk,
        "cofinancing_meur": cofin,
        "cofinancing_public_meur": proposal.cofinancing_public_meur,
        "cofinancing_private_meur": proposal.cofinancing_private_meur,
        "split_known": proposal.split_known,
        "total_meur": None,
        "rijk_share": None,
        "cofinancing_per_euro_rijk": None,
        "max_rijk_share": MAX_RIJK_SHARE,
        "draagkracht": [dict(d) for d in draagkracht],
    }
    if rijk is None:
        return Criterion("cofinanciering", UNTESTABLE, numbers, "no_rijk", proposal.framework)
    if cofin is None:
        return Criterion("cofinanciering", UNTESTABLE, numbers, "missing", proposal.framework)
    total = rijk + cofin
    numbers["total_meur"] = round(total, 6)
    numbers["rijk_share"] = round(rijk / total, 4) if total > 0 else None
    numbers["cofinancing_per_euro_rijk"] = round(cofin / rijk, 4) if rijk > 0 else None
    if cofin + TOLERANCE_MEUR >= rijk:
        verdict, case = MEETS, "ok"
    elif cofin <= TOLERANCE_MEUR:
        verdict, case = FAILS, "none"
    else:
        verdict, case = ATTENTION, "low_share"
    return Criterion("cofinanciering", verdict, numbers, case, proposal.framework)


# =========================================================================== the area rules


def _harmonised(observations: pd.DataFrame) -> pd.DataFrame:
    return observations[observations["flags"].fillna("").str.contains("harmonised", regex=False)]


def _area_values(
    observations: pd.DataFrame,
    regions: pd.DataFrame,
    catalog: Catalog,
    codes: Sequence[str],
    indicators: Sequence[str],
    years: Sequence[int],
    boundary: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The area's value and approximation flag per indicator, for the indicator's year (as score_areas builds them)."""
    from welfare.aggregate import aggregate_areas

    agg = aggregate_areas(
        observations,
        regions,
        {AREA_CODE: list(codes)},
        catalog,
        boundary_year=boundary,
        years=sorted({int(y) for y in years if y > 0}),
        indicators=list(indicators),
        harmonised=True,
    )
    wanted = pd.DataFrame({"indicator_id": list(indicators), "year": np.asarray(years, dtype="int64")})
    agg = agg.astype({"year": "int64"}).merge(wanted, on=["indicator_id", "year"]).drop_duplicates("indicator_id")
    by_id = agg.set_index("indicator_id")
    values = by_id["value"].reindex(list(indicators)).to_numpy(dtype=float)
    approx = by_id["method"].reindex(list(indicators)).fillna("").eq("approximation").to_numpy()
    return values, approx


def _pressure_numbers(
    observations: pd.DataFrame,
    regions: pd.DataFrame,
    catalog: Catalog,
    codes: Sequence[str],
    config: Any,
    spec: Any,
) -> dict[str, Any]:
    """Point figures (score_areas) and the Monte Carlo rank band of the area among the gemeenten."""
    from welfare.scoring import QUARTER, ScoringConfig, ScoringInput, prepare, score_areas
    from welfare.uncertainty import UncertaintySpec, rank_uncertainty

    config = (config or ScoringConfig()).resolved(catalog)
    if config.level != "GM":
        raise ValueError(f"the area is measured among gemeenten: the config's 'level' must be 'GM', got {config.level!r}")
    boundary = int(_harmonised(observations)["boundary_year"].max())
    point = score_areas(observations, regions, catalog, {AREA_CODE: list(codes)}, config).iloc[0]
    inp = prepare(observations, regions, catalog, config)
    years = [int(y) for y in inp.years]
    harmonised = _harmonised(observations)
    used = harmonised.merge(pd.DataFrame({"indicator_id": list(inp.indicator_ids), "year": years}), on=["indicator_id", "year"])
    numbers: dict[str, Any] = {
        "pressure_score": _num(point["pressure_score"]),
        "percentile": _num(point["percentile"], 1),
        "rank_among": None if pd.isna(point["rank_among"]) else int(point["rank_among"]),
        "n_ranked": int(point["n_ranked"]),
        "worst_quarter_count": int(point["worst_quarter_count"]),
        "best_quarter_count": int(point["best_quarter_count"]),
        "n_indicators": int(point["n_indicators"]),
        "n_indicators_total": len(inp.indicator_ids),
        "coverage": _num(point["coverage"], 3),
        "themes_under_pressure": int(point["themes_under_pressure"]),
        "themes": [x for x in str(point["themes_under_pressure_list"]).split("|") if x],
        "n_themes": len(config.theme_weights or ()),
        "reason": str(point["reason"] or ""),
        "rank_median": None,
        "rank_p05": None,
        "rank_p95": None,
        "p_top_quarter": None,
        "label": "geen score",
        "top_n": None,
        "draws": None,
        "config_hash": config.hash(catalog),
        "normalisation": config.normalisation,
        "aggregation": config.aggregation,
        "data_source": {"tables": sorted(used["source_table"].dropna().astype(str).unique()), "years": sorted(set(y for y in years if y > 0))},
    }
    if numbers["pressure_score"] is None:
        return numbers
    values, approx = _area_values(observations, regions, catalog, codes, inp.indicator_ids, years, boundary)
    nan_row = np.full((1, len(inp.indicator_ids)), np.nan)
    extended = ScoringInput(
        region_codes=np.append(np.asarray(inp.region_codes, dtype=object), AREA_CODE),
        indicator_ids=inp.indicator_ids,
        themes=inp.themes,
        directions=inp.directions,
        values=np.vstack([inp.values, values[None, :]]),
        lower=np.vstack([inp.lower, nan_row]),
        upper=np.vstack([inp.upper, nan_row]),
        years=inp.years,
        approximated=np.vstack([inp.approximated if inp.approximated.shape == inp.values.shape else np.zeros(inp.values.shape, bool), approx[None, :]]),
    )
    spec = spec or UncertaintySpec()
    top_n = max(1, int(math.floor(QUARTER * (numbers["n_ranked"] + 1))))
    spec = UncertaintySpec(
        draws=spec.draws,
        seed=spec.seed,
        weight_concentration=spec.weight_concentration,
        normalisations=spec.normalisations,
        leave_one_out=spec.leave_one_out,
        use_bounds=spec.use_bounds,
        top_n=top_n,
        robust_threshold=ROBUST_SHARE,
    )
    band = rank_uncertainty(extended, config, spec)
    row = band[band["region_code"] == AREA_CODE].iloc[0]
    numbers.update(
        rank_median=_num(row["rank_median"], 1),
        rank_p05=_num(row["rank_p05"], 1),
        rank_p95=_num(row["rank_p95"], 1),
        p_top_quarter=_num(row["p_top_n"], 3),
        label=str(row["label"]),
        top_n=top_n,
        draws=spec.draws,
    )
    return numbers


def pressure_criterion(numbers: Mapping[str, Any] | None, framework: int = LATEST_FRAMEWORK) -> Criterion:
    """Brede welvaart under pressure (priority), from :func:`_pressure_numbers`'s figures; None = empty area.

    >>> pressure_criterion({"pressure_score": 1.1, "label": "robuust hoog"}).verdict
    'voldoet'
    >>> pressure_criterion({"pressure_score": -0.3, "label": "grensgeval"}).verdict
    'aandachtspunt'
    >>> pressure_criterion(None).verdict, pressure_criterion({"pressure_score": None}).case
    ('niet te toetsen', 'no_score')
    """
    if numbers is None:
        return Criterion("brede_welvaart", UNTESTABLE, {}, "empty", framework)
    numbers = dict(numbers)
    if numbers.get("pressure_score") is None:
        return Criterion("brede_welvaart", UNTESTABLE, numbers, "no_score", framework)
    label = numbers.get("label")
    verdict, case = {
        "robuust hoog": (MEETS, "high"),
        "grensgeval": (ATTENTION, "borderline"),
        "robuust laag": (FAILS, "low"),
    }.get(label, (UNTESTABLE, "no_score"))
    return Criterion("brede_welvaart", verdict, numbers, case, framework)


def themes_criterion(numbers: Mapping[str, Any] | None, framework: int = LATEST_FRAMEWORK) -> Criterion:
    """Multiple challenges (assessment): themes in the gemeenten's worst quarter; ≥ :data:`MIN_THEMES` meet.

    >>> [themes_criterion({"pressure_score": 0.1, "themes_under_pressure": n, "themes": []}).verdict for n in (0, 1, 2)]
    ['voldoet niet', 'aandachtspunt', 'voldoet']
    """
    if numbers is None:
        return Criterion("meervoudige_opgave", UNTESTABLE, {}, "empty", framework)
    kept = {
        "themes_under_pressure": numbers.get("themes_under_pressure"),
        "themes": list(numbers.get("themes") or []),
        "n_themes": numbers.get("n_themes"),
        "min_themes": MIN_THEMES,
        "worst_quarter_count": numbers.get("worst_quarter_count"),
        "n_indicators": numbers.get("n_indicators"),
        "config_hash": numbers.get("config_hash"),
        "data_source": numbers.get("data_source"),
    }
    if numbers.get("pressure_score") is None:
        return Criterion("meervoudige_opgave", UNTESTABLE, kept, "no_score", framework)
    n = int(numbers.get("themes_under_pressure") or 0)
    if n >= MIN_THEMES:
        verdict, case = MEETS, "many"
    elif n == 1:
        verdict, case = ATTENTION, "one"
    else:
        verdict, case = FAILS, "none"
    return Criterion("meervoudige_opgave", verdict, kept, case, framework)


def draagkracht_context(
    observations: pd.DataFrame,
    regions: pd.DataFrame,
    catalog: Catalog,
    codes: Sequence[str],
    lang: str = "nl",
) -> list[dict[str, Any]]:
    """The area's income and wealth position: per :data:`DRAAGKRACHT_INDICATORS` the latest value, NL and rank.

    Each entry: ``indicator_id, label, unit, year, value, nl_value, percentile``
    (share of gemeenten with a lower value, 0–100), ``below_nl``, ``method``,
    ``source_table``. Indicators the area has no value for are left out.
    """
    from welfare.aggregate import aggregate_areas

    if not codes:
        return []
    harmonised = _harmonised(observations)
    boundary = int(harmonised["boundary_year"].max())
    ids = [i for i in DRAAGKRACHT_INDICATORS if i in catalog.indicators]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        agg = aggregate_areas(
            observations, regions, {AREA_CODE: list(codes)}, catalog, boundary_year=boundary, indicators=ids, harmonised=True
        )
    agg = agg.dropna(subset=["value"]).sort_values(["indicator_id", "year"])
    out = []
    for ind in ids:
        rows = agg[agg["indicator_id"] == ind]
        if rows.empty:
            continue
        row = rows.iloc[-1]
        year = int(row["year"])
        nl = observations[
            (observations["indicator_id"] == ind) & (observations["level"] == "NL") & (observations["year"] == year)
        ].dropna(subset=["value"])
        gm = harmonised[
            (harmonised["indicator_id"] == ind) & (harmonised["year"] == year) & (harmonised["boundary_year"] == boundary)
        ].dropna(subset=["value"])
        value = float(row["value"])
        gm_values = gm["value"].to_numpy(dtype=float)
        percentile = (
            100.0 * ((gm_values < value).sum() + 0.5 * (gm_values == value).sum()) / len(gm_values) if len(gm_values) else None
        )
        nl_value = float(nl["value"].iloc[0]) if len(nl) else None
        tables = sorted({*gm["source_table"].dropna().astype(str), *nl["source_table"].dropna().astype(str)})
        indicator = catalog.indicators[ind]
        out.append(
            {
                "indicator_id": ind,
                "label": indicator.label(lang),
                "unit": indicator.unit(lang),
                "year": year,
                "value": round(value, 3),
                "nl_value": nl_value,
                "percentile": None if percentile is None else round(percentile, 1),
                "below_nl": None if nl_value is None else bool(value < nl_value),
                "direction": int(indicator.direction),
                "method": str(row["method"]),
                "source_table": ", ".join(tables),
            }
        )
    return out


def deals_criterion(
    area: Area,
    registry: Any,
    member_table: pd.DataFrame,
    regions: pd.DataFrame,
    framework: int = LATEST_FRAMEWORK,
) -> Criterion:
    """Earlier or running deals in the area: the overlap of its gemeenten with the deals' members."""
    if area.empty:
        return Criterion("eerdere_deals", UNTESTABLE, {}, "empty", framework)
    m = member_table[(member_table["year"] == area.year) & member_table["gemeente_code"].isin(area.codes)]
    gm = regions[(regions["level"] == "GM") & (regions["year"] == area.year)].drop_duplicates("code").set_index("code")
    deals = []
    for deal in registry:
        rows = m[m["deal_id"] == deal.id]
        if rows.empty:
            continue
        deals.append(
            {
                "id": deal.id,
                "name": deal.name,
                "tranche": deal.tranche,
                "status": deal.status,
                "running": deal.status in RUNNING_STATUSES,
                "rijksbijdrage_meur": deal.rijksbijdrage_meur,
                "gemeenten": sorted(rows["gemeente_code"]),
                "gemeente_names": [str(gm.at[c, "name"]) if c in gm.index else c for c in sorted(rows["gemeente_code"])],
                "partial": bool(rows["partial"].any()),
            }
        )
    with_members = set(member_table["deal_id"])
    province_names = {code: name for code, name in area.provinces}
    from welfare.deals import PROVINCES

    possible = []
    for deal in registry:
        if deal.id in with_members:
            continue
        hit = [p for p in deal.provinces if PROVINCES.get(p) in province_names]
        if hit:
            possible.append({"id": deal.id, "name": deal.name, "tranche": deal.tranche, "status": deal.status, "provinces": hit})
    in_deal = sorted({c for d in deals for c in d["gemeenten"]})
    pop = pd.to_numeric(gm["population"], errors="coerce")
    area_pop = pop.reindex(list(area.codes)).sum()
    share = float(pop.reindex(in_deal).sum() / area_pop) if in_deal and area_pop > 0 else (0.0 if not in_deal else None)
    numbers = {
        "deals": deals,
        "n_deals": len(deals),
        "gemeenten_in_deal": in_deal,
        "n_gemeenten": len(area.codes),
        "population_share_in_deal": None if share is None else round(share, 4),
        "running": [d["id"] for d in deals if d["running"]],
        "possible": possible,
    }
    if not deals:
        verdict, case = MEETS, "none"
    elif framework >= 2024:
        verdict, case = ATTENTION, "overlap"
    elif numbers["running"]:
        verdict, case = ATTENTION, "running"
    else:
        verdict, case = MEETS, "ended"
    return Criterion("eerdere_deals", verdict, numbers, case, framework)


def spread_criterion(area: Area, registry: Any, regions: pd.DataFrame, framework: int = LATEST_FRAMEWORK) -> Criterion:
    """Spread over the country (portfolio): deals and Rijksbijdrage so far per province and landsdeel."""
    from welfare.deals import summarise

    if area.empty:
        return Criterion("spreiding", UNTESTABLE, {}, "empty", framework)
    year = int(regions["year"].max())
    pop = regions[regions["year"] == year].drop_duplicates("code").set_index("code")["population"]
    nl_pop = float(pop[[c for c in pop.index if str(c).startswith("PV")]].sum())

    def rows(by: str, codes: Iterable[tuple[str, str]]) -> tuple[list[dict[str, Any]], float]:
        # n_deals counts a deal in each of its groups; money is split equally over them, so it adds up
        counted = summarise(registry, by).dropna(subset=["code"]).set_index("code")
        split = summarise(registry, by, split="equal").dropna(subset=["code"]).set_index("code")
        out = []
        for code, name in codes:
            n = int(counted.at[code, "n_deals"]) if code in counted.index else 0
            money = float(split.at[code, "rijksbijdrage_meur"]) if code in split.index else 0.0
            money = 0.0 if math.isnan(money) else money
            inhabitants = float(pop.get(code, np.nan))
            out.append(
                {
                    "code": code,
                    "name": name,
                    "n_deals": n,
                    "rijksbijdrage_meur": round(money, 3),
                    "population": None if math.isnan(inhabitants) else inhabitants,
                    "eur_per_inhabitant": None if math.isnan(inhabitants) or inhabitants <= 0 else round(money * 1e6 / inhabitants, 2),
                }
            )
        return out, float(split["rijksbijdrage_meur"].fillna(0.0).sum())

    provinces, total = rows("province", area.provinces)
    landsdelen, _ = rows("landsdeel", area.landsdelen)
    nl_per = round(total * 1e6 / nl_pop, 2) if nl_pop > 0 else None
    numbers = {
        "provinces": provinces,
        "landsdelen": landsdelen,
        "nl_rijksbijdrage_meur": round(total, 3),
        "nl_eur_per_inhabitant": nl_per,
        "population_year": year,
        "money_split": "equal",
    }
    known = [r["eur_per_inhabitant"] for r in landsdelen if r["eur_per_inhabitant"] is not None]
    if nl_per is None or not known:
        return Criterion("spreiding", UNTESTABLE, numbers, "no_population", framework)
    if all(x <= nl_per + 1e-9 for x in known):
        return Criterion("spreiding", MEETS, numbers, "below", framework)
    return Criterion("spreiding", ATTENTION, numbers, "above", framework)


def qualitative_criterion(framework: int = LATEST_FRAMEWORK) -> Criterion:
    """The parts this check does not score, as questions for the official (always ``niet te toetsen``)."""
    return Criterion("kwalitatief", UNTESTABLE, {"questions": list(QUESTIONS)}, "questions", framework)


# =========================================================================== the check


def check(
    proposal: Proposal,
    observations: pd.DataFrame,
    regions: pd.DataFrame,
    catalog: Catalog,
    registry: Any,
    *,
    member_table: pd.DataFrame | None = None,
    config: Any = None,
    spec: Any = None,
    built_at: str = "",
    lang: str = "nl",
) -> EligibilityResult:
    """Test a proposal against the afwegingskader: every criterion with verdict, numbers and source.

    Parameters
    ----------
    proposal : Proposal
        The area (gemeente codes on the newest indeling), the money and the framework.
    observations, regions : pandas.DataFrame
        Warehouse observations and regions.
    catalog : Catalog
    registry : welfare.deals.Registry
        The Regio Deals (earlier deals, spread).
    member_table : pandas.DataFrame, optional
        ``welfare.deals.members(registry, year)`` on the area's indeling (it
        takes a second to compute; pass it when you have it).
    config : welfare.scoring.ScoringConfig, optional
        The pressure recipe (level GM); default equal weights per theme.
    spec : welfare.uncertainty.UncertaintySpec, optional
        The Monte Carlo of the rank band (its ``top_n`` and ``robust_threshold``
        are set here: the quarter of gemeenten, 90 %).
    built_at : str
        The warehouse's build time (manifest), for "data as of".
    lang : {"nl", "en"}
        Language of the indicator labels in the draagkracht context.

    Returns
    -------
    EligibilityResult

    Raises
    ------
    AreaError
        A gemeente code that is not a gemeente of the newest indeling.
    """
    from welfare.deals import members

    year = area_year(observations, regions)
    area = _area(proposal.gemeenten, regions, year)
    fw = proposal.framework
    if member_table is None:
        member_table = members(registry, year)
    if area.empty:
        pressure = None
        draagkracht: list[dict[str, Any]] = []
    else:
        pressure = _pressure_numbers(observations, regions, catalog, area.codes, config, spec)
        draagkracht = draagkracht_context(observations, regions, catalog, area.codes, lang)
    criteria = (
        rijksbijdrage_criterion(proposal),
        _with_draagkracht_source(cofinancing_criterion(proposal, draagkracht)),
        pressure_criterion(pressure, fw),
        themes_criterion(pressure, fw),
        deals_criterion(area, registry, member_table, regions, fw),
        spread_criterion(area, registry, regions, fw),
        qualitative_criterion(fw),
    )
    return EligibilityResult(
        proposal=proposal,
        area=area,
        criteria=criteria,
        config_hash=(pressure or {}).get("config_hash") or "",
        built_at=str(built_at or ""),
    )


def _with_draagkracht_source(c: Criterion) -> Criterion:
    rows = c.numbers.get("draagkracht") or []
    if not rows:
        return c
    tables = sorted({x.strip() for r in rows for x in str(r.get("source_table", "")).split(",") if x.strip()})
    years = sorted({int(r["year"]) for r in rows})
    return Criterion(c.id, c.verdict, {**c.numbers, "data_source": {"tables": tables, "years": years}}, c.case, c.framework, c.kind)


# =========================================================================== words


def verdict_label(verdict: str, lang: str = "nl") -> str:
    """The verdict in ``lang`` (the codes stay Dutch).

    >>> verdict_label("voldoet niet", "en")
    'does not meet'
    """
    return t(f"check.verdict.{verdict.replace(' ', '_')}", lang)


def kind_label(kind: str, lang: str = "nl") -> str:
    return t(f"check.kind.{kind}", lang)


def _fmt(value: Any, lang: str, decimals: int = 1) -> str:
    from welfare.charts import format_number

    return format_number(value, lang, decimals)


def _meur(value: Any, lang: str) -> str:
    return t("check.meur", lang, x=_fmt(value, lang, 1))


def _pct(share: Any, lang: str, decimals: int = 0) -> str:
    if share is None:
        return "–"
    return _fmt(float(share) * 100, lang, decimals) + "%"


def _list(items: Sequence[str], lang: str) -> str:
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + t("check.and", lang) + items[-1]


def _theme_names(themes: Sequence[str], lang: str, catalog: Catalog | None = None) -> str:
    if catalog is None:
        from welfare.catalog import load_catalog

        catalog = load_catalog()
    return _list([catalog.theme_label(x, lang) for x in themes], lang)


def _context_text(rows: Sequence[Mapping[str, Any]], lang: str) -> str:
    from welfare.catalog import load_catalog

    catalog = load_catalog()
    parts = []
    for r in rows:
        decimals = 0 if abs(float(r["value"])) >= 100 else 1
        indicator = catalog.indicators.get(r["indicator_id"])
        parts.append(
            t(
                "check.context_item",
                lang,
                label=indicator.label(lang) if indicator else r["label"],
                value=_fmt(r["value"], lang, decimals),
                unit=indicator.unit(lang) if indicator else r["unit"],
                year=r["year"],
                nl=_fmt(r.get("nl_value"), lang, decimals),
                pct=_fmt(r.get("percentile"), lang, 0),
            )
        )
    return "; ".join(parts)


def _deal_text(d: Mapping[str, Any], lang: str) -> str:
    from welfare.texts.deals import status_label

    return t("check.deal_item", lang, name=d["name"], tranche=d["tranche"], status=status_label(d["status"], lang), n=len(d["gemeenten"]))


def explain(c: Criterion, lang: str = "nl") -> str:
    """One or two plain sentences: why this verdict, with the numbers (no markdown).

    >>> explain(rijksbijdrage_criterion(Proposal(rijksbijdrage_meur=45)), "en")
    '€45.0m is more than the maximum of €40.0m.'
    """
    n = c.numbers
    key = f"check.why.{c.id}.{c.case}"
    if c.case in ("empty", "missing", "no_rijk", "no_population"):
        return t(key, lang)
    if c.id == "rijksbijdrage":
        return t(key, lang, rijk=_meur(n["rijksbijdrage_meur"], lang), min=_meur(n["min_meur"], lang), max=_meur(n["max_meur"], lang))
    if c.id == "cofinanciering":
        split = (
            t("check.split", lang, public=_meur(n["cofinancing_public_meur"] or 0.0, lang), private=_meur(n["cofinancing_private_meur"] or 0.0, lang))
            if n.get("split_known")
            else t("check.split_unknown", lang)
        )
        text = t(
            key,
            lang,
            cofin=_meur(n["cofinancing_meur"], lang),
            rijk=_meur(n["rijksbijdrage_meur"], lang),
            split=split,
            share=_pct(n["rijk_share"], lang, 1),
        )
        if c.case != "ok" and n.get("draagkracht"):
            text += " " + t("check.context", lang, context=_context_text(n["draagkracht"], lang))
        return text
    if c.id == "brede_welvaart":
        if c.case == "no_score":
            return t(key, lang, reason=n.get("reason") or "–")
        return t(
            key,
            lang,
            pct=_fmt(n["percentile"], lang, 1),
            n=n["n_ranked"],
            rank=n["rank_among"],
            p05=_fmt(n["rank_p05"], lang, 0),
            p95=_fmt(n["rank_p95"], lang, 0),
            label=t(f"check.label.{str(n['label']).replace(' ', '_')}", lang),
            p_top=_pct(n["p_top_quarter"], lang),
            draws=_fmt(n["draws"], lang, 0),
            worst=n["worst_quarter_count"],
            n_ind=n["n_indicators"],
        ) + " " + t("check.own_measure", lang)
    if c.id == "meervoudige_opgave":
        if c.case == "no_score":
            return t(key, lang)
        return t(key, lang, n=n["themes_under_pressure"], themes=_theme_names(n["themes"], lang), min=n["min_themes"])
    if c.id == "eerdere_deals":
        deals = "; ".join(_deal_text(d, lang) for d in n.get("deals") or [])
        text = t(
            key,
            lang,
            k=len(n.get("gemeenten_in_deal") or []),
            n=n["n_gemeenten"],
            share=_pct(n.get("population_share_in_deal"), lang),
            deals=deals,
        )
        possible = n.get("possible") or []
        if possible:
            text += " " + t(
                "check.why.eerdere_deals.possible",
                lang,
                deals="; ".join(f"{d['name']} ({', '.join(d['provinces'])})" for d in possible),
            )
        return text
    if c.id == "spreiding":
        lds = "; ".join(
            t(
                "check.spread_item",
                lang,
                name=r["name"],
                n=r["n_deals"],
                rijk=_meur(r["rijksbijdrage_meur"], lang),
                per=_fmt(r["eur_per_inhabitant"], lang, 2),
            )
            for r in n["landsdelen"]
        )
        pvs = "; ".join(
            t("check.spread_province", lang, name=r["name"], n=r["n_deals"], rijk=_meur(r["rijksbijdrage_meur"], lang))
            for r in n["provinces"]
        )
        return t(key, lang, landsdelen=lds, nl=_fmt(n["nl_eur_per_inhabitant"], lang, 2), provinces=pvs)
    if c.id == "kwalitatief":
        return t(key, lang)
    return t(key, lang)


def questions(lang: str = "nl") -> list[str]:
    """The questions for the official (aanpak, organisatie, …), in ``lang``."""
    return [t(f"check.q.{q}", lang) for q in QUESTIONS]


def _cbs_line(tables: Iterable[str], years: Iterable[int], lang: str) -> str:
    from welfare.charts import source_line

    return source_line(list(tables), list(years), lang, harmonised=True, max_tables=8)


def source_lines(result: EligibilityResult, lang: str = "nl") -> list[str]:
    """The source lines of an onderbouwing: framework, CBS data (tables, years), registry, vintage."""
    lines = [t("check.src.framework", lang, framework=result.proposal.framework)]
    tables: set[str] = set()
    years: set[int] = set()
    for c in result.criteria:
        data = c.numbers.get("data_source") or {}
        tables |= set(data.get("tables", ()))
        years |= {int(y) for y in data.get("years", ())}
    if tables:
        lines.append(_cbs_line(sorted(tables), sorted(years), lang))
    if result.config_hash:
        lines.append(t("check.src.recipe", lang, hash=result.config_hash))
    lines.append(t("check.src.registry", lang))
    if result.built_at:
        from welfare.charts import vintage_line

        lines.append(vintage_line(result.built_at, lang))
    return lines


def area_title(result: EligibilityResult, lang: str = "nl") -> str:
    """The area's name: the proposal's, else its gemeenten (the first few)."""
    if result.proposal.name:
        return result.proposal.name
    names = list(result.area.names)
    if not names:
        return t("check.no_area", lang)
    shown = names if len(names) <= 4 else [*names[:3], t("check.n_more", lang, n=len(names) - 3)]
    return _list(shown, lang)


def map_shown(pressure_rows: pd.DataFrame, area_codes: Iterable[str], area_name: str) -> pd.DataFrame:
    """The area map's data for a CSV: :func:`welfare.deals.pressure_map_shown` rows plus the proposal.

    ``in_area`` marks the gemeenten of the proposed area (outlined on the
    map), ``area`` names it on those rows and is empty elsewhere.

    >>> rows = pd.DataFrame({"region_code": ["GM1", "GM2"], "value": [0.2, float("nan")]})
    >>> map_shown(rows, ["GM2"], "Oost")[["region_code", "value", "in_area", "area"]].to_dict("records")
    [{'region_code': 'GM1', 'value': 0.2, 'in_area': False, 'area': None}, {'region_code': 'GM2', 'value': nan, 'in_area': True, 'area': 'Oost'}]
    """
    chosen = {str(c) for c in area_codes}
    out = pressure_rows.copy()
    out["in_area"] = out["region_code"].astype(str).isin(chosen)
    out["area"] = pd.Series([area_name if inside else None for inside in out["in_area"]], index=out.index, dtype="object")
    return out


def onderbouwing(result: EligibilityResult, lang: str = "nl") -> list[str]:
    """The generated onderbouwing: paragraphs of plain text citing the figures, years and sources.

    The first paragraph names the area and the money, the next ones give each
    criterion's finding, the last one what is not tested and the sources.
    """
    p, area = result.proposal, result.area
    by_id = {c.id: c for c in result.criteria}
    if area.empty:
        intro = t("check.ob.intro_empty", lang, framework=p.framework)
    else:
        intro = t(
            "check.ob.intro" if p.name else "check.ob.intro_unnamed",
            lang,
            area=p.name,
            n=len(area.codes),
            names=_list(list(area.names), lang),
            population=_fmt(area.population, lang, 0),
            provinces=_list([name for _, name in area.provinces], lang),
            year=area.year,
            framework=p.framework,
        )
    money = " ".join(explain(by_id[i], lang) for i in ("rijksbijdrage", "cofinanciering"))
    money_line = t("check.ob.money", lang, verdict_rijk=verdict_label(by_id["rijksbijdrage"].verdict, lang),
                   verdict_cofin=verdict_label(by_id["cofinanciering"].verdict, lang), text=money)
    paragraphs = [intro + " " + t("check.whatif_short", lang), money_line]
    if not area.empty:
        paragraphs.extend(
            t("check.ob.finding", lang, title=by_id[i].title(lang), verdict=verdict_label(by_id[i].verdict, lang), text=explain(by_id[i], lang))
            for i in ("brede_welvaart", "meervoudige_opgave", "eerdere_deals", "spreiding")
        )
    sources = "; ".join(re.sub(r"^(Bron|Source): ", "", line) for line in source_lines(result, lang))
    paragraphs.append(t("check.ob.qualitative", lang) + " " + t("check.ob.sources", lang, sources=sources))
    return paragraphs


# =========================================================================== exports


def _md(text: Any) -> str:
    """Escape table pipes and markdown emphasis in generated text."""
    return re.sub(r"([\\`*_|<>\[\]])", r"\\\1", str(text))


def to_markdown(result: EligibilityResult, lang: str = "nl") -> str:
    """The onderbouwing as a Markdown document: verdict table, onderbouwing, questions, sources."""
    lines = [f"# {t('check.doc_title', lang)}: {_md(area_title(result, lang))}", ""]
    lines.append(f"*{_md(t('check.whatif', lang))}*")
    lines.append("")
    lines.append(_md(t("check.doc_meta", lang, framework=result.proposal.framework, date=result.checked_on,
                       data=result.built_at[:10] or "–")))
    lines.append("")
    lines.append(f"## {t('check.doc_table', lang)}")
    lines.append("")
    head = [t("check.col_criterion", lang), t("check.col_kind", lang), t("check.col_verdict", lang), t("check.col_explanation", lang)]
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + "---|" * len(head))
    for c in result.criteria:
        lines.append(
            "| " + " | ".join(_md(x) for x in (c.title(lang), kind_label(c.kind, lang), verdict_label(c.verdict, lang), explain(c, lang))) + " |"
        )
    lines.append("")
    lines.append(f"## {t('check.doc_onderbouwing', lang)}")
    lines.append("")
    for para in onderbouwing(result, lang):
        lines.append(_md(para))
        lines.append("")
    lines.append(f"## {t('check.doc_questions', lang)}")
    lines.append("")
    lines.extend(f"- {_md(q)}" for q in questions(lang))
    lines.append("")
    lines.append(f"## {t('check.doc_sources', lang)}")
    lines.append("")
    for c in result.criteria:
        lines.append(f"- **{_md(c.title(lang))}**: {_md(c.source(lang, data=False))}")
    lines.extend(f"- {_md(s)}" for s in source_lines(result, lang))
    lines.append("")
    lines.append(f"*{_md(t('check.disclaimer', lang))}*")
    return "\n".join(lines) + "\n"


def to_pdf(result: EligibilityResult, lang: str = "nl") -> bytes:
    """The onderbouwing as a PDF (A4, reportlab with its bundled Vera fonts: no system fonts needed)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import ListFlowable, ListItem, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
    from xml.sax.saxutils import escape

    regular, bold = _pdf_fonts()
    base = ParagraphStyle("base", fontName=regular, fontSize=9.5, leading=12.5)
    small = ParagraphStyle("small", parent=base, fontSize=8, leading=10)
    cell = ParagraphStyle("cell", parent=base, fontSize=8.5, leading=10.5)
    cell_bold = ParagraphStyle("cellb", parent=cell, fontName=bold)
    h1 = ParagraphStyle("h1", parent=base, fontName=bold, fontSize=15, leading=19, spaceAfter=4)
    h2 = ParagraphStyle("h2", parent=base, fontName=bold, fontSize=11.5, leading=15, spaceBefore=8, spaceAfter=4)
    note = ParagraphStyle("note", parent=small, textColor=colors.HexColor("#595959"))

    def para(text: Any, style: ParagraphStyle = base) -> Paragraph:
        return Paragraph(escape(str(text)), style)

    fill = {MEETS: "#DCEFE3", ATTENTION: "#FCEFD2", FAILS: "#F6D6D3", UNTESTABLE: "#E6E6E6"}
    story: list[Any] = [
        para(f"{t('check.doc_title', lang)}: {area_title(result, lang)}", h1),
        para(t("check.whatif", lang), note),
        para(t("check.doc_meta", lang, framework=result.proposal.framework, date=result.checked_on, data=result.built_at[:10] or "–"), small),
        Spacer(1, 4 * mm),
        para(t("check.doc_table", lang), h2),
    ]
    head = [t("check.col_criterion", lang), t("check.col_kind", lang), t("check.col_verdict", lang), t("check.col_explanation", lang)]
    data = [[para(h, cell_bold) for h in head]]
    style = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#B3B3B3")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#F0F0F0")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    for r, c in enumerate(result.criteria, start=1):
        data.append([para(c.title(lang), cell_bold), para(kind_label(c.kind, lang), cell), para(verdict_label(c.verdict, lang), cell_bold), para(explain(c, lang), cell)])
        style.append(("BACKGROUND", (2, r), (2, r), colors.HexColor(fill[c.verdict])))
    table = Table(data, colWidths=[32 * mm, 27 * mm, 29 * mm, 92 * mm], repeatRows=1)
    table.setStyle(TableStyle(style))
    story += [table, para(t("check.doc_onderbouwing", lang), h2)]
    for p in onderbouwing(result, lang):
        story += [para(p), Spacer(1, 2 * mm)]
    story.append(para(t("check.doc_questions", lang), h2))
    story.append(ListFlowable([ListItem(para(q), leftIndent=10) for q in questions(lang)], bulletType="bullet", bulletFontName=regular))
    story.append(para(t("check.doc_sources", lang), h2))
    for c in result.criteria:
        story.append(para(f"{c.title(lang)}: {c.source(lang, data=False)}", small))
    for s in source_lines(result, lang):
        story.append(para(s, small))
    story += [Spacer(1, 3 * mm), para(t("check.disclaimer", lang), note)]

    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"{t('check.doc_title', lang)}: {area_title(result, lang)}",
        author="regiowelvaart",
        subject=t("check.whatif_short", lang),
        lang=lang,
    )
    doc.build(story)
    return buf.getvalue()


def _pdf_fonts() -> tuple[str, str]:
    """Register reportlab's bundled Bitstream Vera (€, –, ≤ and Dutch accents) once; return (regular, bold)."""
    import os

    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if "RW-Vera" not in pdfmetrics.getRegisteredFontNames():
        folder = os.path.join(os.path.dirname(reportlab.__file__), "fonts")
        pdfmetrics.registerFont(TTFont("RW-Vera", os.path.join(folder, "Vera.ttf")))
        pdfmetrics.registerFont(TTFont("RW-Vera-Bold", os.path.join(folder, "VeraBd.ttf")))
    return "RW-Vera", "RW-Vera-Bold"


# =========================================================================== helpers


def _num(value: Any, digits: int | None = None) -> float | None:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(x):
        return None
    return round(x, digits) if digits is not None else x


def _jsonable(value: Any) -> Any:
    """Plain JSON types: NaN → None, numpy scalars → Python, tuples → lists."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if not math.isfinite(float(value)) else float(value)
    if value is None or value is pd.NA:
        return None
    return value
