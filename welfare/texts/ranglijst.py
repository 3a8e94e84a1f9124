"""NL/EN messages of the ranking page (``pages/ranglijst.py``); ``rank.param_*`` serve all three region pages."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "rank.nav": {"nl": "Ranglijst", "en": "Ranking"},
    "rank.title": {"nl": "Ranglijst: brede welvaart onder druk", "en": "Ranking: broad welfare under pressure"},
    "rank.intro": {
        "nl": (
            "Regio's gerangschikt naar druk op de brede welvaart (rang 1 = meeste druk). Deze maat is een eigen "
            "bewerking van dit dashboard, geen officiële selectieregel van het CBS of de Regio Deals. De band laat zien "
            "hoe vast een rang is als de keuzes in het recept variëren."
        ),
        "en": (
            "Regions ranked by pressure on broad welfare (rank 1 = most pressure). This measure is this dashboard's own, "
            "not an official selection rule of CBS or the Region Deals. The band shows how firm a rank is when the "
            "choices of the recipe vary."
        ),
    },
    "rank.level": {"nl": "Niveau", "en": "Level"},
    "rank.level_GM": {"nl": "Gemeenten", "en": "Municipalities"},
    "rank.level_CR": {"nl": "COROP-gebieden", "en": "COROP regions"},
    "rank.level_PV": {"nl": "Provincies", "en": "Provinces"},
    "rank.levels_GM": {"nl": "gemeenten", "en": "municipalities"},
    "rank.levels_CR": {"nl": "COROP-gebieden", "en": "COROP regions"},
    "rank.levels_PV": {"nl": "provincies", "en": "provinces"},
    "rank.year": {"nl": "Peiljaar", "en": "Reference year"},
    "rank.year_latest": {"nl": "nieuwste per indicator", "en": "newest per indicator"},
    "rank.year_upto": {"nl": "stand t/m {year}", "en": "as known up to {year}"},
    "rank.year_help": {
        "nl": "Per indicator het nieuwste jaar met cijfers tot en met het peiljaar (niet elke indicator verschijnt elk jaar).",
        "en": "Per indicator the newest year with figures up to the reference year (not every indicator is published every year).",
    },
    "rank.recipe": {"nl": "Recept", "en": "Recipe"},
    "rank.recipe_0": {"nl": "Gelijk per thema", "en": "Equal per theme"},
    "rank.recipe_1": {"nl": "CBS-telling", "en": "CBS count"},
    "rank.recipe_2": {"nl": "Eigen gewichten", "en": "Own weights"},
    "rank.recipe_help": {
        "nl": (
            "Gelijk per thema: gemiddelde druk per thema, elk thema even zwaar. CBS-telling: het aantal indicatoren "
            "waarop de regio in het slechtste kwart zit. Eigen gewichten: 0–5 per thema, zoals de OECD Better Life Index."
        ),
        "en": (
            "Equal per theme: mean pressure per theme, every theme weighing the same. CBS count: the number of "
            "indicators on which the region is in the worst quarter. Own weights: 0–5 per theme, as in the OECD Better Life Index."
        ),
    },
    "rank.aggregation_arithmetic": {"nl": "gewogen gemiddelde van de thema's", "en": "weighted mean of the themes"},
    "rank.aggregation_geometric": {"nl": "gewogen meetkundig gemiddelde", "en": "weighted geometric mean"},
    "rank.aggregation_count": {"nl": "telling slechtste kwart", "en": "count of worst quarters"},
    "rank.weights": {"nl": "Gewichten per thema", "en": "Weights per theme"},
    "rank.weights_help": {
        "nl": "0 = thema telt niet mee, {default} = standaard, 5 = telt het zwaarst. Alleen de verhouding telt; de gewichten staan in de link.",
        "en": "0 = theme left out, {default} = default, 5 = counts most. Only the ratios matter; the weights are kept in the link.",
    },
    "rank.weights_zero": {
        "nl": "Alle gewichten staan op 0; de ranglijst gebruikt daarom gelijke gewichten.",
        "en": "All weights are 0, so the ranking uses equal weights.",
    },
    "rank.filters": {"nl": "Filters (de rangen blijven landelijk)", "en": "Filters (ranks stay national)"},
    "rank.province": {"nl": "Provincie", "en": "Province"},
    "rank.province_all": {"nl": "Alle provincies", "en": "All provinces"},
    "rank.deals": {"nl": "Regio Deal", "en": "Region Deal"},
    "rank.deals_alle": {"nl": "alle", "en": "all"},
    "rank.deals_met": {"nl": "met deal", "en": "with a deal"},
    "rank.deals_zonder": {"nl": "zonder deal", "en": "without a deal"},
    "rank.deals_help": {
        "nl": "Met deal: de regio (of een van haar gemeenten) hoort bij ten minste één Regio Deal.",
        "en": "With a deal: the region (or one of its municipalities) belongs to at least one Region Deal.",
    },
    "rank.population": {"nl": "Inwoners", "en": "Inhabitants"},
    "rank.param_unknown": {
        "nl": "De link bevat een onbekende waarde voor ‘{name}’ (‘{value}’); die is genegeerd.",
        "en": "The link holds an unknown value for ‘{name}’ (‘{value}’); it was ignored.",
    },
    "rank.param_format": {
        "nl": "De waarde ‘{value}’ voor ‘{name}’ in de link heeft niet de juiste vorm; die is genegeerd.",
        "en": "The value ‘{value}’ for ‘{name}’ in the link is not in the right form; it was ignored.",
    },
    "rank.param_range": {
        "nl": "De waarde ‘{value}’ voor ‘{name}’ in de link valt buiten het bereik; die is genegeerd.",
        "en": "The value ‘{value}’ for ‘{name}’ in the link is out of range; it was ignored.",
    },
    "rank.param_too_many": {
        "nl": "De link noemt te veel regio's; ‘{value}’ is weggelaten.",
        "en": "The link names too many regions; ‘{value}’ was left out.",
    },
    "rank.param_too_few": {
        "nl": "De link noemt te weinig regio's voor ‘{name}’.",
        "en": "The link names too few regions for ‘{name}’.",
    },
    "rank.computing": {"nl": "Ranglijst en banden berekenen…", "en": "Computing the ranking and bands…"},
    "rank.failed": {"nl": "De ranglijst kon niet worden berekend: {error}", "en": "The ranking could not be computed: {error}"},
    "rank.metric_shown": {"nl": "Getoond", "en": "Shown"},
    "rank.metric_shown_value": {"nl": "{n} van {total}", "en": "{n} of {total}"},
    "rank.metric_moved": {"nl": "Verschoven t.o.v. standaard", "en": "Moved against default"},
    "rank.metric_moved_help": {
        "nl": "Aantal regio's (van alle regio's) met een andere rang dan onder het standaardrecept ‘gelijk per thema’.",
        "en": "Number of regions (of all regions) whose rank differs from the default recipe ‘equal per theme’.",
    },
    "rank.metric_max_moved": {"nl": "Grootste verschuiving (plaatsen)", "en": "Largest move (places)"},
    "rank.metric_hash": {"nl": "Recept-hash", "en": "Recipe hash"},
    "rank.metric_hash_help": {
        "nl": "Korte code van het volledige recept (indicatoren, jaren, normalisatie, gewichten, aggregatie); staat ook onder elke figuur.",
        "en": "Short code of the whole recipe (indicators, years, normalisation, weights, aggregation); also printed under every figure.",
    },
    "rank.recipe_line": {
        "nl": "Recept {hash}: {level}, {year}, {n} indicatoren, z-scores, {aggregation}; gewichten: {weights}.",
        "en": "Recipe {hash}: {level}, {year}, {n} indicators, z-scores, {aggregation}; weights: {weights}.",
    },
    "rank.band_explained": {
        "nl": (
            "Band: 5–95% van de rangen in {draws} trekkingen met andere themagewichten, normalisatie, één indicator "
            "weggelaten en de CBS-onzekerheidsmarges. Robuust hoog = in ≥ 90% van de trekkingen bij de {top} met meeste "
            "druk; robuust laag = in ≤ 10%; daartussen: grensgeval."
        ),
        "en": (
            "Band: 5–95% of the ranks over {draws} draws with other theme weights, normalisation, one indicator left out "
            "and CBS's margins of error. Robustly high = among the {top} with most pressure in ≥ 90% of the draws; "
            "robustly low = in ≤ 10%; in between: borderline."
        ),
    },
    "rank.sort": {"nl": "Volgorde van grafiek en tabel", "en": "Order of chart and table"},
    "rank.sort_rang": {"nl": "rang", "en": "rank"},
    "rank.sort_telling": {"nl": "aantal in slechtste kwart", "en": "number in worst quarter"},
    "rank.sort_verschuiving": {"nl": "grootste verschuiving", "en": "largest move"},
    "rank.n_chart": {"nl": "Regio's in de grafiek", "en": "Regions in the chart"},
    "rank.none_shown": {"nl": "Geen regio's met een rang voldoen aan de filters.", "en": "No ranked regions match the filters."},
    "rank.chart_title": {"nl": "Rang en band: {n} van {total} {level}", "en": "Rank and band: {n} of {total} {level}"},
    "rank.chart_subtitle": {
        "nl": "1 = meeste druk van {n}; punt = rang, lijn = 5–95%-band; vorm en kleur: robuust in de top {top} of niet",
        "en": "1 = most pressure of {n}; point = rank, line = 5–95% band; shape and colour: robustly in the top {top} or not",
    },
    "rank.chart_alt": {
        "nl": "De tabel hieronder bevat dezelfde rangen en banden.",
        "en": "The table below holds the same ranks and bands.",
    },
    "rank.note_hash": {"nl": "recept {hash}", "en": "recipe {hash}"},
    "rank.table_alt": {
        "nl": "Ranglijst: rang, band, oordeel, telling slechtste kwart, thema's onder druk en verschuiving per regio",
        "en": "Ranking: rank, band, verdict, worst-quarter count, themes under pressure and move per region",
    },
    "rank.col_rank": {"nl": "Rang", "en": "Rank"},
    "rank.col_rank_help": {"nl": "1 = meeste druk (landelijke rang)", "en": "1 = most pressure (national rank)"},
    "rank.col_region": {"nl": "Regio", "en": "Region"},
    "rank.col_p05": {"nl": "Band van", "en": "Band from"},
    "rank.col_p95": {"nl": "Band tot", "en": "Band to"},
    "rank.col_band_help": {
        "nl": "5%- en 95%-punt van de rang over de trekkingen",
        "en": "5% and 95% point of the rank over the draws",
    },
    "rank.col_label": {"nl": "Oordeel", "en": "Verdict"},
    "rank.col_label_help": {
        "nl": "◆ robuust hoog (top {top} in ≥ 90% van de trekkingen), ● grensgeval, ■ robuust laag (≤ 10%)",
        "en": "◆ robustly high (top {top} in ≥ 90% of the draws), ● borderline, ■ robustly low (≤ 10%)",
    },
    "rank.col_p_top": {"nl": "Kans top {top}", "en": "Chance top {top}"},
    "rank.col_worst": {"nl": "Slechtste kwart", "en": "Worst quarter"},
    "rank.col_worst_help": {
        "nl": "Aantal indicatoren waarop de regio bij het slechtste kwart hoort (de CBS-telling)",
        "en": "Number of indicators on which the region is in the worst quarter (the CBS count)",
    },
    "rank.col_themes": {"nl": "Thema's onder druk", "en": "Themes under pressure"},
    "rank.col_themes_help": {
        "nl": "Thema's waarvan de themascore in het slechtste kwart valt",
        "en": "Themes whose theme score is in the worst quarter",
    },
    "rank.col_theme_names": {"nl": "Welke thema's", "en": "Which themes"},
    "rank.col_moved": {"nl": "Verschuiving", "en": "Move"},
    "rank.col_moved_help": {
        "nl": "Plaatsen t.o.v. het standaardrecept; + = hoger (meer druk), − = lager",
        "en": "Places against the default recipe; + = higher (more pressure), − = lower",
    },
    "rank.col_score": {"nl": "Drukscore", "en": "Pressure score"},
    "rank.col_province": {"nl": "Provincie", "en": "Province"},
    "rank.col_population": {"nl": "Inwoners", "en": "Inhabitants"},
    "rank.col_deal": {"nl": "Regio Deal", "en": "Region Deal"},
    "rank.col_profile": {"nl": "Profiel", "en": "Profile"},
    "rank.profile_link": {"nl": "profiel", "en": "profile"},
    "rank.yes": {"nl": "ja", "en": "yes"},
    "rank.no": {"nl": "nee", "en": "no"},
    "rank.unscored": {
        "nl": "Zonder rang (te weinig indicatoren met cijfers, 65% van het gewicht nodig): {n} regio's, o.a. {names}.",
        "en": "Without a rank (too few indicators with figures, 65% of the weight needed): {n} regions, e.g. {names}.",
    },
    "rank.own_measure": {
        "nl": "De drukmaat is een eigen bewerking van regiowelvaart; het CBS publiceert geen index en geen drempel. Zie de methodepagina.",
        "en": "The pressure measure is regiowelvaart's own; CBS publishes no index and no threshold. See the method page.",
    },
    # export
    "rank.export_title": {
        "nl": "Drukscore {level} ({year}): rang en 5–95%-band, {n} van {total}",
        "en": "Pressure score {level} ({year}): rank and 5–95% band, {n} of {total}",
    },
}
