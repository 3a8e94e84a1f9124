"""The indicator catalogue: contents and validation messages."""

from __future__ import annotations

import pytest

from welfare.catalog import CATALOG_PATH, load_catalog, parse_catalog
from welfare.errors import CatalogError
from welfare.types import LEVELS

HIER_EN_NU = {"subjectief_welzijn", "materiele_welvaart", "gezondheid", "arbeid_vrije_tijd", "wonen", "samenleving", "veiligheid", "milieu"}
LATER = {"economisch_kapitaal", "natuurlijk_kapitaal", "menselijk_kapitaal", "sociaal_kapitaal"}


def test_catalogue_covers_the_themes_and_required_indicators():
    cat = load_catalog()
    assert set(cat.themes) >= HIER_EN_NU | LATER | {"context"}
    used = {i.theme for i in cat.indicators.values()} | {t for i in cat.indicators.values() for t in i.also_themes}
    assert used >= HIER_EN_NU | LATER
    gm_full = [i for i in cat.indicators.values() if "GM" in i.levels and i.gemeente_coverage == "all" and i.theme != "context"]
    assert len(gm_full) >= 18  # the RMBW indicators found at gemeente level
    coarser = {"mat_gdp_per_capita", "liv_satisfaction_housing", "nat_nitrogen_excretion", "nat_phosphate_excretion", "saf_feel_unsafe"}
    assert coarser <= set(cat.indicators)
    assert {"ctx_population", "ctx_social_assistance", "ctx_woz_value", "ctx_low_income_households"} <= set(cat.indicators)


def test_every_entry_is_complete():
    cat = load_catalog()
    for ind in cat.indicators.values():
        assert ind.labels["nl"] and ind.labels["en"] and ind.units["nl"] and ind.units["en"], ind.id
        assert ind.direction in (-1, 0, 1) and set(ind.levels) <= set(LEVELS), ind.id
        assert "CC BY" in ind.licence and "CBS" in ind.licence, ind.id
        assert ind.sources and all(s.table and s.measures for s in ind.sources), ind.id
        assert (ind.theme == "context") == ind.id.startswith("ctx_"), ind.id


def test_every_source_table_is_in_the_csv_folder(cbs_folder):
    files = {p.stem.lower() for p in cbs_folder.glob("*.csv")}
    for request in load_catalog().requests():
        assert request.table_id.lower() in files, request.table_id


def test_requests_fetch_each_table_once_per_filter():
    requests = load_catalog().requests()
    keys = [(r.table_id, tuple(sorted(r.filters.items()))) for r in requests]
    assert len(keys) == len(set(keys))
    health = next(r for r in requests if r.table_id == "85563NED")
    assert {m.stem for m in health.measures} == {"ErvarenGezondheidGoedZeerGoed", "Overgewicht", "EenOfMeerLangdurigeAandoeningen"}


def test_hash_changes_with_the_file():
    text = CATALOG_PATH.read_text(encoding="utf-8")
    assert parse_catalog(text).hash == load_catalog().hash
    assert parse_catalog(text + "\n# edited\n").hash != load_catalog().hash


MINIMAL = """
[themes]
wonen = { nl = "Wonen", en = "Living", dimension = "hier_en_nu" }
[[indicator]]
id = "x"
theme = "wonen"
label_nl = "X"
label_en = "X"
unit_nl = "km"
unit_en = "km"
direction = -1
levels = ["GM"]
gemeente_coverage = "all"
aggregation = "weighted_mean"
harmonisation_weight = "population"
rmbw_match = "none"
licence = "CC BY 4.0, Bron: CBS"
[[indicator.source]]
table = "80305ned"
column = "AfstandTotCafeED"
"""


def test_minimal_catalogue_parses():
    cat = parse_catalog(MINIMAL)
    assert cat.indicators["x"].sources[0].describe() == "80305ned AfstandTotCafeED"


@pytest.mark.parametrize(
    "old,new,message",
    [
        ('direction = -1', 'direction = 2', r"indicator 'x': field 'direction' must be one of \[-1, 0, 1\], got 2"),
        ('theme = "wonen"', 'theme = "weer"', r"indicator 'x': field 'theme' must be one of"),
        ('levels = ["GM"]', 'levels = ["XX"]', r"indicator 'x': field 'levels'"),
        ('label_en = "X"\n', '', r"indicator 'x': field 'label_en' is missing"),
        ('column = "AfstandTotCafeED"', '', r"indicator 'x', source #1 \(table 80305ned\): give either 'column' or 'numerator'"),
        ('column = "AfstandTotCafeED"', 'column = "A"\nyear = 12', r"'year' must be a year, got 12"),
        ('aggregation = "weighted_mean"', 'aggregation = "median"', r"field 'aggregation' must be one of"),
        ('table = "80305ned"', 'table = "80305ned"\ncolour = "red"', r"unknown field\(s\) \['colour'\]"),
    ],
)
def test_invalid_entries_name_indicator_and_field(old, new, message):
    assert old in MINIMAL
    with pytest.raises(CatalogError, match=message):
        parse_catalog(MINIMAL.replace(old, new, 1))


def test_duplicate_id_and_bad_toml():
    dup = MINIMAL + MINIMAL[MINIMAL.index("[[indicator]]"):]
    with pytest.raises(CatalogError, match="indicator 'x': duplicate id"):
        parse_catalog(dup)
    with pytest.raises(CatalogError, match="not valid TOML"):
        parse_catalog("[[indicator]\n")
