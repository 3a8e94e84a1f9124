"""The view in the URL: one frozen :class:`View`, parsed from and written to query parameters.

This module is the only place that reads or writes the dashboard's URL
parameters; the pages, and later the export command line, go through it. It has
no Streamlit: parsing is a pure function that never raises.

Query parameters (a contract for shared links: do not rename)
-------------------------------------------------------------

============  ======================================  =====================================
parameter     value                                   default (left out of the URL)
============  ======================================  =====================================
``lang``      ``nl`` or ``en``                        ``nl``
``niveau``    ``gemeente``, ``corop`` or              ``gemeente``
              ``provincie`` (View.level GM, CR, PV)
``jaar``      a report year, e.g. ``2023``            none: the newest year with figures
``indicator`` an indicator id of the catalogue        ``pressure``
              (``wrk_unemployment``), ``pressure``
              (the composite pressure score),
              ``count`` (CBS-style count of
              indicators in the worst quarter) or
              ``theme:<theme id>`` (a theme score,
              e.g. ``theme:gezondheid``)
``weergave``  ``continuous``, ``quarters`` (best      ``continuous``
              quarter / middle / worst quarter) or
              ``diverging`` (around the NL value)
``regio``     0–6 region codes joined by ``~``:       none
              ``GM0363~GM0599``; CBS codes GM, CR,
              PV, LD, AM, NL, or a deal area
              ``deal:<deal id>``
``gewichten`` a preset, ``gelijk`` (equal per theme)  ``gelijk``
              or ``cbs-telling`` (rank by the count
              in the worst quarter), or theme
              weights 0–5 joined by ``~``:
              ``gezondheid:3~wonen:0``; themes left
              out weigh :data:`DEFAULT_WEIGHT`
``deals``     ``1`` shows the Regio Deal areas over   ``0`` (off)
              the map
============  ======================================  =====================================

The page is the URL's path (``/kaart``, ``/regioprofiel``), not a parameter.
Unknown parameters are ignored. A wrong value is replaced by the default and
reported as a :class:`Notice` naming the parameter; values are cut at
:data:`MAX_VALUE_CHARS` characters before they are read, and a notice shows at
most :data:`MAX_SHOWN_CHARS` of them. Old links keep working through
:data:`MIGRATIONS`, applied before parsing.

Examples
--------
>>> from welfare.catalog import load_catalog
>>> view, notices = parse_view({"niveau": "corop", "jaar": "2022", "weergave": "quarters"}, load_catalog())
>>> view.level, view.year, view.mode, notices
('CR', 2022, 'quarters', [])
>>> view_to_query(view)
{'niveau': 'corop', 'jaar': '2022', 'weergave': 'quarters'}
>>> view_to_query(View())
{}
>>> view, notices = parse_view({"niveau": "<script>alert(1)</script>"}, load_catalog())
>>> view.level, notices[0].param, notices[0].value
('GM', 'niveau', '<script>alert(1)</script…')
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args
from urllib.parse import urlencode

from welfare.catalog import Catalog
from welfare.i18n import DEFAULT_LANG, md_escape, t
from welfare.types import LANGS

# ----------------------------------------------------------------------------- the contract

LANDING_PAGE = "kaart"  # the app's default page, served at "/"
PARAMS: tuple[str, ...] = ("lang", "niveau", "jaar", "indicator", "weergave", "regio", "gewichten", "deals")

ViewLevel = Literal["GM", "CR", "PV"]
VIEW_LEVELS: tuple[str, ...] = get_args(ViewLevel)
# URL word → View.level (the CBS code prefix); the first word per level is the one written.
LEVEL_WORDS: dict[str, str] = {"gemeente": "GM", "corop": "CR", "provincie": "PV"}
_LEVEL_ALIASES: dict[str, str] = {
    **LEVEL_WORDS,
    "gemeenten": "GM",
    "gm": "GM",
    "coropgebied": "CR",
    "cr": "CR",
    "provincies": "PV",
    "pv": "PV",
}
WORD_OF_LEVEL: dict[str, str] = {code: word for word, code in LEVEL_WORDS.items()}

MapMode = Literal["continuous", "quarters", "diverging"]  # = welfare.charts.MapMode
MODES: tuple[str, ...] = get_args(MapMode)
_MODE_ALIASES: dict[str, str] = {
    **{m: m for m in MODES},
    "continu": "continuous",
    "kwarten": "quarters",
    "divergerend": "diverging",
}

PRESSURE = "pressure"  # the composite pressure score of welfare.scoring
COUNT = "count"  # CBS-style: number of indicators in the worst quarter
THEME_PREFIX = "theme:"  # + theme id: the theme's pressure score
SPECIALS: tuple[str, ...] = (PRESSURE, COUNT)

# Weight presets: URL word → name in welfare.scoring.PRESETS.
PRESETS: dict[str, str] = {"gelijk": "gelijk per thema", "cbs-telling": "CBS-telling"}
DEFAULT_PRESET = "gelijk"
DEFAULT_WEIGHT = 1  # a theme the URL leaves out; 0–5 as the OECD Better Life Index
MAX_WEIGHT = 5

MAX_REGIONS = 6
MAX_VALUE_CHARS = 400  # longer values are cut before they are read
MAX_SHOWN_CHARS = 24  # of a bad value, in a notice
MAX_WEIGHT_ENTRIES = 24  # more theme:weight pairs than this are not read
MAX_DEAL_ID_CHARS = 80

_REGION_CODE = re.compile(r"^(GM\d{4}|(CR|PV|LD|AM|NL)\d{2})$")
_DEAL_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_YEAR = re.compile(r"^\d{4}$")
_INT = re.compile(r"^\d{1,2}$")
_LIST_SPLIT = re.compile(r"[~,]")
_TRUE = frozenset({"1", "true", "ja", "aan", "on", "yes", "waar"})
_FALSE = frozenset({"0", "false", "nee", "uit", "off", "no", "onwaar", ""})
YEAR_RANGE = range(1900, 2101)

Weights = str | tuple[tuple[str, int], ...]


# ----------------------------------------------------------------------------- the view


@dataclass(frozen=True)
class View:
    """What a page shows: every field a link can carry.

    Parameters
    ----------
    page : str
        The page's ``url_path`` (``"kaart"``, ``"regioprofiel"``, ...); not a query parameter.
    level : {"GM", "CR", "PV"}
        Gemeenten, COROP areas or provinces (``niveau``).
    year : int or None
        Report year; None = the newest year with figures (``jaar``).
    indicator : str
        An indicator id, ``"pressure"``, ``"count"`` or ``"theme:<id>"`` (``indicator``).
    mode : {"continuous", "quarters", "diverging"}
        Map colours (``weergave``).
    regions : tuple of str
        0–6 region codes or ``deal:<id>``, in the order given (``regio``).
    weights : str or tuple of (theme, int)
        A preset word of :data:`PRESETS`, or the themes whose weight (0–5)
        differs from :data:`DEFAULT_WEIGHT`, in catalogue order (``gewichten``).
    deals : bool
        Regio Deal areas over the map (``deals``).
    lang : {"nl", "en"}

    Raises
    ------
    ValueError
        A field outside its values (parse links with :func:`parse_view`, which never raises).

    >>> View(level="XX")
    Traceback (most recent call last):
    ...
    ValueError: 'level' must be one of ('GM', 'CR', 'PV'), got 'XX'
    """

    page: str = "kaart"
    level: ViewLevel = "GM"
    year: int | None = None
    indicator: str = PRESSURE
    mode: MapMode = "continuous"
    regions: tuple[str, ...] = ()
    weights: Weights = DEFAULT_PRESET
    deals: bool = False
    lang: str = DEFAULT_LANG

    def __post_init__(self) -> None:
        if self.level not in VIEW_LEVELS:
            raise ValueError(f"'level' must be one of {VIEW_LEVELS}, got {self.level!r}")
        if self.year is not None and (isinstance(self.year, bool) or not isinstance(self.year, int) or self.year not in YEAR_RANGE):
            raise ValueError(f"'year' must be None or a year in {YEAR_RANGE.start}–{YEAR_RANGE.stop - 1}, got {self.year!r}")
        if not isinstance(self.indicator, str) or not self.indicator:
            raise ValueError(f"'indicator' must be a non-empty string, got {self.indicator!r}")
        if self.mode not in MODES:
            raise ValueError(f"'mode' must be one of {MODES}, got {self.mode!r}")
        if not isinstance(self.regions, tuple) or len(self.regions) > MAX_REGIONS:
            raise ValueError(f"'regions' must be a tuple of at most {MAX_REGIONS} codes, got {self.regions!r}")
        bad = [r for r in self.regions if not is_region_code(r)]
        if bad or len(set(self.regions)) != len(self.regions):
            raise ValueError(f"'regions' must be distinct region codes or deal:<id>, got {self.regions!r}")
        if isinstance(self.weights, str):
            if self.weights not in PRESETS:
                raise ValueError(f"'weights' must be a preset of {tuple(PRESETS)} or theme weights, got {self.weights!r}")
        elif not isinstance(self.weights, tuple) or not self.weights or any(
            not (isinstance(w, int) and not isinstance(w, bool) and 0 <= w <= MAX_WEIGHT and w != DEFAULT_WEIGHT)
            for _, w in self.weights
        ):
            raise ValueError(
                f"'weights' must be a non-empty tuple of (theme, 0–{MAX_WEIGHT}) pairs that differ from "
                f"{DEFAULT_WEIGHT}, got {self.weights!r}"
            )
        if not isinstance(self.deals, bool):
            raise ValueError(f"'deals' must be a bool, got {self.deals!r}")
        if self.lang not in LANGS:
            raise ValueError(f"'lang' must be one of {LANGS}, got {self.lang!r}")

    @property
    def theme(self) -> str | None:
        """The theme id when the indicator is a theme score, else None.

        >>> View(indicator="theme:wonen").theme, View().theme
        ('wonen', None)
        """
        return self.indicator[len(THEME_PREFIX):] if self.indicator.startswith(THEME_PREFIX) else None

    @property
    def is_score(self) -> bool:
        """True for the composite, the count and theme scores (all from ``welfare.scoring``)."""
        return self.indicator in SPECIALS or self.theme is not None


@dataclass(frozen=True)
class Notice:
    """A parameter of a link that could not be used as given.

    ``key`` is a message of ``welfare/texts/state.py``; ``value`` is the value
    as read, without control characters and cut to :data:`MAX_SHOWN_CHARS`.
    """

    key: str
    param: str
    value: str = ""

    def text(self, lang: str = DEFAULT_LANG) -> str:
        """The notice as plain text.

        >>> Notice("state.invalid", "niveau", "wijk").text("en")
        'The link has an unknown value ‘wijk’ for ‘niveau’; it was ignored.'
        """
        return t(self.key, lang, param=self.param, value=self.value)

    def markdown(self, lang: str = DEFAULT_LANG) -> str:
        """The notice with parameter and value escaped for Streamlit markdown.

        >>> print(Notice("state.invalid", "niveau", "<b>*x*</b>").markdown("nl"))
        De link bevat een onbekende waarde ‘\\<b\\>\\*x\\*\\</b\\>’ voor ‘niveau’; die is genegeerd.
        """
        return t(self.key, lang, param=md_escape(self.param), value=md_escape(self.value))


# ----------------------------------------------------------------------------- helpers


def is_region_code(value: object) -> bool:
    """A CBS region code of ours (GM0363, CR17, PV27, LD03, AM15, NL01) or ``deal:<deal id>``.

    >>> [is_region_code(v) for v in ("GM0363", "gm0363", "PV2", "deal:t3-zuid-hollandse-delta", "deal:X")]
    [True, False, False, True, False]
    """
    if not isinstance(value, str):
        return False
    if value.startswith("deal:"):
        slug = value[5:]
        return 0 < len(slug) <= MAX_DEAL_ID_CHARS and bool(_DEAL_ID.match(slug))
    return bool(_REGION_CODE.match(value))


def scoring_themes(catalog: Catalog) -> tuple[str, ...]:
    """The themes a weight or a theme score can name: "hier en nu" themes with a directed indicator.

    In catalogue order.

    >>> from welfare.catalog import load_catalog
    >>> scoring_themes(load_catalog())[:3]
    ('subjectief_welzijn', 'materiele_welvaart', 'gezondheid')
    """
    directed = {ind.theme for ind in catalog.indicators.values() if ind.direction != 0}
    return tuple(
        th for th, spec in catalog.themes.items() if isinstance(spec, Mapping) and spec.get("dimension") == "hier_en_nu" and th in directed
    )


def shown(value: object) -> str:
    """A value as a notice shows it: no control characters, whitespace collapsed, at most
    :data:`MAX_SHOWN_CHARS` characters (then "…").

    >>> shown("a\\x00b\\n  c"), shown("x" * 30)
    ('ab c', 'xxxxxxxxxxxxxxxxxxxxxxxx…')
    """
    text = "".join(ch for ch in str(value) if unicodedata.category(ch)[0] != "C" or ch in " \t\n")
    text = " ".join(text.split())
    return text if len(text) <= MAX_SHOWN_CHARS else text[:MAX_SHOWN_CHARS] + "…"


def _values(query: Mapping[str, Any], key: str) -> list[str]:
    """All values of a parameter as strings (a repeated parameter gives several)."""
    try:
        raw = query.get(key)
    except Exception:  # noqa: BLE001 - a hostile mapping must not stop the parse
        return []
    if raw is None:
        return []
    items = list(raw) if isinstance(raw, (list, tuple)) else [raw]
    out = []
    for item in items[:64]:
        try:
            out.append(item if isinstance(item, str) else str(item))
        except Exception:  # noqa: BLE001
            continue
    return out


def _cut(param: str, value: str, notices: list[Notice]) -> str:
    if len(value) > MAX_VALUE_CHARS:
        notices.append(Notice("state.too_long", param))
        return value[:MAX_VALUE_CHARS]
    return value


def _last(query: Mapping[str, Any], param: str, notices: list[Notice]) -> str | None:
    """The last value of a parameter (as Streamlit reads a repeated one), cut to size; None if absent."""
    values = _values(query, param)
    if not values:
        return None
    return _cut(param, values[-1], notices).strip()


# ----------------------------------------------------------------------------- parse

# Each migration turns an old query (a dict of lists) into a newer one; applied in order.
MIGRATIONS: list[Callable[[dict[str, list[str]], ], dict[str, list[str]]]] = []

YearsAvailable = Collection[int] | Callable[[str, str], Collection[int]] | None


def parse_view(
    query: Mapping[str, str | list[str]],
    catalog: Catalog,
    years_available: YearsAvailable = None,
    *,
    page: str = "kaart",
) -> tuple[View, list[Notice]]:
    """Read a view from query parameters; never raises.

    Parameters
    ----------
    query : mapping of str to str or list of str
        The query parameters (``{k: st.query_params.get_all(k)}``, or a parsed
        query string). A repeated parameter counts by its last value, except
        ``regio``, whose values are joined.
    catalog : Catalog
        Knows the indicator ids and themes.
    years_available : collection of int, or callable (indicator, level) -> collection of int, optional
        The years with figures; a ``jaar`` outside them falls back to the newest
        year with a notice. None accepts any year from 1900 to 2100.
    page : str
        The page the view is for (the URL's path).

    Returns
    -------
    (View, list of Notice)
        The view, with the default for every parameter that was missing or
        wrong, and one notice per wrong parameter (or per wrong part of
        ``regio`` and ``gewichten``). Unknown parameters give no notice.

    Examples
    --------
    >>> from welfare.catalog import load_catalog
    >>> view, notices = parse_view({"indicator": "wrk_unemployment", "jaar": "1850", "deals": "ja",
    ...                             "regio": "GM0363~xx~GM0363", "gewichten": "gezondheid:3~wonen:9"},
    ...                            load_catalog())
    >>> view.indicator, view.year, view.deals, view.regions, view.weights
    ('wrk_unemployment', None, True, ('GM0363',), (('gezondheid', 3),))
    >>> [(n.key, n.param, n.value) for n in notices]
    [('state.invalid', 'jaar', '1850'), ('state.unknown_region', 'regio', 'xx'), ('state.bad_weight', 'gewichten', 'wonen:9')]
    """
    notices: list[Notice] = []
    try:
        query = _migrated(query)
    except Exception:  # noqa: BLE001 - a broken migration must not stop a link from opening
        query = {}
    try:
        view = _parse(query, catalog, years_available, page, notices)
    except Exception:  # noqa: BLE001 - last line of defence: the default view
        view = View(page=page if isinstance(page, str) and page else "kaart")
        notices.append(Notice("state.invalid", "?", ""))
    return view, _capped(notices)


def _capped(notices: list[Notice], per_param: int = 3) -> list[Notice]:
    """Distinct notices, at most ``per_param`` per parameter (a 10 000-character value gives a few, not hundreds)."""
    out: list[Notice] = []
    count: dict[str, int] = {}
    for notice in dict.fromkeys(notices):
        if count.get(notice.param, 0) < per_param:
            out.append(notice)
            count[notice.param] = count.get(notice.param, 0) + 1
    return out


def _migrated(query: Mapping[str, Any]) -> dict[str, list[str]]:
    as_lists: dict[str, list[str]] = {}
    for key in list(query.keys())[:256]:
        if isinstance(key, str) and (key in PARAMS or MIGRATIONS):  # migrations may need old names
            as_lists[key] = _values(query, key)
    for migrate in MIGRATIONS:
        as_lists = migrate(as_lists)
    return as_lists


def _parse(
    query: Mapping[str, Any],
    catalog: Catalog,
    years_available: YearsAvailable,
    page: str,
    notices: list[Notice],
) -> View:
    fields: dict[str, Any] = {"page": page if isinstance(page, str) and page else "kaart"}

    raw = _last(query, "lang", notices)
    if raw:
        if raw in LANGS:
            fields["lang"] = raw
        else:
            notices.append(Notice("state.invalid", "lang", shown(raw)))

    raw = _last(query, "niveau", notices)
    if raw:
        level = _LEVEL_ALIASES.get(raw.lower())
        if level:
            fields["level"] = level
        else:
            notices.append(Notice("state.invalid", "niveau", shown(raw)))

    raw = _last(query, "indicator", notices)
    if raw:
        indicator = _indicator(raw, catalog)
        if indicator:
            fields["indicator"] = indicator
        else:
            notices.append(Notice("state.invalid", "indicator", shown(raw)))

    raw = _last(query, "jaar", notices)
    if raw:
        year = int(raw) if _YEAR.match(raw) else None
        if year is None or year not in YEAR_RANGE:
            notices.append(Notice("state.invalid", "jaar", shown(raw)))
        else:
            available = _years(years_available, fields.get("indicator", PRESSURE), fields.get("level", "GM"))
            if available is not None and year not in available:
                notices.append(Notice("state.year_unavailable", "jaar", str(year)))
            else:
                fields["year"] = year

    raw = _last(query, "weergave", notices)
    if raw:
        mode = _MODE_ALIASES.get(raw.lower())
        if mode:
            fields["mode"] = mode
        else:
            notices.append(Notice("state.invalid", "weergave", shown(raw)))

    fields["regions"] = _regions(query, notices)

    raw = _last(query, "gewichten", notices)
    if raw:
        fields["weights"] = _weights(raw, catalog, notices)

    raw = _last(query, "deals", notices)
    if raw is not None:
        word = raw.lower()
        if word in _TRUE:
            fields["deals"] = True
        elif word not in _FALSE:
            notices.append(Notice("state.invalid", "deals", shown(raw)))
    return View(**fields)


def _indicator(raw: str, catalog: Catalog) -> str | None:
    if raw in SPECIALS or raw in catalog.indicators:
        return raw
    if raw.startswith(THEME_PREFIX) and raw[len(THEME_PREFIX):] in scoring_themes(catalog):
        return raw
    return None


def _years(years_available: YearsAvailable, indicator: str, level: str) -> set[int] | None:
    if years_available is None:
        return None
    try:
        years = years_available(indicator, level) if callable(years_available) else years_available
        return {int(y) for y in years}
    except Exception:  # noqa: BLE001 - unknown availability: accept the year
        return None


def _regions(query: Mapping[str, Any], notices: list[Notice]) -> tuple[str, ...]:
    values = [_cut("regio", v, notices) for v in _values(query, "regio")]
    parts = [p.strip() for v in values for p in _LIST_SPLIT.split(v) if p.strip()]
    out: list[str] = []
    for part in parts:
        code = part if part.startswith("deal:") else part.upper()
        if not is_region_code(code):
            notices.append(Notice("state.unknown_region", "regio", shown(part)))
            continue
        if code in out:
            continue
        if len(out) == MAX_REGIONS:
            notices.append(Notice("state.too_many_regions", "regio", str(MAX_REGIONS)))
            break
        out.append(code)
    return tuple(out)


def _weights(raw: str, catalog: Catalog, notices: list[Notice]) -> Weights:
    word = raw.strip().lower()
    for slug, name in PRESETS.items():
        if word in (slug, name.lower()):
            return slug
    themes = scoring_themes(catalog)
    parts = [p.strip() for p in _LIST_SPLIT.split(raw) if p.strip()]
    if len(parts) > MAX_WEIGHT_ENTRIES:
        notices.append(Notice("state.too_many_weights", "gewichten", str(MAX_WEIGHT_ENTRIES)))
        parts = parts[:MAX_WEIGHT_ENTRIES]
    given: dict[str, int] = {}
    for part in parts:
        theme, sep, number = part.replace("=", ":").partition(":")
        theme = theme.strip()
        if not sep or theme not in themes:
            if sep and theme not in themes:
                notices.append(Notice("state.unknown_theme", "gewichten", shown(theme)))
            else:
                notices.append(Notice("state.invalid", "gewichten", shown(part)))
            continue
        number = number.strip()
        if not _INT.match(number) or int(number) > MAX_WEIGHT:
            notices.append(Notice("state.bad_weight", "gewichten", shown(part)))
            continue
        given[theme] = int(number)
    if given and all(given.get(th, DEFAULT_WEIGHT) == 0 for th in themes):
        notices.append(Notice("state.weights_zero", "gewichten"))
        return DEFAULT_PRESET
    pairs = tuple((th, given[th]) for th in themes if th in given and given[th] != DEFAULT_WEIGHT)
    return pairs or DEFAULT_PRESET


# ----------------------------------------------------------------------------- write


def view_to_query(view: View) -> dict[str, str]:
    """The query parameters of a view, leaving out every field at its default.

    The page is not included (it is the URL's path). Keys come in the order
    of :data:`PARAMS`.

    >>> view_to_query(View(level="PV", indicator="theme:gezondheid", regions=("GM0363", "deal:t1-x"),
    ...                    weights=(("gezondheid", 3), ("wonen", 0)), deals=True, lang="en"))
    {'lang': 'en', 'niveau': 'provincie', 'indicator': 'theme:gezondheid', 'regio': 'GM0363~deal:t1-x', 'gewichten': 'gezondheid:3~wonen:0', 'deals': '1'}
    """
    default = View()
    out: dict[str, str] = {}
    if view.lang != default.lang:
        out["lang"] = view.lang
    if view.level != default.level:
        out["niveau"] = WORD_OF_LEVEL[view.level]
    if view.year is not None:
        out["jaar"] = str(view.year)
    if view.indicator != default.indicator:
        out["indicator"] = view.indicator
    if view.mode != default.mode:
        out["weergave"] = view.mode
    if view.regions:
        out["regio"] = "~".join(view.regions)
    if view.weights != default.weights:
        out["gewichten"] = view.weights if isinstance(view.weights, str) else "~".join(f"{th}:{w}" for th, w in view.weights)
    if view.deals:
        out["deals"] = "1"
    return out


def query_string(view: View) -> str:
    """The view as a query string, readable (``:`` and ``~`` are not escaped); ``""`` for the default view.

    >>> query_string(View(level="CR", regions=("GM0363", "GM0599")))
    '?niveau=corop&regio=GM0363~GM0599'
    >>> query_string(View())
    ''
    """
    query = view_to_query(view)
    return "?" + urlencode(query, safe=":~") if query else ""


def permalink(
    view: View, base_url: str = "", extra: Mapping[str, str | Sequence[str] | None] | None = None
) -> str:
    """The link to a view: ``base_url`` (scheme, host and any prefix) + ``/page`` + query string.

    The landing page (:data:`LANDING_PAGE`) is served at the root: Streamlit
    answers its own ``url_path`` with "page not found". ``extra`` adds a page's
    own parameters (filters the :class:`View` does not carry) after the view's;
    a list value repeats the parameter, None or an empty value or list leaves
    it out.

    >>> permalink(View(page="ranglijst", year=2022), "https://welvaart.example.nl/")
    'https://welvaart.example.nl/ranglijst?jaar=2022'
    >>> permalink(View(page="kaart", level="PV"), "https://welvaart.example.nl")
    'https://welvaart.example.nl/?niveau=provincie'
    >>> permalink(View(page="deals"), "", {"ronde": ["1", "3"], "provincie": "Noord-Brabant", "zoek": ""})
    '/deals?ronde=1&ronde=3&provincie=Noord-Brabant'
    >>> permalink(View(page="toets", regions=("CR39",)), "", {"regio": "CR39"})
    Traceback (most recent call last):
    ...
    ValueError: parameter 'regio' is written by the view already

    Raises
    ------
    ValueError
        An ``extra`` parameter the view already writes.
    """
    path = "" if view.page == LANDING_PAGE else view.page
    query = query_string(view)
    pairs: list[tuple[str, str]] = []
    written = view_to_query(view)
    for key, value in (extra or {}).items():
        values = [] if value is None else [value] if isinstance(value, str) else list(value)
        values = [str(v) for v in values if str(v) != ""]
        if values and key in written:
            raise ValueError(f"parameter {key!r} is written by the view already")
        pairs += [(key, v) for v in values]
    if pairs:
        query += ("&" if query else "?") + urlencode(pairs, safe=":~")
    return f"{base_url.rstrip('/')}/{path}{query}"


# ----------------------------------------------------------------------------- map clicks


def region_from_selection(selection: Any) -> str | None:
    """The region code a click on the map chose, or None.

    Accepts what ``st.plotly_chart(..., on_select="rerun")`` returns (an object
    or dict with ``selection.points``), the ``selection`` itself, or a list of
    points. The first point whose ``location`` is a region code counts; clicks
    on the deal overlay or the hatching (no ``location``) give None.

    >>> region_from_selection({"selection": {"points": [{"curve_number": 0, "location": "GM0363"}]}})
    'GM0363'
    >>> region_from_selection({"selection": {"points": [{"lon": 5.1, "lat": 52.0}]}}), region_from_selection(None)
    (None, None)
    """
    points = _points(selection)
    for point in points[:1000]:
        location = point.get("location") if isinstance(point, Mapping) else getattr(point, "location", None)
        if isinstance(location, str) and is_region_code(location):
            return location
    return None


def _points(selection: Any) -> list[Any]:
    if selection is None:
        return []
    if isinstance(selection, (list, tuple)):
        return list(selection)
    for name in ("selection", "points"):
        try:
            inner = selection.get(name) if isinstance(selection, Mapping) else getattr(selection, name, None)
        except Exception:  # noqa: BLE001
            inner = None
        if inner is not None:
            return inner if name == "points" and isinstance(inner, (list, tuple)) else _points(inner)
    return []


# ----------------------------------------------------------------------------- scoring recipe


def theme_weights(view: View, themes: Sequence[str]) -> tuple[tuple[str, float], ...] | None:
    """The view's weights for ``themes`` (those with indicators at the level), or None for equal weights.

    Themes the view leaves out weigh :data:`DEFAULT_WEIGHT`. None also when
    the view has a preset, or when every one of ``themes`` would weigh 0.

    >>> theme_weights(View(weights=(("gezondheid", 3), ("wonen", 0))), ["gezondheid", "wonen", "veiligheid"])
    (('gezondheid', 3.0), ('wonen', 0.0), ('veiligheid', 1.0))
    >>> theme_weights(View(weights="cbs-telling"), ["gezondheid"]) is None
    True
    """
    if isinstance(view.weights, str):
        return None
    given = dict(view.weights)
    pairs = tuple((th, float(given.get(th, DEFAULT_WEIGHT))) for th in themes)
    return pairs if any(w > 0 for _, w in pairs) else None


def aggregation(view: View) -> str:
    """The composite's aggregation: ``count`` for the CBS-telling preset, else ``arithmetic``.

    >>> aggregation(View(weights="cbs-telling")), aggregation(View())
    ('count', 'arithmetic')
    """
    if isinstance(view.weights, str):
        from welfare.scoring import PRESETS as SCORING_PRESETS

        return str(SCORING_PRESETS[PRESETS[view.weights]]["aggregation"])
    return "arithmetic"


__all__ = [
    "COUNT",
    "DEFAULT_WEIGHT",
    "LANDING_PAGE",
    "LEVEL_WORDS",
    "MAX_REGIONS",
    "MIGRATIONS",
    "MODES",
    "PARAMS",
    "PRESETS",
    "PRESSURE",
    "THEME_PREFIX",
    "Notice",
    "View",
    "aggregation",
    "is_region_code",
    "parse_view",
    "permalink",
    "query_string",
    "region_from_selection",
    "scoring_themes",
    "shown",
    "theme_weights",
    "view_to_query",
]
