"""The interface every statistics source implements.

A source delivers one CBS table at a time as a :class:`RawTable`: the rows that
match the requested dimension filters, with the region, period and margin
dimensions under fixed column names and the requested measures as float
columns. ``welfare.tidy`` turns a RawTable into the warehouse's long frame, so
the CSV folder and live CBS produce exactly the same observations.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

import pandas as pd

# Fixed column names in RawTable.frame.
ROW = "row"  # where the row sits in the source, for messages: the CSV line (header = 1), or the OData row index + 1
REGION_TITLE = "region_title"
REGION_KEY = "region_key"  # CBS key (stripped), or <NA> when the source only has titles
PERIOD_TITLE = "period_title"
PERIOD_KEY = "period_key"  # e.g. "2021JJ00", or <NA>
MARGIN = "margin"  # title of the Marges dimension ("Waarde", "Ondergrens 95%-interval", ...), or <NA>

REGION_DIMENSIONS = ("RegioS", "Regio")
PERIOD_DIMENSION = "Perioden"
MARGIN_DIMENSION = "Marges"

_SUFFIX = re.compile(r"^(?P<stem>.+)_(?P<n>\d+)$")


@dataclass(frozen=True)
class MeasureRef:
    """A measure (topic) named by its key stem, without the edition-specific suffix.

    ``occurrence`` picks the n-th column with that stem, for tables that reuse a
    stem (80305ned has ``AfstandTotSchool_56``, ``_60``, ``_64``, ``_68``).
    """

    stem: str
    occurrence: int = 1

    def __str__(self) -> str:
        return self.stem if self.occurrence == 1 else f"{self.stem}#{self.occurrence}"


@dataclass(frozen=True)
class TableRequest:
    """What to fetch from one table: measures by stem, and dimension filters by title."""

    table_id: str
    measures: tuple[MeasureRef, ...]
    filters: Mapping[str, str] = field(default_factory=dict)


@dataclass
class RawTable:
    """One table as delivered by a source, filtered, before tidying.

    ``frame`` has the columns ROW, REGION_TITLE, REGION_KEY, PERIOD_TITLE,
    PERIOD_KEY, MARGIN, one float64 column per requested measure (named by its
    full key, e.g. ``NettoArbeidsparticipatie_16``; NaN = missing or secret),
    and one column per remaining dimension that was not filtered (``extra_dims``).
    """

    table_id: str
    frame: pd.DataFrame
    measure_keys: dict[MeasureRef, str]
    units: dict[str, str] = field(default_factory=dict)
    extra_dims: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    version: str = ""  # the table's modification date (live) or file checksum (folder)


class Source(Protocol):
    """A source of CBS tables: the CSV folder or live CBS."""

    kind: str  # "folder" or "cbs"

    def label(self) -> str:
        """Human-readable name used in messages: 'CBS OData v3 (opendata.cbs.nl)'."""
        ...

    def fetch(self, request: TableRequest) -> RawTable:
        """Return the rows of ``request.table_id`` matching its filters.

        Raises ``SourceError`` (``SourceUnreachable`` when nothing answers) or
        ``DataError`` with a message naming the table (and row/field).
        """
        ...

    def fetch_text(self, table_id: str) -> pd.DataFrame:
        """Return a whole table with every measure as stripped text.

        Used for the "Gebieden in Nederland" tables, whose measures are codes and
        names. Columns: REGION_TITLE, REGION_KEY and one column per measure key.
        """
        ...

    def describe(self) -> dict[str, object]:
        """What goes into manifest.json about this source (kind, version, location)."""
        ...


def match_measures(
    table_id: str, available: list[str], wanted: tuple[MeasureRef, ...]
) -> dict[MeasureRef, str]:
    """Resolve measure stems to the full keys of this edition of the table.

    >>> match_measures("T", ["Bevolking_1", "Afstand_2", "Afstand_5"],
    ...                (MeasureRef("Bevolking"), MeasureRef("Afstand", 2)))
    {MeasureRef(stem='Bevolking', occurrence=1): 'Bevolking_1', MeasureRef(stem='Afstand', occurrence=2): 'Afstand_5'}
    """
    from welfare.errors import DataError

    by_stem: dict[str, list[str]] = {}
    for key in available:
        m = _SUFFIX.match(key)
        stem = m.group("stem") if m else key
        by_stem.setdefault(stem, []).append(key)
    resolved: dict[MeasureRef, str] = {}
    for ref in wanted:
        keys = by_stem.get(ref.stem, [])
        if len(keys) < ref.occurrence:
            close = sorted(s for s in by_stem if s.lower()[:6] == ref.stem.lower()[:6])
            hint = f"; similar columns: {', '.join(close)}" if close else ""
            raise DataError(
                f"table {table_id}: no column '{ref.stem}_<n>'"
                + (f" (occurrence {ref.occurrence})" if ref.occurrence > 1 else "")
                + f" — was it renamed?{hint}",
                table_id=table_id,
                field=ref.stem,
            )
        resolved[ref] = keys[ref.occurrence - 1]
    return resolved
