"""NL/EN messages of the region profile page (``pages/regioprofiel.py``); ``profile.trend_*`` etc. also serve the comparison page."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "profile.nav": {"nl": "Regioprofiel", "en": "Region profile"},
    "profile.title": {"nl": "Regioprofiel", "en": "Region profile"},
    "profile.kind": {"nl": "Soort regio", "en": "Kind of region"},
    "profile.kind_GM": {"nl": "Gemeente", "en": "Municipality"},
    "profile.kind_CR": {"nl": "COROP-gebied", "en": "COROP region"},
    "profile.kind_PV": {"nl": "Provincie", "en": "Province"},
    "profile.kind_deal": {"nl": "Regio Deal", "en": "Region Deal"},
    "profile.kinds_GM": {"nl": "gemeenten", "en": "municipalities"},
    "profile.kinds_CR": {"nl": "COROP-gebieden", "en": "COROP regions"},
    "profile.kinds_PV": {"nl": "provincies", "en": "provinces"},
    "profile.kinds_deal": {"nl": "Regio Deal-gebieden", "en": "Region Deal areas"},
    "profile.region": {"nl": "Regio", "en": "Region"},
    "profile.computing": {"nl": "Profiel berekenen…", "en": "Computing the profile…"},
    "profile.in_province": {"nl": "provincie {province}", "en": "province of {province}"},
    "profile.population": {"nl": "{population} inwoners", "en": "{population} inhabitants"},
    "profile.deal_caption": {
        "nl": "Regio Deal-gebied van {n} gemeenten (indeling van nu), {population} inwoners. Cijfers: CBS-cijfer waar het gebied gelijk is aan een CBS-gebied, anders berekend uit de gemeenten.",
        "en": "Region Deal area of {n} municipalities (current boundaries), {population} inhabitants. Figures: the CBS figure where the area equals a CBS area, else computed from the municipalities.",
    },
    "profile.metric_rank": {"nl": "Rang (druk)", "en": "Rank (pressure)"},
    "profile.rank_of": {"nl": "{rank} van {n}", "en": "{rank} of {n}"},
    "profile.verdict": {
        "nl": "**Oordeel: {symbol} {label}**: in {share} van de trekkingen bij de {top} met meeste druk (robuust hoog vanaf 90%, robuust laag tot 10%).",
        "en": "**Verdict: {symbol} {label}**: among the {top} with most pressure in {share} of the draws (robustly high from 90%, robustly low up to 10%).",
    },
    "profile.metric_band": {"nl": "Band (5–95%)", "en": "Band (5–95%)"},
    "profile.metric_worst": {"nl": "Slechtste kwart", "en": "Worst quarter"},
    "profile.worst_of": {"nl": "{n} van {total}", "en": "{n} of {total}"},
    "profile.metric_themes": {"nl": "Thema's onder druk", "en": "Themes under pressure"},
    "profile.metric_rank_among": {"nl": "Plaats tussen gemeenten", "en": "Place among municipalities"},
    "profile.metric_rank_among_help": {
        "nl": "1 + het aantal gemeenten met meer druk dan het gebied als geheel",
        "en": "1 + the number of municipalities with more pressure than the area as a whole",
    },
    "profile.metric_percentile": {"nl": "Percentiel", "en": "Percentile"},
    "profile.metric_percentile_help": {
        "nl": "100 = meer druk dan elke gemeente, 0 = minder dan elke gemeente",
        "en": "100 = more pressure than every municipality, 0 = less than every municipality",
    },
    "profile.deal_rank_note": {
        "nl": "Een Regio Deal-gebied wordt gemeten met dezelfde maatstaf als de gemeenten en tussen hen geplaatst; de ranglijst van de gemeenten verandert daardoor niet.",
        "en": "A Region Deal area is measured with the same ruler as the municipalities and placed among them; the municipalities' ranking does not change.",
    },
    "profile.moved": {
        "nl": "Onder deze gewichten t.o.v. het standaardrecept: {moved} plaatsen (▲ = meer druk).",
        "en": "Under these weights against the default recipe: {moved} places (▲ = more pressure).",
    },
    "profile.themes_hit": {"nl": "Thema's onder druk ({n}): {themes}", "en": "Themes under pressure ({n}): {themes}"},
    "profile.attainable_search": {
        "nl": "**Haalbare rang** bij elke weging die elk thema minstens de helft van een gelijk gewicht geeft: beste **{best}**, slechtste **{worst}** van {n} (gevonden door 4.000 wegingen te proberen; bereikt, niet bewezen).",
        "en": "**Attainable rank** under any weighting that gives every theme at least half an equal weight: best **{best}**, worst **{worst}** of {n} (found by trying 4,000 weightings; attained, not proven).",
    },
    "profile.attainable_exact": {
        "nl": "**Haalbare rang** (elk thema minstens de helft van een gelijk gewicht): beste **{best}**, slechtste **{worst}** van {n}; bewezen grenzen {best_bound} en {worst_bound} ({method}).",
        "en": "**Attainable rank** (every theme at least half an equal weight): best **{best}**, worst **{worst}** of {n}; proven bounds {best_bound} and {worst_bound} ({method}).",
    },
    "profile.attainable_none": {
        "nl": "Geen haalbare rang: de regio heeft te weinig indicatoren met cijfers voor een score.",
        "en": "No attainable rank: the region has too few indicators with figures for a score.",
    },
    "profile.exact_button": {"nl": "Exact bewijzen", "en": "Prove exactly"},
    "profile.exact_help": {
        "nl": "Bewijst de beste en slechtste rang met een MILP-optimalisatie (HiGHS) voor deze ene regio; duurt enkele seconden tot ongeveer een halve minuut.",
        "en": "Proves the best and worst rank with a MILP optimisation (HiGHS) for this one region; takes a few seconds up to about half a minute.",
    },
    "profile.exact_running": {"nl": "Haalbare rang bewijzen (MILP)…", "en": "Proving the attainable rank (MILP)…"},
    "profile.method_exact": {"nl": "exact bewezen", "en": "proven exactly"},
    "profile.method_bounded": {"nl": "begrensd: de regio mist een thema", "en": "bounded: the region misses a theme"},
    "profile.method_time_limit": {"nl": "tijdslimiet bereikt", "en": "time limit reached"},
    "profile.method_search": {"nl": "alleen gezocht", "en": "searched only"},
    "profile.method_geen_score": {"nl": "geen score", "en": "no score"},
    "profile.score_failed": {"nl": "De samengestelde rang kon niet worden berekend: {error}", "en": "The composite rank could not be computed: {error}"},
    "profile.indicators": {"nl": "Alle indicatoren", "en": "All indicators"},
    "profile.indicators_intro": {
        "nl": (
            "Per indicator het nieuwste jaar met een cijfer. Positie: beste kwart, middengroep of slechtste kwart {among} "
            "in hetzelfde jaar, met de plaats (1 = ongunstigst); groen = beste kwart, oranjerood = slechtste kwart, grijs = midden. "
            "Trend over maximaal 8 jaar: ↑ stijgt, ↓ daalt, → geen duidelijke verandering, · te weinig jaren; ‘gunstig’ of ‘ongunstig’ zegt wat de verandering betekent."
        ),
        "en": (
            "Per indicator the newest year with a figure. Position: best quarter, middle half or worst quarter {among} "
            "in the same year, with the place (1 = least favourable); green = best quarter, orange-red = worst quarter, grey = middle. "
            "Trend over at most 8 years: ↑ rising, ↓ falling, → no clear change, · too few years; ‘favourable’ or ‘unfavourable’ says what the change means."
        ),
    },
    "profile.among_gemeenten": {"nl": "van alle gemeenten", "en": "of all municipalities"},
    "profile.among_GM": {"nl": "van alle gemeenten", "en": "of all municipalities"},
    "profile.among_CR": {"nl": "van alle COROP-gebieden", "en": "of all COROP regions"},
    "profile.among_PV": {"nl": "van alle provincies", "en": "of all provinces"},
    "profile.dimension_hier_en_nu": {"nl": "Hier en nu", "en": "Here and now"},
    "profile.dimension_later": {"nl": "Later: kapitaal voor toekomstige generaties", "en": "Later: capital for future generations"},
    "profile.dimension_context": {"nl": "Context (geen oordeel)", "en": "Context (no judgement)"},
    "profile.table_alt": {"nl": "{theme}: indicatoren van {name}", "en": "{theme}: indicators of {name}"},
    "profile.col_indicator": {"nl": "Indicator (eenheid)", "en": "Indicator (unit)"},
    "profile.col_value": {"nl": "Waarde", "en": "Value"},
    "profile.col_unit": {"nl": "Eenheid", "en": "Unit"},
    "profile.col_margin_help": {
        "nl": "Tussen haakjes: de 95%-onzekerheidsmarge die het CBS publiceert (enquêtecijfers)",
        "en": "In brackets: the 95% margin of error CBS publishes (survey figures)",
    },
    "profile.theme_no_data": {
        "nl": "geen gegevens op dit niveau ({indicators}).",
        "en": "no data at this level ({indicators}).",
    },
    "profile.col_nl": {"nl": "Nederland", "en": "Netherlands"},
    "profile.col_nl_help": {"nl": "Cijfer voor heel Nederland in hetzelfde jaar", "en": "Figure for the whole Netherlands in the same year"},
    "profile.col_position": {"nl": "Positie", "en": "Position"},
    "profile.col_position_help": {
        "nl": "Beste kwart / middengroep / slechtste kwart, met (plaats/aantal); plaats 1 = ongunstigst",
        "en": "Best quarter / middle half / worst quarter, with (place/number); place 1 = least favourable",
    },
    "profile.col_trend": {"nl": "Trend", "en": "Trend"},
    "profile.col_trend_help": {
        "nl": "Alleen ↑ of ↓ als de verandering groter is dan de ruis (95%-toets)",
        "en": "↑ or ↓ only when the change exceeds the noise (95% test)",
    },
    "profile.col_history": {"nl": "Verloop", "en": "Over time"},
    "profile.col_year": {"nl": "Jaar", "en": "Year"},
    "profile.col_source": {"nl": "Bron · jaar", "en": "Source · year"},
    "profile.col_source_help": {"nl": "CBS-tabel (StatLine) en het jaar van het cijfer", "en": "CBS table (StatLine) and the year of the figure"},
    "profile.col_notes": {"nl": "Toelichting", "en": "Note"},
    "profile.no_data": {"nl": "geen gegevens", "en": "no data"},
    "profile.no_direction": {"nl": "geen oordeel", "en": "no judgement"},
    "profile.not_at_level": {
        "nl": "Het CBS publiceert dit cijfer niet voor dit niveau (wel: {levels})",
        "en": "CBS does not publish this figure at this level (it does at: {levels})",
    },
    "profile.trend_up": {"nl": "stijgt", "en": "rising"},
    "profile.trend_down": {"nl": "daalt", "en": "falling"},
    "profile.trend_flat": {"nl": "geen duidelijke verandering", "en": "no clear change"},
    "profile.trend_none": {"nl": "te weinig jaren", "en": "too few years"},
    "profile.assessment_better": {"nl": "gunstig", "en": "favourable"},
    "profile.assessment_worse": {"nl": "ongunstig", "en": "unfavourable"},
    "profile.method_published": {"nl": "CBS-cijfer", "en": "CBS figure"},
    "profile.method_sum": {"nl": "som van de gemeenten", "en": "sum of the municipalities"},
    "profile.method_weighted_mean": {"nl": "gewogen gemiddelde van de gemeenten", "en": "weighted mean of the municipalities"},
    "profile.method_approximation": {
        "nl": "benadering: bevolkingsgewogen gemiddelde",
        "en": "approximation: population-weighted mean",
    },
    "profile.similar": {"nl": "Vergelijkbare regio's", "en": "Similar regions"},
    "profile.similar_intro": {
        "nl": "De vijf {kind} die het meest lijken op deze regio: afstand over de gestandaardiseerde waarden van {n} indicatoren (nieuwste jaar) en het inwonertal (log).",
        "en": "The five {kind} most like this region: distance over the standardised values of {n} indicators (newest year) and the population (log).",
    },
    "profile.similar_item": {
        "nl": "{population} inwoners · afstand {distance} · {n} indicatoren",
        "en": "{population} inhabitants · distance {distance} · {n} indicators",
    },
    "profile.similar_none": {"nl": "Geen vergelijkbare regio's met genoeg gegevens.", "en": "No similar regions with enough data."},
    "profile.compare_link": {"nl": "Vergelijk deze regio met deze vijf", "en": "Compare this region with these five"},
    "profile.members": {"nl": "Gemeenten in het gebied ({n})", "en": "Municipalities in the area ({n})"},
}
