"""NL/EN messages of the map page (``pages/kaart.py``)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "map.nav": {"nl": "Kaart", "en": "Map"},
    "map.title": {"nl": "Brede welvaart op de kaart", "en": "Broad welfare on the map"},
    "map.intro": {
        "nl": (
            "Kies een indicator, een themascore, de eigen drukscore of de CBS-telling, een niveau en een jaar. "
            "Klik op een regio voor haar profiel."
        ),
        "en": (
            "Choose an indicator, a theme score, our own pressure score or the CBS-style count, a level and a year. "
            "Click a region to open its profile."
        ),
    },
    # controls
    "map.indicator": {"nl": "Wat de kaart toont", "en": "What the map shows"},
    "map.indicator_help": {
        "nl": "Een indicator uit de catalogus, een themascore, de drukscore of de telling van indicatoren in het slechtste kwart.",
        "en": "An indicator of the catalogue, a theme score, the pressure score or the count of indicators in the worst quarter.",
    },
    "map.level": {"nl": "Niveau", "en": "Level"},
    "map.level_gm": {"nl": "Gemeenten", "en": "Municipalities"},
    "map.level_cr": {"nl": "COROP-gebieden", "en": "COROP regions"},
    "map.level_pv": {"nl": "Provincies", "en": "Provinces"},
    "map.mode": {"nl": "Kleuren", "en": "Colours"},
    "map.mode_continuous": {"nl": "Doorlopend", "en": "Continuous"},
    "map.mode_quarters": {"nl": "Kwarten", "en": "Quarters"},
    "map.mode_diverging": {"nl": "Rond NL", "en": "Around NL"},
    "map.mode_help": {
        "nl": (
            "Doorlopend: lichter = lager, donkerder = hoger. Kwarten: zoals het CBS, beste kwart, middengroep en "
            "slechtste kwart van de regio's. Rond NL: de kleur zegt hoe ver een regio van de waarde voor Nederland ligt."
        ),
        "en": (
            "Continuous: lighter = lower, darker = higher. Quarters: as CBS does, the best quarter, the middle half "
            "and the worst quarter of the regions. Around NL: the colour says how far a region is from the value for "
            "the Netherlands."
        ),
    },
    "map.year": {"nl": "Jaar", "en": "Year"},
    "map.year_only": {"nl": "Jaar: {year} (het enige jaar met cijfers)", "en": "Year: {year} (the only year with figures)"},
    "map.deals": {"nl": "Regio Deals tonen", "en": "Show Region Deals"},
    "map.deals_help": {
        "nl": "Tekent de gebieden van de Regio Deals over de kaart, gekleurd per tranche; klik in de legenda om een tranche te verbergen.",
        "en": "Draws the Region Deal areas over the map, coloured by round; click the legend to hide a round.",
    },
    "map.weights": {"nl": "Weging", "en": "Weighting"},
    "map.weights_gelijk": {"nl": "Gelijk per thema", "en": "Equal per theme"},
    "map.weights_cbs_telling": {"nl": "CBS-telling", "en": "CBS-style count"},
    "map.weights_custom": {"nl": "Eigen gewichten", "en": "Own weights"},
    "map.weights_help": {
        "nl": (
            "Hoe de thema's in de drukscore meetellen. Gelijk per thema: het gemiddelde van de themascores. "
            "CBS-telling: het aantal indicatoren waarop een regio in het slechtste kwart valt. "
            "Eigen gewichten (0–5 per thema) komen uit de link of de ranglijst."
        ),
        "en": (
            "How the themes count in the pressure score. Equal per theme: the mean of the theme scores. "
            "CBS-style count: the number of indicators on which a region is in the worst quarter. "
            "Own weights (0–5 per theme) come from the link or the ranking page."
        ),
    },
    # what is drawn
    "map.ind_pressure": {"nl": "Druk op brede welvaart (eigen maat)", "en": "Pressure on broad welfare (own measure)"},
    "map.ind_count": {
        "nl": "Aantal indicatoren in het slechtste kwart (CBS-telling)",
        "en": "Number of indicators in the worst quarter (CBS-style count)",
    },
    "map.ind_theme": {"nl": "Thema {theme}: druk", "en": "Theme {theme}: pressure"},
    "map.ind_indicator": {"nl": "{label} · {theme}", "en": "{label} · {theme}"},
    "map.unit_pressure": {"nl": "drukscore", "en": "pressure score"},
    "map.unit_count": {"nl": "indicatoren", "en": "indicators"},
    "map.subtitle": {"nl": "{level}, {year}", "en": "{level}, {year}"},
    "map.subtitle_score": {
        "nl": "{level}, per indicator het nieuwste jaar t/m {year} · eigen maat, geen officiële selectieregel",
        "en": "{level}, per indicator the newest year up to {year} · own measure, not an official selection rule",
    },
    "map.subtitle_gm": {"nl": "{level} (indeling {boundary}), {year}", "en": "{level} ({boundary} boundaries), {year}"},
    "map.score_note": {"nl": "recept {hash}", "en": "recipe {hash}"},
    "map.reference_mean": {"nl": "gemiddelde regio", "en": "average region"},
    "map.reference_median": {"nl": "mediaan van de regio's", "en": "median of the regions"},
    # hover
    "map.hover_rank": {"nl": "Rang (1 = ongunstigst)", "en": "Rank (1 = least favourable)"},
    "map.hover_rank_pressure": {"nl": "Rang (1 = meeste druk)", "en": "Rank (1 = most pressure)"},
    "map.hover_rank_high": {"nl": "Rang (1 = hoogste)", "en": "Rank (1 = highest)"},
    "map.rank_of": {"nl": "{rank} van {n}", "en": "{rank} of {n}"},
    "map.hover_coverage": {"nl": "Dekking", "en": "Coverage"},
    "map.hover_coverage_score": {"nl": "Dekking (gewicht indicatoren)", "en": "Coverage (indicator weight)"},
    "map.hover_count": {"nl": "Indicatoren in slechtste kwart", "en": "Indicators in worst quarter"},
    "map.hover_themes": {"nl": "Thema's onder druk", "en": "Themes under pressure"},
    "map.hover_basis": {"nl": "Bron van de waarde", "en": "Basis of the value"},
    "map.basis_published": {"nl": "CBS-cijfer voor dit gebied", "en": "CBS figure for this area"},
    "map.basis_sum": {"nl": "som van de gemeenten", "en": "sum of the municipalities"},
    "map.basis_weighted_mean": {"nl": "gewogen gemiddelde van de gemeenten", "en": "weighted mean of the municipalities"},
    "map.basis_approximation": {"nl": "benadering uit de gemeenten", "en": "approximation from the municipalities"},
    "map.basis_harmonised": {"nl": "herberekend op de nieuwe indeling", "en": "restated on the new boundaries"},
    # beside the map
    "map.summary": {"nl": "In het kort", "en": "In brief"},
    "map.changes": {
        "nl": "Grootste stijging sinds {prev}: {up}. Grootste daling: {down}.",
        "en": "Largest rise since {prev}: {up}. Largest fall: {down}.",
    },
    "map.selected": {"nl": "Gekozen regio's", "en": "Chosen regions"},
    "map.selected_row": {"nl": "{name}: {value} (rang {rank})", "en": "{name}: {value} (rank {rank})"},
    "map.selected_none": {"nl": "{name}: geen gegevens", "en": "{name}: no data"},
    "map.link": {"nl": "Kopieer link naar deze kaart", "en": "Copy the link to this map"},
    "map.link_help": {
        "nl": "De link bewaart indicator, niveau, jaar, kleuren, weging, gekozen regio's en taal.",
        "en": "The link keeps indicator, level, year, colours, weighting, chosen regions and language.",
    },
    "map.table": {"nl": "Tabel met alle waarden", "en": "Table of all values"},
    "map.table_filter": {"nl": "Zoek een regio", "en": "Find a region"},
    "map.col_code": {"nl": "Code", "en": "Code"},
    "map.col_name": {"nl": "Regio", "en": "Region"},
    "map.col_value": {"nl": "Waarde", "en": "Value"},
    "map.col_rank": {"nl": "Rang", "en": "Rank"},
    "map.col_coverage": {"nl": "Dekking", "en": "Coverage"},
    "map.source_caption": {"nl": "{source}  \n{vintage}", "en": "{source}  \n{vintage}"},
    # notices
    "map.click_hint": {
        "nl": "Klik op een regio om haar profiel te openen.",
        "en": "Click a region to open its profile.",
    },
    "map.profile_missing": {
        "nl": "Het regioprofiel van {name} ({code}) is nog niet beschikbaar in deze versie van het dashboard.",
        "en": "The region profile of {name} ({code}) is not yet available in this version of the dashboard.",
    },
    "map.indicator_not_at_level": {
        "nl": "{label} heeft geen cijfers op het niveau {level}; de kaart toont {shown}.",
        "en": "{label} has no figures at the level {level}; the map shows {shown}.",
    },
    "map.year_moved": {
        "nl": "Voor {year} zijn er bij deze keuze geen cijfers; de kaart toont {shown}.",
        "en": "There are no figures for {year} with this choice; the map shows {shown}.",
    },
    "map.no_quarters": {
        "nl": "{label} heeft geen richting (beter of slechter), dus geen beste of slechtste kwart; de kaart kleurt doorlopend.",
        "en": "{label} has no direction (better or worse), so no best or worst quarter; the map uses continuous colours.",
    },
    "map.no_reference": {
        "nl": "Er is geen waarde voor Nederland in {year}; het midden van de kleuren is de {ref}.",
        "en": "There is no value for the Netherlands in {year}; the middle of the colours is the {ref}.",
    },
    "map.weights_level": {
        "nl": "De gewichten uit de link geven de thema's op dit niveau samen 0; de kaart weegt de thema's gelijk.",
        "en": "The weights in the link give the themes at this level a total of 0; the map weighs the themes equally.",
    },
    "map.no_boundaries": {
        "nl": "Het datawarehouse heeft geen grenzen voor {level}; de waarden staan in de tabel hieronder. {hint}",
        "en": "The data warehouse has no boundaries for {level}; the values are in the table below. {hint}",
    },
    "map.no_data": {
        "nl": "Er zijn geen cijfers om op de kaart te zetten.",
        "en": "There are no figures to put on the map.",
    },
    "map.score_failed": {
        "nl": "De drukscore kon niet worden berekend: {error}",
        "en": "The pressure score could not be computed: {error}",
    },
    "map.deals_failed": {
        "nl": "De Regio Deals konden niet op de kaart worden gezet: {error}",
        "en": "The Region Deals could not be drawn on the map: {error}",
    },
}
