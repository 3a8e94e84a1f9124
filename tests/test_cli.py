"""The command line, run in-process, and the README staying in step with it."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from welfare.catalog import load_catalog
from welfare.cli import COMMANDS, main

README = Path(__file__).resolve().parent.parent / "README.md"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_indicators_lists_every_indicator():
    code, out, _ = run("indicators")
    assert code == 0
    for indicator_id in load_catalog().indicators:
        assert indicator_id in out
    assert "Werkloosheid" in out


def test_indicators_json_in_english():
    code, out, _ = run("indicators", "--format", "json", "--lang", "en")
    rows = json.loads(out)
    unemployment = next(r for r in rows if r["id"] == "wrk_unemployment")
    assert unemployment["label"] == "Unemployment rate" and unemployment["direction"] == -1
    assert unemployment["sources"] == ["86088NED Werkloosheidspercentage (Persoonskenmerken=Totaal personen)"]


def test_build_prints_progress_and_summary(tmp_path, cbs_folder):
    code, out, err = run("build", "--source", str(cbs_folder), "--out", str(tmp_path / "wh"), "--boundaries", "none")
    assert code == 0, err
    assert re.search(r"\[#+\] 43/43 herindelingen", err)
    assert "indicators ×" in out and "warnings (" in out and "wrk_unemployment" in out


def test_build_failure_exits_1_and_says_warehouse_unchanged(tmp_path):
    code, _, err = run("build", "--source", str(tmp_path / "missing"), "--out", str(tmp_path / "wh"))
    assert code == 1
    assert "build failed" in err and "does not exist" in err and "unchanged" in err


def test_unknown_command_is_a_usage_error():
    with pytest.raises(SystemExit) as exc:
        run("frobnicate")
    assert exc.value.code == 2


def test_readme_documents_every_command_and_exactly_two_setup_commands():
    text = README.read_text(encoding="utf-8")
    for command in COMMANDS:
        assert f"python -m welfare {command}" in text, command
    quick = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert re.findall(r"^make \w+$", quick, flags=re.M) == ["make run", "make test"]


def test_regions_lists_parents_and_population(built):
    out_dir, _ = built
    code, out, _ = run("regions", "--warehouse", str(out_dir), "--year", "2019")
    assert code == 0
    line = next(x for x in out.splitlines() if x.startswith("GM0014"))
    assert "Groningen" in line and "231 299" in line and "CR03" in line and "PV20" in line
    assert out.strip().endswith("355 regions (GM, indeling 2019)")


def test_regions_csv_and_bad_year(built):
    out_dir, _ = built
    code, out, _ = run("regions", "--warehouse", str(out_dir), "--level", "PV", "--format", "csv")
    assert code == 0 and out.splitlines()[0].startswith("code,name") and len(out.splitlines()) == 13
    code, _, err = run("regions", "--warehouse", str(out_dir), "--year", "1999")
    assert code == 2 and "2013–2025" in err


def test_regions_without_warehouse(tmp_path):
    code, _, err = run("regions", "--warehouse", str(tmp_path))
    assert code == 1 and "python -m welfare build" in err


def test_aggregate_prints_values_with_method_and_flags(built):
    out_dir, _ = built
    code, out, _ = run("aggregate", "--warehouse", str(out_dir), "--gemeenten", "GM1992,GM0599", "--lang", "en")
    assert code == 0
    population = next(x for x in out.splitlines() if x.startswith("Population on 1 January"))
    assert "sum" in population and "harmonised" in population
    assert "Bron: CBS" in out
    code, out, _ = run("aggregate", "--warehouse", str(out_dir), "--gemeenten", "GM1992,GM0599", "--format", "json", "--year", "2022")
    rows = json.loads(out)
    unemployment = next(r for r in rows if r["indicator_id"] == "wrk_unemployment")
    assert unemployment["year"] == 2022 and unemployment["method"] == "weighted_mean"


def test_aggregate_unknown_gemeente_is_a_usage_error(built):
    out_dir, _ = built
    code, _, err = run("aggregate", "--warehouse", str(out_dir), "--gemeenten", "GM9999")
    assert code == 2 and "GM9999" in err


def test_score_prints_the_contract_columns_and_the_hash(built):
    out_dir, _ = built
    code, out, err = run("score", "--warehouse", str(out_dir), "--level", "provincie", "--draws", "100", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == 12
    assert list(rows[0]) == [
        "region_code", "region_name", "pressure_score", "rank", "rank_p05", "rank_p95", "p_top_n", "label",
        "worst_quarter_count", "best_quarter_count", "themes_under_pressure", "coverage",
    ]
    assert [r["rank"] for r in rows] == sorted(r["rank"] for r in rows)
    assert all(r["rank_p05"] <= r["rank_p95"] for r in rows)
    assert re.search(r"config [0-9a-f]{8}: PV, zscore, arithmetic", err) and "not an official CBS measure" in err


def test_score_weights_preset_and_bad_input(built):
    out_dir, _ = built
    code, out, err = run("score", "--warehouse", str(out_dir), "--level", "corop", "--draws", "0", "--weights", "veiligheid=5,wonen=1")
    assert code == 0 and len(out.splitlines()) == 40 and "veiligheid 0.83" in err and "wonen 0.17" in err
    code, _, err = run("score", "--warehouse", str(out_dir), "--level", "corop", "--draws", "0", "--weights", "gezondheid=5")
    assert code == 2 and "gezondheid have no indicators at level CR" in err
    code, out, _ = run("score", "--warehouse", str(out_dir), "--draws", "0", "--preset", "CBS-telling", "--format", "csv")
    assert code == 0 and out.splitlines()[0].startswith("region_code,region_name,pressure_score,rank")
    code, _, err = run("score", "--warehouse", str(out_dir), "--weights", "gezondheid=9")
    assert code == 2 and "weight from 0 to 5" in err
    code, _, err = run("score", "--warehouse", str(out_dir), "--weights", "weer=1")
    assert code == 2 and "unknown theme" in err
