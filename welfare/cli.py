"""The command line: ``python -m welfare <command>``; the same functions the pages use.

Commands
--------
build       build the warehouse from live CBS or a folder of StatLine CSV exports
regions     list the regions of one indeling year with their parents
aggregate   indicator values of an area made of gemeenten
score       rank regions by pressure on brede welvaart, with rank bands
indicators  list the indicator catalogue
deals       list the Regio Deals of the registry (data/regio_deals.csv), filtered
check       would a set of gemeenten qualify for a Regio Deal: the afwegingskader as a checklist
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
from welfare.export import SIZES as EXPORT_SIZES
import pandas as pd

from welfare.scoring import NORMALISATIONS, PRESETS, SCORE_AGGREGATIONS
from welfare.deals import CARIBISCH_NEDERLAND, PROVINCES, STATUSES, TRANCHES
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
    build.add_argument(
        "--refresh",
        action="store_true",
        help="download only the tables whose modification date at CBS changed since the previous warehouse; "
        "a table that fails keeps its previous data, flagged stale",
    )

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

    sc = sub.add_parser("score", help="rank regions by pressure on brede welvaart, with rank bands")
    sc.add_argument("--level", choices=tuple(SCORE_LEVEL_NAMES), default="gemeente", help="default gemeente")
    sc.add_argument("--year", type=int, default=None, help="report year (default: per indicator the latest)")
    sc.add_argument("--weights", default=None, metavar="theme=w,...", help="theme weights, e.g. gezondheid=2,wonen=1 (0-5; unnamed themes 0); default equal per theme")
    sc.add_argument("--preset", choices=tuple(PRESETS), default=None, help="a named recipe: 'gelijk per thema' or 'CBS-telling'")
    sc.add_argument("--normalisation", choices=NORMALISATIONS, default="zscore", help="default zscore")
    sc.add_argument("--aggregation", choices=SCORE_AGGREGATIONS, default=None, help="default arithmetic (the preset's when given)")
    sc.add_argument("--draws", type=int, default=1000, metavar="N", help="Monte Carlo draws for the rank bands (0 = none; default 1000)")
    sc.add_argument("--top-n", type=int, default=50, metavar="N", help="'top N' for p_top_n and the label (default 50)")
    sc.add_argument("--seed", type=int, default=20251127, help="seed of the Monte Carlo")
    sc.add_argument("--format", choices=("table", "csv", "json"), default="table", help="output format (default table)")
    sc.add_argument("--warehouse", type=Path, default=DEFAULT_DIR, metavar="DIR", help="warehouse folder")

    ind = sub.add_parser("indicators", help="list the indicator catalogue")
    ind.add_argument("--lang", choices=LANGS, default="nl", help="language of labels (default nl)")
    ind.add_argument("--format", choices=("table", "json"), default="table", help="output format (default table)")

    dl = sub.add_parser("deals", help="list the Regio Deals of the registry (data/regio_deals.csv), filtered")
    dl.add_argument("--tranche", type=int, choices=tuple(TRANCHES), default=None, help="only this tranche (1-6)")
    dl.add_argument("--status", choices=STATUSES, default=None, metavar="STATUS", help=f"only this status: {'; '.join(STATUSES)}")
    dl.add_argument("--province", choices=(*PROVINCES, CARIBISCH_NEDERLAND), default=None, metavar="PROVINCE", help="only deals that list this province (e.g. Fryslân, Caribisch Nederland)")
    dl.add_argument("--theme", default=None, help="only deals with a theme containing this text")
    dl.add_argument("--text", default=None, help="only deals whose id, name, gemeenten, themes or notes contain this text")
    dl.add_argument("--format", choices=("table", "csv", "json"), default="table", help="output format (default table); csv is the registry's own schema")
    dl.add_argument("--registry", type=Path, default=None, metavar="PATH", help="registry file (default data/regio_deals.csv)")

    ck = sub.add_parser("check", help="would a set of gemeenten qualify for a Regio Deal (afwegingskader, what-if)")
    ck.add_argument(
        "--gemeenten",
        required=True,
        metavar="GM..,GM..",
        help="the area: gemeente codes of the newest indeling, and/or whole areas (CR39, PV31, AM30, LD04) "
        "or a deal's members (deal:<deal id>), comma-separated",
    )
    ck.add_argument("--rijksbijdrage", type=float, default=None, metavar="M€", help="proposed Rijksbijdrage in M€")
    ck.add_argument("--cofinanciering", type=float, default=None, metavar="M€", help="regional co-financing in M€ (public + private)")
    ck.add_argument("--publiek", type=float, default=None, metavar="M€", help="of which public (optional)")
    ck.add_argument("--privaat", type=float, default=None, metavar="M€", help="of which private (optional)")
    ck.add_argument("--framework", type=int, choices=(2022, 2024), default=2024, help="afwegingskader of the 2022 or 2024 letter (default 2024)")
    ck.add_argument("--name", default="", help="the area's name, for the onderbouwing")
    ck.add_argument("--lang", choices=LANGS, default="nl", help="language of texts (default nl)")
    ck.add_argument("--format", choices=("text", "json", "markdown"), default="text", help="output format (default text)")
    ck.add_argument("--draws", type=int, default=1000, metavar="N", help="Monte Carlo draws for the rank band (default 1000)")
    ck.add_argument("--seed", type=int, default=20251127, help="seed of the Monte Carlo")
    ck.add_argument("--warehouse", type=Path, default=DEFAULT_DIR, metavar="DIR", help="warehouse folder")
    ck.add_argument("--registry", type=Path, default=None, metavar="PATH", help="registry file (default data/regio_deals.csv)")
    ex = sub.add_parser(
        "export",
        help="the map of a view (a permalink or its query string) as PNG, SVG, PDF or a briefing pack, without the browser",
    )
    ex.add_argument(
        "--view",
        required=True,
        action="append",
        metavar="QUERY",
        help="the view: a permalink of the map or its query string, e.g. 'niveau=corop&indicator=pressure&jaar=2022' "
        "('' = the landing map); give it several times for a pdf (a page per view) or a pack of several views",
    )
    ex.add_argument("--format", choices=("png", "svg", "pdf", "pack"), default="png", help="png (default), svg, pdf or pack (ZIP)")
    ex.add_argument("--out", type=Path, required=True, metavar="PATH", help="the file to write (replaced atomically)")
    ex.add_argument("--size", choices=EXPORT_SIZES, default="a4-full", help="a4-half (16×10 cm), a4-full (16×22 cm, default) or slide (16:9)")
    ex.add_argument("--scale", type=float, default=2.0, help="PNG scale: 2 (default) for print, 1 for screen")
    ex.add_argument(
        "--base-url", default="http://localhost:8501", metavar="URL", help="the dashboard's address, for the permalink printed in the figure"
    )
    ex.add_argument("--warehouse", type=Path, default=DEFAULT_DIR, metavar="DIR", help="warehouse folder")
    ex.add_argument("--registry", type=Path, default=None, metavar="PATH", help="registry file, for views with the deals (default data/regio_deals.csv)")
    return parser


def _progress_bar(stream: TextIO) -> "callable":
    def show(p: BuildProgress) -> None:
        width = 24
        done = round(width * p.step / p.total)
        stream.write(f"[{'#' * done}{'.' * (width - done)}] {p.step:>2}/{p.total} {p.table_id:<9} {p.message[:60]}\n")
        stream.flush()

    return show


def write_data(frame: pd.DataFrame, fmt: str, out: TextIO) -> bool:
    """Write ``frame`` as JSON records or CSV; False for 'table' (the command draws its own)."""
    if fmt == "json":
        out.write(frame.to_json(orient="records", force_ascii=False, indent=2) + "\n")
    elif fmt == "csv":
        frame.to_csv(out, index=False)
    else:
        return False
    return True


def cmd_build(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        result = build_warehouse(
            source=args.source,
            out_dir=args.out,
            progress=None if args.quiet else _progress_bar(err),
            timeout_s=args.timeout,
            boundaries=None if args.boundaries == "none" else args.boundaries,
            refresh=args.refresh,
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
    if not write_data(frame, args.format, out):
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
    if write_data(profile, args.format, out):
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


SCORE_LEVEL_NAMES = {"gemeente": "GM", "corop": "CR", "provincie": "PV"}
SCORE_COLUMNS = [
    "region_code",
    "region_name",
    "pressure_score",
    "rank",
    "rank_p05",
    "rank_p95",
    "p_top_n",
    "label",
    "worst_quarter_count",
    "best_quarter_count",
    "themes_under_pressure",
    "coverage",
]


def parse_weights(text: str) -> tuple[tuple[str, float], ...]:
    """'gezondheid=2,wonen=1' → (("gezondheid", 2.0), ("wonen", 1.0)); errors name the bad part.

    >>> parse_weights("gezondheid=2, wonen=0.5")
    (('gezondheid', 2.0), ('wonen', 0.5))
    """
    out = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        theme, sep, number = part.partition("=")
        try:
            weight = float(number)
        except ValueError:
            weight = float("nan")
        if not sep or not theme.strip() or not (0 <= weight <= 5):
            raise ValueError(f"'{part}': expected theme=weight with a weight from 0 to 5")
        out.append((theme.strip(), weight))
    if not out:
        raise ValueError("no weights given")
    return tuple(out)


def cmd_score(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from welfare.scoring import ScoringConfig, score

    catalog = load_catalog()
    try:
        preset = PRESETS[args.preset] if args.preset else {}
        config = ScoringConfig(
            year=args.year,
            level=SCORE_LEVEL_NAMES[args.level],
            normalisation=args.normalisation,
            theme_weights=parse_weights(args.weights) if args.weights else preset.get("theme_weights"),
            aggregation=args.aggregation or preset.get("aggregation", "arithmetic"),
        )
        config.resolved(catalog)
    except ValueError as exc:
        err.write(f"{exc}\n")
        return 2
    try:
        observations, regions = read_observations(args.warehouse), read_regions(args.warehouse)
        result = score(observations, regions, catalog, config)
    except WelfareError as exc:
        err.write(f"{exc}\n")
        return 1
    frame = result.regions.copy()
    if args.draws > 0:
        from welfare.uncertainty import UncertaintySpec, rank_uncertainty

        spec = UncertaintySpec(draws=args.draws, seed=args.seed, top_n=args.top_n)
        bands = rank_uncertainty(result.input, result.config, spec)
        frame = frame.merge(bands[["region_code", "rank_p05", "rank_p95", "p_top_n", "label"]], on="region_code", how="left")
    else:
        frame = frame.assign(rank_p05=pd.NA, rank_p95=pd.NA, p_top_n=pd.NA, label="")
    frame = frame.sort_values(["rank", "region_code"], na_position="last")[SCORE_COLUMNS]
    if not write_data(frame, args.format, out):
        for r in frame.itertuples(index=False):
            band = "" if pd.isna(r.rank_p05) else f"[{int(r.rank_p05)}–{int(r.rank_p95)}] p={r.p_top_n:.2f} {r.label}"
            rank = "—" if pd.isna(r.rank) else str(int(r.rank))
            value = "—" if pd.isna(r.pressure_score) else f"{r.pressure_score:+.3f}"
            out.write(
                f"{rank:>4} {r.region_code:<7} {r.region_name[:30]:<30} {value:>7}  {band:<34} "
                f"worst¼ {r.worst_quarter_count:>2}  best¼ {r.best_quarter_count:>2}  themes {r.themes_under_pressure}  "
                f"coverage {r.coverage:.0%}\n"
            )
    used = ", ".join(f"{t} {w:.2f}" for t, w in result.config.theme_weights or ())
    err.write(
        f"config {result.hash}: {result.config.level}, {result.config.normalisation}, {result.config.aggregation}, "
        f"weights {used}; {len(result.config.indicators or ())} indicators. Pressure ranking of regiowelvaart, "
        f"not an official CBS measure. Bron: CBS; bewerking regiowelvaart\n"
    )
    return 0


def cmd_deals(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from welfare.deals import COLUMNS, DEFAULT_REGISTRY, filter_deals, load_registry, summarise

    try:
        registry = load_registry(args.registry or DEFAULT_REGISTRY)
    except WelfareError as exc:
        err.write(f"{exc}\n")
        return 1
    chosen = filter_deals(registry, tranche=args.tranche, status=args.status, province=args.province, theme=args.theme, text=args.text)
    if args.format == "csv":  # the registry's own schema, which load_registry reads back
        chosen.to_csv(out)
        return 0
    frame = chosen.frame()
    if write_data(frame[[*COLUMNS, "signed_year", "baseline_year", "cofinancing_ratio"]], args.format, out):
        return 0
    for r in frame.itertuples(index=False):
        signed = r.date_signed if isinstance(r.date_signed, str) else "—"
        rijk = "—" if pd.isna(r.rijksbijdrage_meur) else f"{r.rijksbijdrage_meur:.1f}"
        cofin = "—" if pd.isna(r.cofinancing_meur) else f"{r.cofinancing_meur:.1f}"
        members = f"{len(r.gemeenten)}{'*' if r.partial else ''}" if r.gemeenten else "—"
        out.write(f"{r.id:<36} {r.tranche:>1}  {signed:<10} {rijk:>6} {cofin:>6}  {members:>4}  {r.status:<46}  {r.name}\n")
    total = summarise(chosen, "total").iloc[0]
    known = int(total["n_cofinancing_known"])
    ratio = f", {total['cofinancing_ratio']:.2f} per euro of Rijksbijdrage" if known else ""
    out.write(
        f"{len(chosen)} of {len(registry)} deals; Rijksbijdrage {total['rijksbijdrage_meur']:.1f} M€; "
        f"co-financing known for {known}{ratio}. Columns: id, tranche, signed, Rijk M€, co-financing M€, "
        f"gemeenten (* = only part of their area), status, name. Bron: {registry.source} (regiowelvaart), "
        "sources per deal\n"
    )
    return 0


def cmd_check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from welfare import eligibility as el
    from welfare.deals import DEFAULT_REGISTRY, load_registry, members
    from welfare.uncertainty import UncertaintySpec
    from welfare.warehouse import read_manifest

    try:
        observations, regions = read_observations(args.warehouse), read_regions(args.warehouse)
        registry = load_registry(args.registry or DEFAULT_REGISTRY)
        year = el.area_year(observations, regions)
        member_table = members(registry, year)
        manifest = read_manifest(args.warehouse)
    except WelfareError as exc:
        err.write(f"{exc}\n")
        return 1
    try:
        codes = el.resolve_area(args.gemeenten, regions, year, member_table)
        proposal = el.Proposal(
            codes,
            rijksbijdrage_meur=args.rijksbijdrage,
            cofinancing_meur=args.cofinanciering,
            cofinancing_public_meur=args.publiek,
            cofinancing_private_meur=args.privaat,
            framework=args.framework,
            name=args.name,
        )
        spec = UncertaintySpec(draws=args.draws, seed=args.seed)
    except ValueError as exc:  # an unknown code, a negative amount, parts not adding up
        err.write(f"--gemeenten/amounts: {exc}\n")
        return 2
    try:
        result = el.check(
            proposal, observations, regions, load_catalog(), registry,
            member_table=member_table, spec=spec, built_at=str(manifest.get("built_at") or ""), lang=args.lang,
        )
    except WelfareError as exc:
        err.write(f"{exc}\n")
        return 1
    if args.format == "json":
        out.write(json.dumps(result.to_dict(args.lang), ensure_ascii=False, indent=2) + "\n")
        return 0
    if args.format == "markdown":
        out.write(el.to_markdown(result, args.lang))
        return 0
    width = max(len(el.verdict_label(v, args.lang)) for v in el.VERDICTS)
    for c in result.criteria:
        out.write(f"[{el.verdict_label(c.verdict, args.lang):<{width}}] {c.title(args.lang)}\n")
        out.write(f"{'':<{width + 3}}{el.explain(c, args.lang)}\n")
    out.write("\n" + "\n\n".join(el.onderbouwing(result, args.lang)) + "\n")
    return 0


def cmd_export(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from welfare import export, mapview
    from welfare.state import permalink

    links: list[str] = args.view
    if len(links) > 1 and args.format in ("png", "svg"):
        err.write(f"export failed: --format {args.format} takes one --view (got {len(links)}); use pdf or pack for several\n")
        return 2
    try:
        data = mapview.Warehouse.read(args.warehouse)
        views = []
        for n, link in enumerate(links, 1):
            which = f"--view {link!r}" if len(links) > 1 else "--view"
            try:
                view, problems = mapview.view_from_link(link, data, str(args.warehouse))
            except ValueError as exc:
                err.write(f"export failed: {which}: {exc}\n")
                return 2
            if problems:
                # a briefing must show exactly the view asked for: no silent fallback to defaults
                err.write(f"export failed: {which}: " + " ".join(problems) + "\nNothing was written.\n")
                return 2
            views.append(view)
        reg = None
        if any(v.deals for v in views):
            from welfare.deals import DEFAULT_REGISTRY, load_registry

            reg = load_registry(args.registry or DEFAULT_REGISTRY)
        items: list[export.ExportItem] = []
        for view in views:
            shown = mapview.build_map(view, data, str(args.warehouse), view.lang, registry=reg)
            if shown.figure is None:
                err.write(f"export failed: the warehouse {args.warehouse} has no boundary layer for level {view.level}; "
                          "rebuild with --boundaries\n")  # fmt: skip
                return 1
            items.append(export.ExportItem(
                name=f"kaart-{shown.text.title}-{view.level}-{shown.info['year'] or ''}", title=f"{shown.text.title} — {shown.text.subtitle}",
                figure=shown.figure, data=shown.data, permalink=permalink(view, args.base_url), config_hash=shown.info.get("hash"),
                notes=(shown.text.vintage,),
            ))  # fmt: skip
        lang = views[0].lang
        if args.format == "pack":
            payload = export.briefing_pack(items, lang=lang, size=args.size, vintage=shown.text.vintage)
        else:
            jobs = [
                export.RenderJob(i.figure, args.format, args.size, scale=args.scale, permalink=i.permalink, config_hash=i.config_hash, lang=lang)
                for i in items
            ]
            parts = export.render_many(jobs)
            payload = parts[0] if len(parts) == 1 else export.merge_pdfs(parts)
        export.write_atomic(args.out, payload)
    except (WelfareError, OSError) as exc:
        err.write(f"export failed: {exc}\n")
        return 1
    out.write(f"{args.out}: {args.format}, {len(payload):,} bytes\n")
    for item in items:
        out.write(f"  {item.title}\n  {item.permalink}\n")
    return 0


COMMANDS = {
    "build": cmd_build,
    "regions": cmd_regions,
    "aggregate": cmd_aggregate,
    "score": cmd_score,
    "indicators": cmd_indicators,
    "deals": cmd_deals,
    "check": cmd_check,
    "export": cmd_export,
}


def main(argv: list[str] | None = None, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Run a command; return its exit code (0 ok, 1 failed, 2 usage)."""
    args = _parser().parse_args(argv)
    return COMMANDS[args.command](args, out, err)
