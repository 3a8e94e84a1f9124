"""Literal types shared by the library, the CLI and the pages.

One ``Literal`` defines both the type hint and, through ``get_args``, the
runtime check and the list of choices (CLI ``choices``, widget options).
"""

from __future__ import annotations

from typing import Literal, get_args

# CBS region-code prefixes double as level names: GM0363, CR17, PV27, LD03, NL01, AM15.
Level = Literal["GM", "CR", "PV", "LD", "NL", "AM"]
LEVELS: tuple[str, ...] = get_args(Level)

Lang = Literal["nl", "en"]
LANGS: tuple[str, ...] = get_args(Lang)

Direction = Literal[-1, 0, 1]

# How a value for a larger area is made from gemeente values (see catalogue).
AggregationRule = Literal[
    "sum",  # counts: add up
    "ratio",  # recompute from summed numerator and denominator
    "weighted_mean",  # population- (or other) weighted mean of member values
    "published_only",  # medians, survey outcomes: use the value CBS publishes for that level
    "none",  # national-only indicators
]
AGGREGATION_RULES: tuple[str, ...] = get_args(AggregationRule)

# Which weight restates a value across boundary changes (issue: regions).
HarmonisationWeight = Literal["population", "addresses", "area", "dwellings", "none"]
HARMONISATION_WEIGHTS: tuple[str, ...] = get_args(HarmonisationWeight)

SourceKind = Literal["cbs", "folder"]

LEVEL_OF_PREFIX: dict[str, str] = {level: level for level in LEVELS}


def level_of_code(code: str) -> str | None:
    """Return the level of a CBS region code, or None if it is not one of ours.

    >>> level_of_code("GM0363"), level_of_code("PV27"), level_of_code("GG0706")
    ('GM', 'PV', None)
    """
    prefix = code[:2]
    return prefix if prefix in LEVEL_OF_PREFIX else None
