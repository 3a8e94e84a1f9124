"""NL/EN messages of the method page (``pages/methode.py``).

Numbers in the texts (coverage rule, Monte Carlo settings, weight floor) are
``{fields}`` filled in by the page from the code's own defaults, so the page
cannot drift from what the dashboard computes.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "method.nav": {"nl": "Methode", "en": "Method"},
    "method.title": {"nl": "Methode en bronnen", "en": "Method and sources"},
    "method.intro": {
        "nl": (
            "Hoe het dashboard brede welvaart per regio meet, hoe de drukscore is opgebouwd, hoe zeker een "
            "rangorde is en waar de cijfers vandaan komen."
        ),
        "en": (
            "How the dashboard measures broad welfare per region, how the pressure score is built, how firm a "
            "ranking is and where the figures come from."
        ),
    },
    "method.own_measure": {
        "nl": (
            "**De drukscore is een eigen maat van dit dashboard, geen officiële selectieregel.** Het CBS publiceert "
            "in de Regionale Monitor Brede Welvaart geen index en geen drempel voor ‘brede welvaart onder druk’, en het "
            "programma Regio Deals heeft er ook geen. De score is een hulpmiddel om regio's te vergelijken; de keuzes "
            "erachter staan hieronder en zijn in het dashboard te veranderen."
        ),
        "en": (
            "**The pressure score is this dashboard's own measure, not an official selection rule.** In its Regional "
            "Monitor of Broad Welfare, CBS publishes no index and no threshold for ‘broad welfare under pressure’, and "
            "the Region Deals programme has none either. The score is a tool to compare regions; the choices behind it "
            "are listed below and can be changed in the dashboard."
        ),
    },
    # ------------------------------------------------------------------ indicators
    "method.section_indicators": {"nl": "Indicatoren", "en": "Indicators"},
    "method.indicators_intro": {
        "nl": (
            "Alle indicatoren uit de catalogus, per thema van de monitor (acht thema's ‘hier en nu’, vier kapitalen "
            "‘later’, en context). ‘Richting’ zegt wat gunstig is; ‘In drukscore’ of de indicator meetelt in de "
            "drukscore voor gemeenten. Jaren en dekking komen uit het datawarehouse: het aantal gemeenten met een cijfer "
            "in het nieuwste jaar, en per niveau het aantal regio's met een cijfer."
        ),
        "en": (
            "Every indicator of the catalogue, by theme of the monitor (eight ‘here and now’ themes, four ‘later’ "
            "capitals, and context). ‘Direction’ says what is favourable; ‘In pressure score’ whether the indicator "
            "counts in the pressure score for municipalities. Years and coverage come from the data warehouse: the "
            "number of municipalities with a figure in the newest year, and per level the number of regions with a figure."
        ),
    },
    "method.indicators_alt": {
        "nl": "Indicatoren met thema, richting, eenheid, brontabellen, jaren en dekking",
        "en": "Indicators with theme, direction, unit, source tables, years and coverage",
    },
    "method.direction_up": {"nl": "↑ hoger is beter", "en": "↑ higher is better"},
    "method.direction_down": {"nl": "↓ lager is beter", "en": "↓ lower is better"},
    "method.direction_none": {"nl": "– context", "en": "– context"},
    "method.yes": {"nl": "ja", "en": "yes"},
    "method.no": {"nl": "nee", "en": "no"},
    "method.col_direction": {"nl": "Richting", "en": "Direction"},
    "method.col_unit": {"nl": "Eenheid", "en": "Unit"},
    "method.col_in_score": {"nl": "In drukscore", "en": "In pressure score"},
    "method.col_levels": {"nl": "Niveaus: regio's met waarde", "en": "Levels: regions with a value"},
    "method.col_note": {"nl": "Toelichting", "en": "Note"},
    "method.levels_legend": {
        "nl": "GM = gemeente, AM = arbeidsmarktregio, CR = COROP-gebied, PV = provincie, LD = landsdeel, NL = Nederland; — = geen gegevens.",
        "en": "GM = municipality, AM = labour market region, CR = COROP region, PV = province, LD = NUTS-1 region, NL = the Netherlands; — = no data.",
    },
    # ------------------------------------------------------------------ the score
    "method.section_score": {"nl": "De drukscore", "en": "The pressure score"},
    "method.normalisation": {
        "nl": (
            "**Normalisatie.** Per indicator worden de waarden van alle regio's van een niveau gestandaardiseerd: "
            "standaard als z-score (afstand tot het gemiddelde van de regio's in standaarddeviaties); percentielen en "
            "min-max zijn de alternatieven. De richting wordt gelijkgetrokken, zodat hoger altijd *meer druk* betekent: "
            "bij ‘hoger is beter’ (zoals arbeidsparticipatie) wordt het teken omgedraaid. Standaard telt per indicator "
            "het nieuwste jaar met cijfers; de kaart kan ook een eerder jaar nemen (per indicator het nieuwste jaar tot "
            "en met dat jaar)."
        ),
        "en": (
            "**Normalisation.** Per indicator the values of all regions of a level are standardised: by default as a "
            "z-score (distance from the mean of the regions in standard deviations); percentiles and min-max are the "
            "alternatives. Directions are aligned so that higher always means *more pressure*: for ‘higher is better’ "
            "(such as labour participation) the sign is flipped. By default each indicator uses its newest year with "
            "figures; the map can also take an earlier year (per indicator the newest year up to that year)."
        ),
    },
    "method.weights": {
        "nl": (
            "**Gewichten.** Een themascore is het gemiddelde van de druk op de indicatoren van dat thema die een regio "
            "heeft. De drukscore weegt de thema's standaard gelijk (preset ‘gelijk per thema’). Eigen gewichten zijn "
            "gehele getallen van 0 tot en met 5 per thema, zoals in de OECD Better Life Index: het gewicht van een thema "
            "is zijn getal gedeeld door de som; een thema dat niet genoemd wordt telt als {default}."
        ),
        "en": (
            "**Weights.** A theme score is the mean pressure on the theme's indicators that a region has. The pressure "
            "score weighs the themes equally by default (preset ‘equal per theme’). Own weights are whole numbers from 0 "
            "to 5 per theme, as in the OECD Better Life Index: a theme's weight is its number divided by the sum; a "
            "theme that is not named counts as {default}."
        ),
    },
    "method.aggregation": {
        "nl": (
            "**Aggregatie.** Standaard het gewogen rekenkundig gemiddelde van de themascores (volledig compenserend: een "
            "goede score op het ene thema maakt een slechte op het andere goed). Het meetkundig gemiddelde compenseert "
            "minder. De **CBS-telling** compenseert niet: zij telt op hoeveel indicatoren een regio in het slechtste kwart "
            "van alle regio's valt, zoals het CBS dat in de monitor doet (beste kwart groen, slechtste kwart rood, de rest "
            "grijs; een kwart is rang ≤ max(1, ⌊n/4⌋) van de n regio's met een waarde). Die telling staat altijd naast "
            "de gewogen score."
        ),
        "en": (
            "**Aggregation.** By default the weighted arithmetic mean of the theme scores (fully compensatory: a good "
            "score on one theme makes up for a bad one on another). The geometric mean compensates less. The **CBS-style "
            "count** does not compensate: it counts on how many indicators a region is in the worst quarter of all "
            "regions, as CBS does in the monitor (best quarter green, worst quarter red, the rest grey; a quarter is rank "
            "≤ max(1, ⌊n/4⌋) of the n regions with a value). That count is always shown next to the weighted score."
        ),
    },
    "method.missing": {
        "nl": (
            "**Ontbrekende gegevens.** Een ontbrekend of geheim cijfer blijft ontbreken; het wordt nooit 0. Een thema "
            "wordt gemiddeld over de indicatoren die er zijn. Een regio krijgt alleen een drukscore als haar indicatoren "
            "met een waarde samen minstens {coverage} van het gewicht dragen (de vuistregel van het OESO/JRC-handboek); "
            "anders staat ze als ‘geen gegevens’ op de kaart, met de reden in de ranglijst."
        ),
        "en": (
            "**Missing data.** A missing or confidential figure stays missing; it never becomes 0. A theme is averaged "
            "over the indicators present. A region only gets a pressure score when its indicators with a value carry at "
            "least {coverage} of the weight (the rule of thumb of the OECD/JRC handbook); otherwise it is shown as ‘no "
            "data’ on the map, with the reason in the ranking."
        ),
    },
    "method.areas": {
        "nl": (
            "**Grotere gebieden en herindelingen.** Een COROP-gebied, provincie of dealgebied is een verzameling "
            "gemeenten. Waar het CBS een cijfer voor dat gebied publiceert, telt dat cijfer. Anders: aantallen worden "
            "opgeteld (alleen als elke gemeente een waarde heeft); percentages en gemiddelden worden gewogen met het "
            "aantal inwoners (of woningen, of landoppervlak) en vragen gemeenten die samen minstens {coverage} van de "
            "inwoners dekken; medianen en enquêtecijfers worden zo benaderd en als benadering gemarkeerd. Gemeentelijke "
            "reeksen vanaf {harmonised_from} zijn herberekend op de indeling van {target} met de adresmatrices van VNG "
            "grenswijzigen, zodat een gemeente over de jaren vergelijkbaar blijft."
        ),
        "en": (
            "**Larger areas and municipal mergers.** A COROP region, province or deal area is a set of municipalities. "
            "Where CBS publishes a figure for the area, that figure counts. Otherwise: counts are summed (only when every "
            "municipality has a value); percentages and means are weighted by population (or dwellings, or land area) "
            "and need municipalities covering at least {coverage} of the population; medians and survey figures are "
            "approximated that way and flagged as approximations. Municipal series from {harmonised_from} on are restated "
            "on the {target} boundaries with the VNG grenswijzigen address matrices, so a municipality stays comparable "
            "over the years."
        ),
    },
    # ------------------------------------------------------------------ uncertainty
    "method.section_uncertainty": {"nl": "Hoe zeker is een rangorde?", "en": "How firm is a ranking?"},
    "method.monte_carlo": {
        "nl": (
            "**Bandbreedte van de rang (Monte Carlo).** Een rangorde is één recept uit vele verdedigbare. Het dashboard "
            "rekent de ranglijst {draws} keer opnieuw uit (vaste seed, dus herhaalbaar) en varieert daarbij tegelijk: de "
            "themagewichten (Dirichlet rond de gekozen gewichten, concentratie {concentration}), de normalisatie "
            "({normalisations}), het weglaten van één indicator, en de waarden met een gepubliceerd 95%-interval van het "
            "CBS (opnieuw getrokken binnen dat interval). Per regio volgen de mediane rang, een band van 5% tot 95% en "
            "het aandeel trekkingen waarin de regio bij de {top_n} met de meeste druk hoort. ‘Robuust hoog’ betekent: in "
            "minstens {threshold} van de trekkingen bij die {top_n}; ‘robuust laag’: in hoogstens {low}; daartussen "
            "‘grensgeval’."
        ),
        "en": (
            "**Rank band (Monte Carlo).** A ranking is one recipe out of many defensible ones. The dashboard recomputes "
            "the ranking {draws} times (fixed seed, so repeatable), varying at once: the theme weights (Dirichlet around "
            "the chosen weights, concentration {concentration}), the normalisation ({normalisations}), leaving out one "
            "indicator, and the values with a published CBS 95% interval (redrawn within that interval). Per region this "
            "gives the median rank, a band from 5% to 95% and the share of draws in which the region is among the "
            "{top_n} with most pressure. ‘Robustly high’ means: among those {top_n} in at least {threshold} of the draws; "
            "‘robustly low’: in at most {low}; in between ‘borderline’."
        ),
    },
    "method.attainable": {
        "nl": (
            "**Haalbare rangen.** Met vrij gekozen gewichten kan bijna elke regio bovenaan komen. Daarom toont het "
            "dashboard ook de beste en slechtste rang die een regio kan halen als elk thema minstens {floor} van zijn "
            "gelijke gewicht houdt: ‘kan deze regio onder een verdedigbare weging bovenaan komen?’. Die rangen worden "
            "exact berekend met gemengd-geheeltallige lineaire optimalisatie (HiGHS)."
        ),
        "en": (
            "**Attainable ranks.** With freely chosen weights almost any region can reach the top. So the dashboard also "
            "shows the best and worst rank a region can reach when every theme keeps at least {floor} of its equal "
            "weight: ‘could this region qualify under a defensible weighting?’. These ranks are computed exactly with "
            "mixed-integer linear programming (HiGHS)."
        ),
    },
    "method.recipe": {
        "nl": (
            "**Recept.** Elke drukscore hoort bij een recept (indicatoren, normalisatie, gewichten, aggregatie, "
            "dekkingsregel). Het korte kenmerk van dat recept staat onder elke kaart en ranglijst, en de link van een "
            "pagina bevat de keuzes, zodat een figuur altijd terug te voeren is. Het standaardrecept heeft kenmerk "
            "`{hash}`."
        ),
        "en": (
            "**Recipe.** Every pressure score belongs to a recipe (indicators, normalisation, weights, aggregation, "
            "coverage rule). The recipe's short hash is shown under every map and ranking, and a page's link holds the "
            "choices, so a figure can always be traced back. The default recipe has hash `{hash}`."
        ),
    },
    # ------------------------------------------------------------------ data and licences
    "method.section_data": {"nl": "Gegevens en licenties", "en": "Data and licences"},
    "method.vintage": {
        "nl": "Het datawarehouse is gebouwd op {built} uit {source}; {vintage}. De status per tabel staat op de pagina ‘Status gegevens’.",
        "en": "The data warehouse was built on {built} from {source}; {vintage}. The status per table is on the ‘Data status’ page.",
    },
    "method.boundaries_pdok": {
        "nl": "De grenzen komen van PDOK (CBS-gebiedsindelingen, gegeneraliseerd).",
        "en": "The boundaries come from PDOK (CBS area layers, generalised).",
    },
    "method.boundaries_folder": {
        "nl": (
            "De grenzen komen uit de offline GeoJSON-bestanden van het project: afgeleid van de CBS-gemeentegrenzen van "
            "2018 met de officiële herindelingen, niet van PDOK zelf (zie SOURCE.md bij de bestanden). Voor een "
            "officiële kaart horen de PDOK-lagen; die hebben dezelfde codes."
        ),
        "en": (
            "The boundaries come from the project's offline GeoJSON files: derived from the CBS 2018 municipal "
            "boundaries with the official mergers, not from PDOK itself (see SOURCE.md beside the files). An official map "
            "should use the PDOK layers; they have the same codes."
        ),
    },
    "method.licences_alt": {"nl": "Bronnen en licenties", "en": "Sources and licences"},
    "method.col_what": {"nl": "Wat", "en": "What"},
    "method.col_source": {"nl": "Bron", "en": "Source"},
    "method.col_licence": {"nl": "Licentie", "en": "Licence"},
    "method.lic_cbs": {"nl": "Cijfers (StatLine-tabellen)", "en": "Figures (StatLine tables)"},
    "method.lic_cbs_source": {"nl": "CBS; vermelding ‘Bron: CBS’", "en": "CBS (Statistics Netherlands); credit ‘Source: CBS’"},
    "method.lic_regions": {"nl": "Regiocodes, namen, indeling en inwoners", "en": "Region codes, names, hierarchy and population"},
    "method.lic_regions_source": {"nl": "CBS, Gebieden in Nederland", "en": "CBS, Gebieden in Nederland"},
    "method.lic_boundaries": {"nl": "Grenzen van gemeenten, COROP-gebieden en provincies", "en": "Boundaries of municipalities, COROP regions and provinces"},
    "method.lic_boundaries_source": {"nl": "CBS / PDOK, bewerkt (vereenvoudigd)", "en": "CBS / PDOK, processed (simplified)"},
    "method.lic_mergers": {"nl": "Herindelingen (adressen per oude en nieuwe gemeente)", "en": "Municipal mergers (addresses per old and new municipality)"},
    "method.lic_mergers_source": {"nl": "VNG grenswijzigen", "en": "VNG grenswijzigen"},
    "method.lic_mergers_licence": {
        "nl": "CC BY-NC-SA 4.0 (niet-commercieel, gelijk delen)",
        "en": "CC BY-NC-SA 4.0 (non-commercial, share-alike)",
    },
    "method.lic_processing": {"nl": "Bewerking, drukscore, kaarten", "en": "Processing, pressure score, maps"},
    "method.lic_processing_source": {"nl": "regiowelvaart (open source)", "en": "regiowelvaart (open source)"},
    "method.lic_processing_licence": {
        "nl": "vermelding ‘bewerking regiowelvaart’",
        "en": "credit ‘processing regiowelvaart’",
    },
    "method.licences_note": {
        "nl": (
            "Elke figuur en export draagt de regel ‘Bron: CBS, <tabel>, <jaar>; bewerking regiowelvaart’. Waar "
            "gemeentecijfers over herindelingen heen zijn herberekend, staat de vermelding van VNG grenswijzigen erbij; "
            "door de licentie CC BY-NC-SA gelden die herberekende reeksen alleen voor niet-commercieel gebruik, en "
            "bewerkingen ervan worden onder dezelfde licentie gedeeld."
        ),
        "en": (
            "Every figure and export carries the line ‘Source: CBS, <table>, <year>; processing regiowelvaart’. Where "
            "municipal figures were restated across mergers, the credit to VNG grenswijzigen is added; because of the "
            "CC BY-NC-SA licence those restated series are for non-commercial use only, and adaptations are shared under "
            "the same licence."
        ),
    },
}
