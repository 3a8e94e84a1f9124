"""A folder of StatLine CSV exports as a source.

The exports are what ``cbsodata.get_data()`` returns, written as CSV: ``;``
separated, UTF-8 (usually with BOM), first column ``ID``, measure columns named by
their OData key (``Bevolking_1``) and dimension columns holding TITLES
(``Amsterdam``, ``Groningen (PV)``, ``2021``), not keys. Region titles are turned
into codes later (``welfare.regions``), periods into years in ``welfare.tidy``.

Some exports stopped at the 10 000-row limit of CBS's ODataApi. Rows come in
dimension order (first dimension outermost), so in a cut-off file every block of
the outer dimensions before the last row is complete. A request is served only if
its filter values select such complete blocks; otherwise the table is refused
with a message naming the table and the filter.
"""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from welfare.errors import DataError, SourceError
from welfare.sources.base import (
    MARGIN,
    MARGIN_DIMENSION,
    PERIOD_DIMENSION,
    PERIOD_KEY,
    PERIOD_TITLE,
    REGION_DIMENSIONS,
    REGION_KEY,
    REGION_TITLE,
    ROW,
    RawTable,
    TableRequest,
    match_measures,
)

# CBS's ODataApi returned at most this many rows; an export of exactly this size was cut off.
ODATA_API_ROW_LIMIT = 10_000
_MEASURE = re.compile(r"^.+_\d+$")
_MISSING_MARKS = {".", ""}


class _NotNumeric(Exception):
    """A measure column holds text: parse again as text to find the cell."""


class StatlineCsvFolder:
    """StatLine CSV exports in one folder, one ``<table id>.csv`` per table.

    Parameters
    ----------
    folder : Path
        The folder; file names are matched case-insensitively (``80305ned.csv``).
    row_limit : int
        Row count that marks a cut-off export.
    """

    kind = "folder"

    def __init__(self, folder: Path | str, row_limit: int = ODATA_API_ROW_LIMIT) -> None:
        self.folder = Path(folder).resolve()
        if not self.folder.is_dir():
            raise SourceError(f"CSV folder {self.folder} does not exist", source=str(self.folder))
        self.row_limit = row_limit
        self._files = {p.stem.lower(): p for p in self.folder.glob("*.csv")}
        self.checksums: dict[str, str] = {}

    def label(self) -> str:
        """'StatLine CSV folder <path>'."""
        return f"StatLine CSV folder {self.folder}"

    def describe(self) -> dict[str, object]:
        """Kind, folder and a checksum over the files read so far."""
        digest = hashlib.sha256()
        for table_id in sorted(self.checksums):
            digest.update(f"{table_id}:{self.checksums[table_id]}\n".encode())
        return {
            "kind": self.kind,
            "label": self.label(),
            "location": str(self.folder),
            "checksum": digest.hexdigest()[:16],
            "files": dict(sorted(self.checksums.items())),
        }

    # ------------------------------------------------------------------ reading
    def _read_bytes(self, table_id: str) -> tuple[Path, bytes]:
        path = self._files.get(table_id.lower())
        if path is None:
            raise SourceError(
                f"table {table_id}: no file {table_id}.csv in {self.folder}",
                source=self.label(),
                table_id=table_id,
            )
        data = path.read_bytes()
        self.checksums[table_id] = hashlib.sha256(data).hexdigest()[:16]
        return path, data

    def _header(self, table_id: str, path: Path, data: bytes) -> list[str]:
        first = data.split(b"\n", 1)[0].decode("utf-8-sig", errors="replace").rstrip("\r")
        columns = [c.strip().strip('"') for c in first.split(";")]
        if len(columns) < 2:
            raise DataError(
                f"table {table_id} ({path.name}): header has one column — is the separator ';'? "
                f"(header starts {first[:60]!r})",
                table_id=table_id,
                row=1,
            )
        return columns

    def _parse(
        self,
        table_id: str,
        path: Path,
        data: bytes,
        columns: list[str],
        dims: list[str],
        measures: list[str],
        numeric: bool = False,
    ) -> pa.Table:
        """Parse with pyarrow; measures as float64 when ``numeric`` (empty = null), else as text."""
        measure_type = pa.float64() if numeric else pa.string()
        types = {d: pa.string() for d in dims} | {m: measure_type for m in measures}
        try:
            return pacsv.read_csv(
                io.BytesIO(data),
                read_options=pacsv.ReadOptions(column_names=columns, skip_rows=1, block_size=1 << 22),
                parse_options=pacsv.ParseOptions(delimiter=";"),
                convert_options=pacsv.ConvertOptions(
                    include_columns=dims + measures,
                    column_types=types,
                    null_values=[""],
                    strings_can_be_null=False,
                ),
            )
        except pa.ArrowInvalid as exc:
            if numeric and "CSV conversion error" in str(exc):
                raise _NotNumeric from exc
            raise DataError(
                f"table {table_id} ({path.name}): malformed CSV — {exc}", table_id=table_id
            ) from exc

    def fetch(self, request: TableRequest) -> RawTable:
        """Read the rows of one table that match the request's filters.

        Raises DataError naming the table (and line or column) when the file is
        malformed, a column or filter value is missing, a value is not a number,
        or the needed rows were cut off.
        """
        table_id = request.table_id
        path, data = self._read_bytes(table_id)
        columns = self._header(table_id, path, data)
        dims = [c for c in columns[1:] if not _MEASURE.match(c)]
        measure_keys = match_measures(table_id, [c for c in columns if _MEASURE.match(c)], request.measures)
        for dim in request.filters:
            if dim not in dims:
                raise DataError(
                    f"table {table_id}: filter on unknown dimension '{dim}' (dimensions: {', '.join(dims)})",
                    table_id=table_id,
                    field=dim,
                )
        keys = list(dict.fromkeys(measure_keys.values()))
        try:  # fast path: every measure cell a finite number or empty
            table = self._parse(table_id, path, data, columns, dims, keys, numeric=True)
            for key in keys:  # pyarrow reads 'nan', 'inf' and '1e999' as floats; CBS never writes them
                column = table.column(key)
                if pc.any(pc.or_(pc.is_nan(column), pc.is_inf(column))).as_py():
                    raise _NotNumeric
        except _NotNumeric:  # parse as text to say which cell is wrong, and read '.' as missing
            table = self._parse(table_id, path, data, columns, dims, keys)
        frame = pd.DataFrame(
            {d: pc.utf8_trim_whitespace(table.column(d)).to_numpy(zero_copy_only=False) for d in dims}, dtype=object
        )
        n_rows = len(frame)
        line = np.arange(2, n_rows + 2)  # header is line 1
        warnings: list[str] = []

        mask = np.ones(n_rows, dtype=bool)
        for dim, title in request.filters.items():
            values = frame[dim]
            hit = (values == title.strip()).to_numpy()
            if not hit.any():
                available = ", ".join(sorted(values.unique())[:8])
                raise DataError(
                    f"table {table_id}: no rows with {dim} = '{title}'"
                    + (" — the export was cut off at 10 000 rows before them" if n_rows == self.row_limit else "")
                    + f" (values present: {available})",
                    table_id=table_id,
                    field=dim,
                )
            mask &= hit
        if n_rows == self.row_limit:
            warnings += self._check_cut_off(table_id, frame, dims, request, mask)

        region_dim = next((d for d in dims if d in REGION_DIMENSIONS), None)
        out = pd.DataFrame({ROW: line[mask]})
        sub = frame.loc[mask]
        out[REGION_TITLE] = sub[region_dim].to_numpy() if region_dim else "Nederland"
        out[REGION_KEY] = pd.NA
        out[PERIOD_TITLE] = sub[PERIOD_DIMENSION].to_numpy() if PERIOD_DIMENSION in dims else pd.NA
        out[PERIOD_KEY] = pd.NA
        out[MARGIN] = sub[MARGIN_DIMENSION].to_numpy() if MARGIN_DIMENSION in dims else pd.NA
        for key in keys:
            column = table.column(key)
            if pa.types.is_floating(column.type):
                out[key] = column.to_numpy(zero_copy_only=False)[mask]
            else:
                raw = column.to_numpy(zero_copy_only=False)[mask]
                out[key] = self._numbers(table_id, key, raw, line[mask], warnings)
        extra = [d for d in dims if d not in request.filters and d not in (*REGION_DIMENSIONS, PERIOD_DIMENSION, MARGIN_DIMENSION)]
        for d in extra:
            out[d] = sub[d].to_numpy()
        return RawTable(
            table_id=table_id,
            frame=out,
            measure_keys=measure_keys,
            extra_dims=extra,
            warnings=warnings,
            version=self.checksums[table_id],
        )

    @staticmethod
    def _numbers(table_id: str, key: str, raw: np.ndarray, lines: np.ndarray, warnings: list[str]) -> np.ndarray:
        """Strings to floats: empty and '.' are missing (never 0); anything else that is not a finite
        number ('abc', 'nan', 'inf', '1e999') is an error."""
        text = pd.Series(raw, dtype="string").str.strip()
        values = pd.to_numeric(text.where(~text.isin(_MISSING_MARKS)), errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(values) & ~text.isin(_MISSING_MARKS).to_numpy()
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise DataError(
                f"table {table_id}, line {lines[i]}, column {key}: {text.iloc[i]!r} is not a number"
                + (f" ({int(bad.sum())} such cells)" if bad.sum() > 1 else ""),
                table_id=table_id,
                row=int(lines[i]),
                field=key,
            )
        dots = (text == ".").to_numpy()
        if dots.any():
            warnings.append(
                f"table {table_id}, column {key}: {int(dots.sum())} cell(s) '.' read as missing "
                f"(first at line {lines[int(np.flatnonzero(dots)[0])]})"
            )
        return values

    def _check_cut_off(
        self, table_id: str, frame: pd.DataFrame, dims: list[str], request: TableRequest, mask: np.ndarray
    ) -> list[str]:
        """Refuse a request whose rows reach into the block the export was cut in.

        Walk the dimensions outermost first. A filtered dimension whose value
        differs from the last row's selects a complete block. If the cut falls in
        the region dimension, the rows present are true values and only the last
        region (and regions after it) lack rows: tolerated with a warning as long
        as the selection still has (nearly) every region of the file; otherwise,
        or if the cut falls in another dimension, the needed rows are missing and
        the request is refused.
        """
        last = frame.iloc[-1]
        for dim in dims:
            if dim in request.filters:
                if last[dim].strip() != request.filters[dim].strip():
                    return []  # a complete block before the cut
                continue
            if dim not in REGION_DIMENSIONS:
                break
            region = last[dim].strip()
            selected = frame.loc[mask, dim].nunique()
            if selected < 0.98 * frame[dim].nunique():
                break
            return [
                f"table {table_id} was cut off at {self.row_limit} rows inside the rows of "
                f"'{region}': it may lack some of its rows, and regions after it are missing"
            ]
        filt = ", ".join(f"{k} = '{v}'" for k, v in request.filters.items()) or "no filter"
        raise DataError(
            f"table {table_id} was cut off at {self.row_limit} rows inside the rows needed "
            f"({filt}): the export is incomplete for this selection",
            table_id=table_id,
        )

    def fetch_text(self, table_id: str) -> pd.DataFrame:
        """The whole table as stripped text (for 'Gebieden in Nederland')."""
        path, data = self._read_bytes(table_id)
        columns = self._header(table_id, path, data)
        dims = [c for c in columns[1:] if not _MEASURE.match(c)]
        measures = [c for c in columns if _MEASURE.match(c)]
        table = self._parse(table_id, path, data, columns, dims, measures)
        region_dim = next((d for d in dims if d in REGION_DIMENSIONS), None)
        if region_dim is None:
            raise DataError(f"table {table_id}: no RegioS column", table_id=table_id)
        stripped = {c: pc.utf8_trim_whitespace(table.column(c)) for c in [region_dim, *measures]}
        out = pa.table(stripped).to_pandas()
        out = out.rename(columns={region_dim: REGION_TITLE})
        out.insert(1, REGION_KEY, pd.NA)
        return out
