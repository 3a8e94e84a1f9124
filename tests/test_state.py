"""welfare.state: the view in the URL (parse, write, notices, hostile links, map clicks)."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from welfare.catalog import load_catalog
from welfare.i18n import MESSAGES
from welfare.state import (
    DEFAULT_WEIGHT,
    MAX_REGIONS,
    MAX_SHOWN_CHARS,
    MODES,
    PARAMS,
    PRESETS,
    Notice,
    View,
    aggregation,
    is_region_code,
    parse_view,
    permalink,
    query_string,
    region_from_selection,
    scoring_themes,
    theme_weights,
    view_to_query,
)

CATALOG = load_catalog()
THEMES = scoring_themes(CATALOG)


def parse(query, years=None, page="kaart"):
    return parse_view(query, CATALOG, years, page=page)


def keys(notices: list[Notice]) -> list[tuple[str, str]]:
    return [(n.key, n.param) for n in notices]


# ----------------------------------------------------------------------------- parse: a table


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {}),
        ({"niveau": "gemeente"}, {"level": "GM"}),
        ({"niveau": "corop"}, {"level": "CR"}),
        ({"niveau": "provincie"}, {"level": "PV"}),
        ({"niveau": "Coropgebied"}, {"level": "CR"}),
        ({"jaar": "2021"}, {"year": 2021}),
        ({"indicator": "wrk_unemployment"}, {"indicator": "wrk_unemployment"}),
        ({"indicator": "count"}, {"indicator": "count"}),
        ({"indicator": "theme:gezondheid"}, {"indicator": "theme:gezondheid"}),
        ({"weergave": "quarters"}, {"mode": "quarters"}),
        ({"weergave": "divergerend"}, {"mode": "diverging"}),
        ({"regio": "GM0363~pv27~deal:t3-zuid-hollandse-delta"}, {"regions": ("GM0363", "PV27", "deal:t3-zuid-hollandse-delta")}),
        ({"regio": ["GM0363", "GM0599,GM0363"]}, {"regions": ("GM0363", "GM0599")}),
        ({"gewichten": "cbs-telling"}, {"weights": "cbs-telling"}),
        ({"gewichten": "CBS-telling"}, {"weights": "cbs-telling"}),
        ({"gewichten": "gelijk per thema"}, {"weights": "gelijk"}),
        ({"gewichten": "wonen:0~gezondheid:3"}, {"weights": (("gezondheid", 3), ("wonen", 0))}),
        ({"gewichten": f"wonen:{DEFAULT_WEIGHT}"}, {"weights": "gelijk"}),
        ({"deals": "1"}, {"deals": True}),
        ({"deals": "ja"}, {"deals": True}),
        ({"deals": "0"}, {"deals": False}),
        ({"lang": "en"}, {"lang": "en"}),
        ({"lang": ["en", "nl"]}, {"lang": "nl"}),  # a repeated parameter counts by its last value
        ({"utm_source": "mail", "embed": "true"}, {}),  # unknown parameters: ignored, no notice
    ],
)
def test_parse_valid(query, expected) -> None:
    view, notices = parse(query)
    assert notices == []
    assert view == replace(View(), **expected)


@pytest.mark.parametrize(
    ("query", "notice"),
    [
        ({"niveau": "wijk"}, ("state.invalid", "niveau")),
        ({"jaar": "twintig"}, ("state.invalid", "jaar")),
        ({"jaar": "1850"}, ("state.invalid", "jaar")),
        ({"jaar": "-2023"}, ("state.invalid", "jaar")),
        ({"indicator": "no_such_indicator"}, ("state.invalid", "indicator")),
        ({"indicator": "theme:context"}, ("state.invalid", "indicator")),  # context has no direction
        ({"weergave": "3d"}, ("state.invalid", "weergave")),
        ({"regio": "Amsterdam"}, ("state.unknown_region", "regio")),
        ({"gewichten": "wonen:7"}, ("state.bad_weight", "gewichten")),
        ({"gewichten": "wonen:-1"}, ("state.bad_weight", "gewichten")),
        ({"gewichten": "wonen:2.5"}, ("state.bad_weight", "gewichten")),
        ({"gewichten": "tuinieren:3"}, ("state.unknown_theme", "gewichten")),
        ({"gewichten": "zwaar"}, ("state.invalid", "gewichten")),
        ({"gewichten": "~".join(f"{t}:0" for t in THEMES)}, ("state.weights_zero", "gewichten")),
        ({"deals": "misschien"}, ("state.invalid", "deals")),
        ({"lang": "fr"}, ("state.invalid", "lang")),
    ],
)
def test_parse_invalid_falls_back_with_a_notice(query, notice) -> None:
    view, notices = parse(query)
    assert keys(notices) == [notice]
    param = notice[1]
    # the parameter's field is back at its default
    default = View()
    field = {"niveau": "level", "jaar": "year", "weergave": "mode", "regio": "regions", "gewichten": "weights"}.get(param, param)
    assert getattr(view, field) == getattr(default, field)
    assert param in notices[0].text("nl") and param in notices[0].text("en")


def test_one_bad_part_keeps_the_good_parts() -> None:
    view, notices = parse({"regio": "GM0363~bad~PV27", "gewichten": "gezondheid:4~wonen:x~tuin:2"})
    assert view.regions == ("GM0363", "PV27")
    assert view.weights == (("gezondheid", 4),)
    assert keys(notices) == [("state.unknown_region", "regio"), ("state.bad_weight", "gewichten"), ("state.unknown_theme", "gewichten")]


def test_year_must_have_figures_when_availability_is_known() -> None:
    view, notices = parse({"jaar": "2019"}, years=[2021, 2022])
    assert view.year is None and keys(notices) == [("state.year_unavailable", "jaar")]
    calls = []

    def years(indicator: str, level: str) -> list[int]:
        calls.append((indicator, level))
        return [2019] if level == "PV" else []

    view, notices = parse({"jaar": "2019", "niveau": "provincie", "indicator": "wrk_unemployment"}, years=years)
    assert view.year == 2019 and notices == []
    assert calls == [("wrk_unemployment", "PV")]  # asked for the parsed indicator and level

    def broken(indicator: str, level: str) -> list[int]:
        raise RuntimeError("warehouse gone")

    view, notices = parse({"jaar": "2019"}, years=broken)
    assert view.year == 2019 and notices == []  # unknown availability: the year is kept


def test_too_many_regions_keeps_the_first_six() -> None:
    codes = [f"GM{n:04d}" for n in range(1, 10)]
    view, notices = parse({"regio": "~".join(codes)})
    assert view.regions == tuple(codes[:MAX_REGIONS])
    assert keys(notices) == [("state.too_many_regions", "regio")]


# ----------------------------------------------------------------------------- hostile links


@pytest.mark.parametrize("param", PARAMS)
def test_a_10000_character_value_is_cut_and_reported(param: str) -> None:
    view, notices = parse({param: "<script>" + "A" * 10_000})
    assert isinstance(view, View)
    assert ("state.too_long", param) in keys(notices)
    assert len(notices) <= 4  # a few notices, not one per character
    for notice in notices:
        assert len(notice.value) <= MAX_SHOWN_CHARS + 1


def test_a_huge_weight_vector_is_cut() -> None:
    raw = "~".join(f"{THEMES[i % len(THEMES)]}:{i % 6}" for i in range(5_000))
    view, notices = parse({"gewichten": raw})
    assert isinstance(view.weights, (str, tuple))
    assert ("state.too_long", "gewichten") in keys(notices)
    assert ("state.too_many_weights", "gewichten") in keys(notices)


def test_script_in_a_value_is_escaped_in_the_notice() -> None:
    view, notices = parse({"indicator": "<script>alert('x')</script>", "niveau": "*bold* [link](http://x) $x$"})
    assert view == View()
    by_param = {n.param: n.markdown("nl") for n in notices}
    assert "<script>" not in by_param["indicator"] and "\\<script\\>" in by_param["indicator"]
    assert "\\*bold\\* \\[link\\]" in by_param["niveau"]
    assert all(len(n.value) <= MAX_SHOWN_CHARS + 1 for n in notices)


def test_control_characters_are_not_shown() -> None:
    _, notices = parse({"niveau": "a\x00b\x1b[31mc\u202ed"})
    assert notices[0].value == "ab[31mcd"


@pytest.mark.parametrize(
    "query",
    [
        {"jaar": None},
        {"jaar": 2021},
        {"jaar": ["2021", None, 3]},
        {"regio": [["GM0363"], {"a": 1}]},
        {"regio": []},
        {"gewichten": b"wonen:3"},
        {None: "x", 3: "y"},
        {"indicator": "theme:"},
        {"indicator": "theme:" + "x" * 500},
        {"regio": "deal:" + "a" * 500},
        {"regio": "~~~,,,"},
        {"gewichten": "::~==~:3~wonen:"},
    ],
)
def test_odd_input_never_raises(query) -> None:
    view, notices = parse(query)
    assert isinstance(view, View) and all(isinstance(n, Notice) for n in notices)


def test_a_mapping_that_raises_still_gives_the_default_view() -> None:
    class Hostile(dict):
        def keys(self):
            raise RuntimeError("boom")

    view, notices = parse(Hostile(niveau="corop"))
    assert view == View()


# ----------------------------------------------------------------------------- write


def test_default_view_is_an_empty_query() -> None:
    assert view_to_query(View()) == {}
    assert view_to_query(View(page="regioprofiel")) == {}
    assert query_string(View()) == ""


def test_query_keys_use_the_contract_names_in_order() -> None:
    view = View(level="CR", year=2020, indicator="wrk_unemployment", mode="diverging", regions=("CR17",),
                weights="cbs-telling", deals=True, lang="en")  # fmt: skip
    assert list(view_to_query(view)) == list(PARAMS)


def test_permalink_of_other_pages_has_their_path() -> None:
    assert permalink(View(page="regioprofiel", regions=("GM0363",)), "http://h:1/app") == "http://h:1/app/regioprofiel?regio=GM0363"
    assert permalink(View(page="kaart")) == "/"


def test_permalink_parses_back() -> None:
    view = View(page="kaart", level="PV", year=2022, indicator="theme:wonen", regions=("PV27", "deal:t1-a"),
                weights=(("wonen", 5),), deals=True)  # fmt: skip
    link = permalink(view, "http://localhost:8501/")
    parts = urlsplit(link)
    assert parts.path == "/"  # the landing page lives at the root
    assert "~" in parts.query and ":" in parts.query  # readable: codes are not percent-encoded
    back, notices = parse(parse_qs(parts.query), page="kaart")
    assert back == view and notices == []


@pytest.mark.parametrize(
    "kwargs",
    [
        {"level": "NL"},
        {"year": 1800},
        {"year": True},
        {"indicator": ""},
        {"mode": "3d"},
        {"regions": ["GM0363"]},
        {"regions": ("GM0363", "GM0363")},
        {"regions": tuple(f"GM{n:04d}" for n in range(7))},
        {"weights": "zwaar"},
        {"weights": ()},
        {"weights": (("wonen", DEFAULT_WEIGHT),)},
        {"weights": (("wonen", 6),)},
        {"deals": 1},
        {"lang": "fr"},
    ],
)
def test_view_refuses_bad_fields(kwargs) -> None:
    with pytest.raises(ValueError):
        View(**kwargs)


# ----------------------------------------------------------------------------- properties

REGION_CODES = st.one_of(
    st.integers(0, 9999).map(lambda n: f"GM{n:04d}"),
    st.tuples(st.sampled_from(["CR", "PV", "LD", "AM", "NL"]), st.integers(0, 99)).map(lambda p: f"{p[0]}{p[1]:02d}"),
    st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,3}", fullmatch=True).map(lambda s: f"deal:{s}"),
)
WEIGHTS = st.one_of(
    st.sampled_from(sorted(PRESETS)),
    st.dictionaries(st.sampled_from(THEMES), st.integers(0, 5).filter(lambda w: w != DEFAULT_WEIGHT), min_size=1)
    .filter(lambda d: not all(d.get(t, DEFAULT_WEIGHT) == 0 for t in THEMES))
    .map(lambda d: tuple((t, d[t]) for t in THEMES if t in d)),
)
VIEWS = st.builds(
    View,
    page=st.sampled_from(["kaart", "regioprofiel", "ranglijst"]),
    level=st.sampled_from(["GM", "CR", "PV"]),
    year=st.one_of(st.none(), st.integers(1900, 2100)),
    indicator=st.sampled_from(["pressure", "count", *CATALOG.indicators, *(f"theme:{t}" for t in THEMES)]),
    mode=st.sampled_from(MODES),
    regions=st.lists(REGION_CODES, max_size=MAX_REGIONS, unique=True).map(tuple),
    weights=WEIGHTS,
    deals=st.booleans(),
    lang=st.sampled_from(["nl", "en"]),
)


@settings(max_examples=300, deadline=None)
@given(VIEWS)
def test_round_trip(view: View) -> None:
    query = view_to_query(view)
    back, notices = parse(query, page=view.page)
    assert notices == []
    assert back == view
    # and through a real query string
    back2, _ = parse(parse_qs(query_string(view)[1:]), page=view.page)
    assert back2 == view


TEXT = st.text(st.characters(codec="utf-8"), max_size=60)
HOSTILE = st.dictionaries(
    st.one_of(st.sampled_from(PARAMS), TEXT),
    st.one_of(TEXT, st.lists(TEXT, max_size=4), st.sampled_from(["corop", "2022", "GM0363~x", "wonen:9", "<script>"])),
    max_size=10,
)


@settings(max_examples=300, deadline=None)
@given(HOSTILE)
def test_any_query_gives_a_view_that_writes_and_reads_back(query) -> None:
    view, notices = parse(query)
    assert isinstance(view, View)
    assert all(n.key in MESSAGES for n in notices)
    again, more = parse(view_to_query(view))
    assert again == view and more == []


# ----------------------------------------------------------------------------- map clicks


@pytest.mark.parametrize(
    ("selection", "code"),
    [
        ({"selection": {"points": [{"curve_number": 0, "point_index": 12, "location": "GM0363", "z": 4.1}]}}, "GM0363"),
        ({"points": [{"location": "PV27"}]}, "PV27"),
        ([{"location": "CR17"}], "CR17"),
        (SimpleNamespace(selection=SimpleNamespace(points=[{"location": "GM0599"}])), "GM0599"),
        ({"selection": {"points": [{"lon": 5.2, "lat": 52.1}, {"location": "GM0014"}]}}, "GM0014"),  # deal marker first
        ({"selection": {"points": []}}, None),
        ({"selection": {"points": [{"location": "<script>"}]}}, None),
        ({"selection": {"points": [{"location": 363}]}}, None),
        ({"selection": None}, None),
        ({}, None),
        (None, None),
        ("GM0363", None),
        (42, None),
    ],
)
def test_region_from_selection(selection, code) -> None:
    assert region_from_selection(selection) == code


def test_region_codes() -> None:
    assert is_region_code("GM0363") and is_region_code("NL01") and is_region_code("deal:t1-achterhoek")
    assert not any(is_region_code(v) for v in ("GM363", "XX01", "deal:", "deal:A", "deal:a--b", None, 363))


# ----------------------------------------------------------------------------- scoring recipe


def test_theme_weights_and_aggregation() -> None:
    assert theme_weights(View(), ["wonen"]) is None
    assert aggregation(View()) == "arithmetic"
    assert aggregation(View(weights="cbs-telling")) == "count"
    view = View(weights=(("gezondheid", 5), ("wonen", 0)))
    assert theme_weights(view, ["wonen", "gezondheid", "milieu"]) == (("wonen", 0.0), ("gezondheid", 5.0), ("milieu", 1.0))
    # every theme present at the level weighs 0: equal weights instead of an error
    assert theme_weights(View(weights=(("wonen", 0),)), ["wonen"]) is None
    assert aggregation(view) == "arithmetic"


def test_scoring_themes_are_directed_here_and_now_themes() -> None:
    assert "gezondheid" in THEMES and "context" not in THEMES
    assert all(CATALOG.themes[t]["dimension"] == "hier_en_nu" for t in THEMES)


def test_every_notice_key_has_both_languages() -> None:
    from welfare.texts.state import MESSAGES as STATE_MESSAGES

    for key, entry in STATE_MESSAGES.items():
        assert key.startswith("state.") and set(entry) == {"nl", "en"}
        assert Notice(key, "jaar", "x").text("en") != key
