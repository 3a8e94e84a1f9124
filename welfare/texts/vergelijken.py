"""NL/EN messages of the comparison page (``pages/vergelijken.py``)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "compare.nav": {"nl": "Vergelijken", "en": "Compare"},
    "compare.title": {"nl": "Regio's vergelijken", "en": "Compare regions"},
    "compare.intro": {
        "nl": "Twee tot zes regio's naast elkaar: per thema, per indicator en door de jaren heen. Gemeenten, COROP-gebieden, provincies en Regio Deal-gebieden mogen door elkaar.",
        "en": "Two to six regions side by side: per theme, per indicator and over the years. Municipalities, COROP regions, provinces and Region Deal areas may be mixed.",
    },
    "compare.regions": {"nl": "Regio's (2 tot 6)", "en": "Regions (2 to 6)"},
    "compare.regions_placeholder": {"nl": "Kies regio's", "en": "Choose regions"},
    "compare.regions_help": {
        "nl": "De keuze staat in de link als codes: ?regio=GM0363~GM0599 (een Regio Deal als deal:<id>).",
        "en": "The choice is kept in the link as codes: ?regio=GM0363~GM0599 (a Region Deal as deal:<id>).",
    },
    "compare.choose": {"nl": "Kies ten minste twee regio's om te vergelijken.", "en": "Choose at least two regions to compare."},
    "compare.computing": {"nl": "Cijfers verzamelen…", "en": "Gathering the figures…"},
    "compare.themes": {"nl": "Per thema", "en": "Per theme"},
    "compare.themes_title": {"nl": "Druk per thema", "en": "Pressure per theme"},
    "compare.themes_subtitle": {
        "nl": "Gemiddelde z-score van de indicatoren van het thema {among}; rechts van 0 = meer druk dan gemiddeld",
        "en": "Mean z-score of the theme's indicators {among}; right of 0 = more pressure than average",
    },
    "compare.themes_unit": {"nl": "druk (z-score, 0 = gemiddeld)", "en": "pressure (z-score, 0 = average)"},
    "compare.among_GM": {"nl": "t.o.v. alle gemeenten", "en": "against all municipalities"},
    "compare.among_CR": {"nl": "t.o.v. alle COROP-gebieden", "en": "against all COROP regions"},
    "compare.among_PV": {"nl": "t.o.v. alle provincies", "en": "against all provinces"},
    "compare.average_GM": {"nl": "gemiddelde gemeente", "en": "average municipality"},
    "compare.average_CR": {"nl": "gemiddeld COROP-gebied", "en": "average COROP region"},
    "compare.average_PV": {"nl": "gemiddelde provincie", "en": "average province"},
    "compare.mixed_note": {
        "nl": "Regio's van verschillende soort (of een Regio Deal-gebied): alle regio's zijn gemeten met de maatstaf van de gemeenten; indicatoren die het CBS niet per gemeente publiceert, tellen hier niet mee.",
        "en": "Regions of different kinds (or a Region Deal area): every region is measured with the municipalities' ruler; indicators CBS does not publish per municipality do not count here.",
    },
    "compare.no_themes": {"nl": "Geen themascores voor deze regio's.", "en": "No theme scores for these regions."},
    "compare.table_below": {"nl": "De tabel hieronder geeft de cijfers per indicator.", "en": "The table below gives the figures per indicator."},
    "compare.indicators": {"nl": "Per indicator", "en": "Per indicator"},
    "compare.indicators_intro": {
        "nl": "Nieuwste jaar per regio; achter de waarde de positie binnen het eigen niveau (een Regio Deal-gebied: tussen de gemeenten). Groen = beste kwart, oranjerood = slechtste kwart, grijs = midden.",
        "en": "Newest year per region; after the value the position within its own level (a Region Deal area: among the municipalities). Green = best quarter, orange-red = worst quarter, grey = middle.",
    },
    "compare.col_theme": {"nl": "Thema", "en": "Theme"},
    "compare.col_indicator": {"nl": "Indicator", "en": "Indicator"},
    "compare.table_alt": {"nl": "Cijfers per indicator voor de gekozen regio's en Nederland", "en": "Figures per indicator for the chosen regions and the Netherlands"},
    "compare.over_time": {"nl": "Door de jaren heen", "en": "Over the years"},
    "compare.indicator": {"nl": "Indicator", "en": "Indicator"},
    "compare.indicator_no_data": {
        "nl": "Geen cijfers voor ‘{label}’ bij deze regio's; een andere indicator is gekozen.",
        "en": "No figures for ‘{label}’ for these regions; another indicator was chosen.",
    },
    "compare.no_series": {"nl": "Geen reeksen voor deze regio's.", "en": "No series for these regions."},
    "compare.trend_subtitle": {
        "nl": "{direction}; gestippeld: Nederland; band: 95%-marge van het CBS waar gepubliceerd",
        "en": "{direction}; dashed: the Netherlands; band: CBS 95% margin where published",
    },
    "compare.direction_1": {"nl": "hoger is beter", "en": "higher is better"},
    "compare.direction_-1": {"nl": "lager is beter", "en": "lower is better"},
    "compare.direction_0": {"nl": "geen oordeel (context)", "en": "no judgement (context)"},
    "compare.trend_alt": {"nl": "{label} door de jaren heen per regio, met Nederland", "en": "{label} over the years per region, with the Netherlands"},
    "compare.trend_missing": {"nl": "Geen reeks voor: {names}.", "en": "No series for: {names}."},
    # export
    "compare.export_themes": {
        "nl": "Druk per thema {among}: {regions} ({years})",
        "en": "Pressure per theme {among}: {regions} ({years})",
    },
    "compare.export_trend": {
        "nl": "{label} ({unit}): {regions} en Nederland, {years}",
        "en": "{label} ({unit}): {regions} and the Netherlands, {years}",
    },
}
