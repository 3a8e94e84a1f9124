"""Messages of the Regio Deals page (``pages/deals.py``) and the registry loader (``pages/_common.py``)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "deals.nav": {"nl": "Regio Deals", "en": "Regio Deals"},
    "deals.title": {"nl": "Regio Deals", "en": "Regio Deals"},
    "deals.intro": {
        "nl": "Alle {n} Regio Deals uit zes rondes (2018–2025): waar ze liggen, hoeveel geld waarheen ging, "
        "hun status, en hoe de brede welvaart in het gebied ervoor stond bij de start en nu.",
        "en": "All {n} Regio Deals of six rounds (2018–2025): where they are, how much money went where, "
        "their status, and how broad welfare in the area stood at the start and stands now.",
    },
    "deals.not_effect": {
        "nl": "Dit is een beschrijving, geen effectmeting: veel meer dan de deal beweegt deze cijfers, "
        "en de vergelijkingsregio's zijn context, geen controlegroep.",
        "en": "This is a description, not an effect estimate: much more than the deal moves these figures, "
        "and the comparison regions are context, not a control group.",
    },
    # registry problems (pages/_common.py)
    "deals.registry_broken": {
        "nl": "Het dealregister {path} heeft {n} fout(en); de pagina gebruikt het niet zolang die er zijn. "
        "Herstel het bestand, of laad alleen de goede rijen.",
        "en": "The deals registry {path} has {n} problem(s); the page does not use it while they are there. "
        "Fix the file, or load the good rows only.",
    },
    "deals.registry_unreadable": {
        "nl": "Het dealregister {path} kon niet worden gelezen: {error}",
        "en": "The deals registry {path} could not be read: {error}",
    },
    "deals.load_good_rows": {"nl": "Alleen de goede rijen laden", "en": "Load the good rows only"},
    "deals.partial_loaded": {
        "nl": "Let op: {n} rij(en) van {path} zijn weggelaten omdat ze fouten bevatten",
        "en": "Note: {n} row(s) of {path} are left out because they have problems",
    },
    "deals.col_row": {"nl": "Regel", "en": "Line"},
    "deals.col_field": {"nl": "Veld", "en": "Field"},
    "deals.col_problem": {"nl": "Probleem", "en": "Problem"},
    # KPIs
    "deals.kpi_deals": {"nl": "Deals", "en": "Deals"},
    "deals.kpi_rijk": {"nl": "Rijksbijdrage", "en": "Rijk's contribution"},
    "deals.kpi_cofin": {"nl": "Deals met bekende cofinanciering", "en": "Deals with known co-financing"},
    "deals.kpi_cofin_value": {"nl": "{n} / {total}", "en": "{n} / {total}"},
    "deals.kpi_ratio": {"nl": "Cofinanciering per rijkseuro", "en": "Co-financing per Rijk euro"},
    "deals.kpi_ratio_help": {
        "nl": "Mediaan over de deals waarvan de regionale cofinanciering bekend is; 1,0 = de regio betaalt evenveel als het Rijk.",
        "en": "Median over the deals whose regional co-financing is known; 1.0 = the region pays as much as the Rijk.",
    },
    "deals.meur": {"nl": "€ {value} mln", "en": "€{value}M"},
    "deals.filtered": {"nl": "{n} van {total} deals na filters", "en": "{n} of {total} deals after filters"},
    # filters
    "deals.filters": {"nl": "Filters", "en": "Filters"},
    "deals.f_tranche": {"nl": "Tranche", "en": "Round"},
    "deals.f_any": {"nl": "alle", "en": "all"},
    "deals.f_status": {"nl": "Status", "en": "Status"},
    "deals.f_province": {"nl": "Provincie", "en": "Province"},
    "deals.f_theme": {"nl": "Thema bevat", "en": "Theme contains"},
    "deals.f_budget": {"nl": "Rijksbijdrage (mln €)", "en": "Rijk's contribution (€M)"},
    "deals.f_text": {"nl": "Zoeken in naam, gemeenten, thema's", "en": "Search name, gemeenten, themes"},
    "deals.f_reset": {"nl": "Filters wissen", "en": "Clear filters"},
    "deals.none_match": {
        "nl": "Geen deal voldoet aan deze filters. Verruim of wis de filters hierboven.",
        "en": "No deal matches these filters. Widen or clear the filters above.",
    },
    "deals.bad_param": {
        "nl": "Parameter ‘{name}’ in de link is ongeldig ({value}) en wordt genegeerd.",
        "en": "Parameter ‘{name}’ in the link is invalid ({value}) and is ignored.",
    },
    # map
    "deals.map_title": {"nl": "Regio Deals over de druk op brede welvaart", "en": "Regio Deals over the pressure on broad welfare"},
    "deals.map_subtitle": {
        "nl": "Gemeenten: druk op brede welvaart ({year}), kwart met de meeste en minste druk; lijnen: dealgebieden naar {by}",
        "en": "Gemeenten: pressure on broad welfare ({year}), quarter with the most and least pressure; lines: deal areas by {by}",
    },
    "deals.color_by": {"nl": "Kleur dealgebieden naar", "en": "Colour deal areas by"},
    "deals.by_tranche": {"nl": "tranche", "en": "round"},
    "deals.by_status": {"nl": "status", "en": "status"},
    "deals.map_note": {
        "nl": "Stippellijn: deal voor een deel van de gemeente(n); de hele gemeente is getekend.",
        "en": "Dashed: deal for part of its gemeente(n); the whole gemeente is drawn.",
    },
    "deals.map_alt": {
        "nl": "Kaart van {n} dealgebieden over de druk op brede welvaart per gemeente. {summary}",
        "en": "Map of {n} deal areas over the pressure on broad welfare per gemeente. {summary}",
    },
    "deals.pressure_label": {"nl": "Druk op brede welvaart", "en": "Pressure on broad welfare"},
    "deals.pressure_unit": {"nl": "z-score (hoger = meer druk)", "en": "z-score (higher = more pressure)"},
    "deals.no_boundaries": {
        "nl": "Het datawarehouse heeft geen gemeentegrenzen; de kaart kan niet worden getekend. Bouw opnieuw met grenzen.",
        "en": "The data warehouse has no gemeente boundaries; the map cannot be drawn. Rebuild with boundaries.",
    },
    "deals.not_drawn": {"nl": "Niet op de kaart ({n}): {names}", "en": "Not on the map ({n}): {names}"},
    # table
    "deals.table": {"nl": "Alle deals", "en": "All deals"},
    "deals.table_help": {
        "nl": "Klik een rij om de dealkaart hieronder te openen; klik een kolomkop om te sorteren.",
        "en": "Click a row to open the deal card below; click a column header to sort.",
    },
    "deals.col_name": {"nl": "Deal", "en": "Deal"},
    "deals.col_tranche": {"nl": "Tranche", "en": "Round"},
    "deals.col_signed": {"nl": "Getekend", "en": "Signed"},
    "deals.col_end": {"nl": "Einde", "en": "Ends"},
    "deals.col_rijk": {"nl": "Rijk (mln €)", "en": "Rijk (€M)"},
    "deals.col_cofin": {"nl": "Regio (mln €)", "en": "Region (€M)"},
    "deals.col_provinces": {"nl": "Provincies", "en": "Provinces"},
    "deals.col_status": {"nl": "Status", "en": "Status"},
    "deals.col_partial": {"nl": "Deelgebied", "en": "Part of area"},
    "deals.col_n_gemeenten": {"nl": "Gemeenten", "en": "Gemeenten"},
    "deals.col_themes": {"nl": "Thema's", "en": "Themes"},
    "deals.unknown": {"nl": "onbekend", "en": "unknown"},
    # summaries
    "deals.per_tranche": {"nl": "Per tranche", "en": "Per round"},
    "deals.per_province": {"nl": "Per provincie", "en": "Per province"},
    "deals.per_landsdeel": {"nl": "Per landsdeel", "en": "Per part of the country"},
    "deals.money_note": {
        "nl": "Een deal in meer provincies telt in elk ervan mee met zijn hele bedrag: de rijen tellen op tot meer dan het totaal.",
        "en": "A deal in several provinces counts in each with its whole amount: the rows add up to more than the total.",
    },
    "deals.col_group": {"nl": "Groep", "en": "Group"},
    "deals.col_n": {"nl": "Deals", "en": "Deals"},
    "deals.col_rijk_total": {"nl": "Rijk (mln €)", "en": "Rijk (€M)"},
    "deals.col_cofin_total": {"nl": "Regio, waar bekend (mln €)", "en": "Region, where known (€M)"},
    "deals.col_ratio": {"nl": "Regio per rijkseuro", "en": "Region per Rijk euro"},
    # deal card
    "deals.card": {"nl": "Dealkaart", "en": "Deal card"},
    "deals.pick": {"nl": "Kies een deal", "en": "Choose a deal"},
    "deals.pick_none": {"nl": "— geen —", "en": "— none —"},
    "deals.card_round": {"nl": "Tranche {tranche} ({year})", "en": "Round {tranche} ({year})"},
    "deals.card_money": {"nl": "Geld", "en": "Money"},
    "deals.card_period": {"nl": "Periode", "en": "Period"},
    "deals.card_period_value": {"nl": "getekend {signed}, loopt tot {end}", "en": "signed {signed}, runs until {end}"},
    "deals.card_members": {"nl": "Gemeenten", "en": "Gemeenten"},
    "deals.card_members_none": {
        "nl": "Geen gemeentelijst bekend (provinciebrede of sectordeal, of partners nog niet gepubliceerd).",
        "en": "No list of gemeenten known (a province-wide or sector deal, or partners not published yet).",
    },
    "deals.card_members_now": {"nl": "Nu ({year}): {names}", "en": "Now ({year}): {names}"},
    "deals.card_partial": {
        "nl": "Deze deal betreft maar een deel van de genoemde gemeente(n); de cijfers hieronder gaan over de hele gemeenten.",
        "en": "This deal covers only part of its gemeente(n); the figures below are for the whole gemeenten.",
    },
    "deals.card_themes": {"nl": "Thema's", "en": "Themes"},
    "deals.card_ministry": {"nl": "Coördinerend ministerie", "en": "Lead ministry"},
    "deals.card_sources": {"nl": "Bronnen", "en": "Sources"},
    "deals.card_successor": {"nl": "Opvolger: {name}", "en": "Follow-up: {name}"},
    "deals.card_rijk": {"nl": "Rijk € {rijk} mln; regio {cofin}", "en": "Rijk €{rijk}M; region {cofin}"},
    "deals.card_cofin_value": {"nl": "€ {value} mln", "en": "€{value}M"},
    "deals.welfare": {"nl": "Brede welvaart in het dealgebied", "en": "Broad welfare in the deal area"},
    "deals.welfare_intro": {
        "nl": "Bij de start: per indicator de laatste waarde die in {baseline} bekend was (het jaar voor ondertekening). "
        "Nu: de nieuwste cijfers. Vergelijkbaar: {names} (gemeenten zonder deal in dezelfde provincie, met een vergelijkbare druk bij de start).",
        "en": "At the start: per indicator the latest value known in {baseline} (the year before signing). "
        "Now: the newest figures. Comparable: {names} (gemeenten without a deal in the same province, with similar pressure at the start).",
    },
    "deals.welfare_none": {
        "nl": "Voor deze deal zijn geen gemeenten bekend, dus geen cijfers voor het gebied.",
        "en": "No gemeenten are known for this deal, so there are no figures for the area.",
    },
    "deals.area_deal": {"nl": "Dealgebied", "en": "Deal area"},
    "deals.area_nl": {"nl": "Nederland", "en": "Netherlands"},
    "deals.area_comparable": {"nl": "Vergelijkbare gemeenten", "en": "Comparable gemeenten"},
    "deals.when_baseline": {"nl": "bij de start ({year})", "en": "at the start ({year})"},
    "deals.when_latest": {"nl": "nu ({year})", "en": "now ({year})"},
    "deals.col_area": {"nl": "Gebied", "en": "Area"},
    "deals.col_when": {"nl": "Moment", "en": "When"},
    "deals.col_pressure": {"nl": "Druk (z)", "en": "Pressure (z)"},
    "deals.col_percentile": {"nl": "Percentiel onder gemeenten", "en": "Percentile among gemeenten"},
    "deals.col_percentile_help": {
        "nl": "100 = meer druk dan elke gemeente, 0 = minder dan elke gemeente. Eigen maat van dit dashboard, geen officiële drempel.",
        "en": "100 = more pressure than every gemeente, 0 = less than every gemeente. This dashboard's own measure, not an official threshold.",
    },
    "deals.col_worst": {"nl": "Indicatoren in slechtste kwart", "en": "Indicators in worst quarter"},
    "deals.col_themes_pressure": {"nl": "Thema's onder druk", "en": "Themes under pressure"},
    "deals.col_indicator": {"nl": "Indicator", "en": "Indicator"},
    "deals.col_unit": {"nl": "Eenheid", "en": "Unit"},
    "deals.col_theme": {"nl": "Thema", "en": "Theme"},
    "deals.col_source": {"nl": "Bron", "en": "Source"},
    "deals.col_year_baseline": {"nl": "Jaar start", "en": "Year start"},
    "deals.col_year_latest": {"nl": "Jaar nu", "en": "Year now"},
    "deals.col_value": {"nl": "{area}, {when}", "en": "{area}, {when}"},
    "deals.start": {"nl": "start", "en": "start"},
    "deals.now": {"nl": "nu", "en": "now"},
    "deals.config_hash": {"nl": "Recept druk: {hash}", "en": "Pressure recipe: {hash}"},
    "deals.comparables_none": {"nl": "geen", "en": "none"},
    # export
    "deals.export_title": {
        "nl": "{n} Regio Deals over de druk op brede welvaart per gemeente ({year}), dealgebieden naar {by}",
        "en": "{n} Regio Deals over the pressure on broad welfare per gemeente ({year}), deal areas by {by}",
    },
}


# The registry's statuses are Dutch facts; English readers get a translation beside them.
STATUS_EN = {
    "afgerond": "completed",
    "looptijd verstreken (afronding niet bevestigd)": "period ended (completion not confirmed)",
    "in uitvoering": "in progress",
    "convenant vastgesteld (start uitvoering)": "agreement signed (starting)",
    "looptijd onbekend": "period unknown",
}


def status_label(status: str, lang: str) -> str:
    """The status as shown: the registry's Dutch text, translated in English.

    >>> status_label("in uitvoering", "en"), status_label("in uitvoering", "nl")
    ('in progress', 'in uitvoering')
    """
    return STATUS_EN.get(status, status) if lang == "en" else status
