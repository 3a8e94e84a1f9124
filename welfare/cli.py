"""The command line: ``python -m welfare <command>``; the same functions the pages use.

Commands
--------
build       build the warehouse from live CBS or a folder of StatLine CSV exports
regions     list the regions of one indeling year with their parents
aggregate   indicator values of an area made of gemeenten
indicators  list the indicator catalogue
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TextIO

from welfare.build import BuildProgress, build_warehouse
from welfare.catalog import load_catalog
from welfare.errors import WelfareError
import pandas as pd

from welfare.types import LANGS, LEVELS
from welfare.warehouse import DEFAULT_DIR, read_observations, read_regions


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m welfare", description="regiowelvaart: brede welvaart per regio")
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")

    build = sub.add_parser("build", help="build the warehouse (data/warehouse/) from CBS or a CSV folder")
    build.add_argument(
        "--source",
        default="auto",
        metavar="auto|cbs|PATH",
        help="auto: live CBS, falling back to ../shared/data/cbs/statline-dump-2025-04 when CBS "
        "cannot be reached (default); cbs: live CBS only; PATH: a folder of StatLine CSV exports",
    )
    build.add_argument("--out", type=Path, default=DEFAULT_DIR, metavar="DIR", help=f"warehouse folder (default {DEFAULT_DIR.relative_to(DEFAULT_DIR.parent.parent)})")
    build.add_argument(
        "--boundaries",
        default="auto",
        metavar="auto|pdok|PATH|none",
        help="boundaries: auto: PDOK, falling back to ../shared/data/geo (default); pdok; a folder of GeoJSON; none",
    )
    build.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS", help="timeout of each request to live CBS (default 30)")
    build.add_argument("--quiet", action="store_true", help="no progress bar")

    reg = sub.add_parser("regions", help="list regions of one indeling year with their parents")
    reg.add_argument("--level", choices=LEVELS, default="GM", help="GM gemeente, CR COROP, PV provincie, LD landsdeel, AM arbeidsmarktregio, NL (default GM)")
    reg.add_argument("--year", type=int, default=None, help="indeling year (default: the newest in the warehouse)")
    reg.add_argument("--format", choices=("table", "csv", "json"), default="table", help="output format (default table)")
    reg.add_argument("--warehouse", type=Path, default=DEFAULT_DIR, metavar="DIR", help="warehouse folder")

    agg = sub.add_parser("aggregate", help="indicator values of an area made of gemeenten, with flags")
    agg.add_argument("--gemeenten", required=True, metavar="GM..,GM..", help="comma-separated gemeente codes (of the newest indeling)")
    agg.add_argument("--year", type=int, default=None, help="report year (default: per indicator the latest with a value)")
    agg.add_argument("--lang", choices=LANGS, default="nl", help="language of labels and reasons (default nl)")
    agg.add_argument("--format", choices=("table", "csv", "json"), default="table", help="output format (default table)")
    agg.add_argument("--warehouse", type=Path, default=DEFAULT_DIR, metavar="DIR", help="warehouse folder")

    ind = sub.add_parser("indicators", help="list the indicator catalogue")
    ind.add_argument("--lang", choices=LANGS, default="nl", help="language of labels (default nl)")
    ind.add_argument("--format", choices=("table", "json"), default="table", help="output format (default table)")
    return parser


def _progress_bar(stream: TextIO) -> "callable":
    def show(p: BuildProgress) -> None:
        width = 24
        done = round(width * p.step / p.total)
        stream.write(f"[{'#' * done}{'.' * (width - done)}] {p.step:>2}/{p.total} {p.table_id:<9} {p.message[:60]}\n")
        stream.flush()

    return show


def cmd_build(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        result = build_warehouse(
            source=args.source,
            out_dir=args.out,
            progress=None if args.quiet else _progress_bar(err),
            timeout_s=args.timeout,
            boundaries=None if args.boundaries == "none" else args.boundaries,
        )
    except WelfareError as exc:
        err.write(f"build failed: {exc}\nThe previous warehouse (if any) in {args.out} is unchanged.\n")
        return 1
    out.write("\n".join(result.summary) + "\n")
    if result.warnings:
        out.write(f"warnings ({len(result.warnings)}):\n" + "".join(f"  - {w}\n" for w in result.warnings))
    out.write(f"warehouse written to {args.out}\n")
    return 0


def cmd_indicators(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    catalog = load_catalog()
    if args.format == "json":
        rows = [
            {
                "id": i.id,
                "theme": i.theme,
                "label": i.label(args.lang),
                "unit": i.unit(args.lang),
                "direction": i.direction,
                "levels": list(i.levels),
                "sources": [s.describe() for s in i.sources],
            }
            for i in catalog.indicators.values()
        ]
        out.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return 0
    for theme in catalog.themes:
        members = [i for i in catalog.indicators.values() if i.theme == theme]
        if not members:
            continue
        out.write(f"{catalog.theme_label(theme, args.lang)}\n")
        for i in members:
            sign = {1: "+", -1: "−", 0: "·"}[i.direction]
            out.write(f"  {sign} {i.id:<38} {i.label(args.lang)} [{i.unit(args.lang)}]  {'/'.join(i.levels)}  {', '.join(i.tables)}\n")
    out.write(f"{len(catalog.indicators)} indicators; catalogue hash {catalog.hash}\n")
    return 0


def cmd_regions(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        regions = read_regions(args.warehouse)
    except WelfareError as exc:
        err.write(f"{exc}\n")
        return 1
    years = sorted(regions["year"].unique().tolist())
    year = args.year if args.year is not None else years[-1]
    if year not in years:
        err.write(f"--year {year}: the warehouse has indeling years {years[0]}–{years[-1]}\n")
        return 2
    rows = regions[(regions["level"] == args.level) & (regions["year"] == year)].sort_values("code")
    names = regions[regions["year"] == year].set_index("code")["name"].to_dict()
    columns = ["code", "name", "corop", "provincie", "landsdeel", "arbeidsmarktregio", "population"]
    frame = rows[columns].copy()
    frame["population"] = frame["population"].astype("Int64")
    if args.format == "json":
        out.write(frame.to_json(orient="records", force_ascii=False, indent=2) + "\n")
    elif args.format == "csv":
        frame.to_csv(out, index=False)
    else:
        for r in frame.itertuples(index=False):
            parents = " · ".join(
                f"{code} {names.get(code, '')}".strip()
                for code in (r.corop, r.provincie, r.landsdeel)
                if isinstance(code, str) and code != r.code
            )
            pop = f"{r.population:>9,}".replace(",", " ") if r.population is not pd.NA else "        —"
            out.write(f"{r.code:<7} {r.name:<36} {pop}  {parents}\n")
        out.write(f"{len(frame)} regions ({args.level}, indeling {year})\n")
    return 0


def cmd_aggregate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from welfare.aggregate import area_profile

    try:
        observations, regions = read_observations(args.warehouse), read_regions(args.warehouse)
        profile = area_profile(observations, regions, args.gemeenten, load_catalog(), year=args.year, lang=args.lang)
    except WelfareError as exc:
        err.write(f"{exc}\n")
        return 1
    except ValueError as exc:  # an unknown gemeente code, an empty list
        err.write(f"--gemeenten: {exc}\n")
        return 2
    if args.format == "json":
        out.write(profile.to_json(orient="records", force_ascii=False, indent=2) + "\n")
        return 0
    if args.format == "csv":
        profile.to_csv(out, index=False)
        return 0
    width = max(len(label) for label in profile["label"])
    for r in profile.itertuples(index=False):
        year = "" if pd.isna(r.year) else str(r.year)
        if pd.isna(r.value):
            shown = f"{'—':>12}  {r.reason}"
        else:
            cover = f"{r.coverage:.0%}" if not pd.isna(r.coverage) else ""
            number = f"{r.value:,.2f}".replace(",", " ")  # thin grouping, readable in NL and EN
            shown = f"{number:>12}  {r.unit}; {r.method}, {cover} {r.flags}".rstrip()
        out.write(f"{r.label:<{width}}  {year:>4}  {shown}\n")
    out.write(f"Bron: CBS ({len(observations['source_table'].unique())} tabellen); bewerking regiowelvaart\n")
    return 0


COMMANDS = {"build": cmd_build, "regions": cmd_regions, "aggregate": cmd_aggregate, "indicators": cmd_indicators}


def main(argv: list[str] | None = None, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Run a command; return its exit code (0 ok, 1 failed, 2 usage)."""
    args = _parser().parse_args(argv)
    return COMMANDS[args.command](args, out, err)
