"""NL/EN messages of the eligibility check (``welfare/eligibility.py``) and its page (``pages/toets.py``).

Keys start with ``check.``. ``check.why.<criterion>.<case>`` explains a verdict
(:func:`welfare.eligibility.explain`), ``check.src.*`` names a rule's source,
``check.ob.*`` are the sentences of the generated onderbouwing, ``check.page.*``
the page's own words.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # ---------------------------------------------------------------- criteria, verdicts, kinds
    "check.crit.rijksbijdrage": {"nl": "Rijksbijdrage € 5–40 mln", "en": "National contribution €5–40m"},
    "check.crit.cofinanciering": {
        "nl": "Cofinanciering ≥ Rijksbijdrage (Rijk ≤ 50 %)",
        "en": "Co-financing ≥ national contribution (state ≤ 50%)",
    },
    "check.crit.brede_welvaart": {"nl": "Brede welvaart onder druk", "en": "Broad welfare under pressure"},
    "check.crit.meervoudige_opgave": {"nl": "Meervoudige opgave", "en": "Multiple challenges"},
    "check.crit.eerdere_deals": {"nl": "Eerdere of lopende Regio Deal", "en": "Earlier or running Region Deal"},
    "check.crit.spreiding": {"nl": "Spreiding over het land", "en": "Spread over the country"},
    "check.crit.kwalitatief": {"nl": "Aanpak en organisatie (kwalitatief)", "en": "Approach and organisation (qualitative)"},
    "check.verdict.voldoet": {"nl": "voldoet", "en": "meets"},
    "check.verdict.aandachtspunt": {"nl": "aandachtspunt", "en": "point of attention"},
    "check.verdict.voldoet_niet": {"nl": "voldoet niet", "en": "does not meet"},
    "check.verdict.niet_te_toetsen": {"nl": "niet te toetsen", "en": "cannot be assessed"},
    "check.kind.hard": {"nl": "harde eis", "en": "hard rule"},
    "check.kind.hard_exception": {"nl": "harde eis, gemotiveerde uitzondering", "en": "hard rule, motivated exception"},
    "check.kind.priority": {"nl": "voorrang", "en": "priority"},
    "check.kind.assessment": {"nl": "beoordeling (opgave)", "en": "assessment (challenge)"},
    "check.kind.portfolio": {"nl": "portefeuille", "en": "portfolio"},
    "check.kind.qualitative": {"nl": "kwalitatief, niet gescoord", "en": "qualitative, not scored"},
    "check.label.robuust_hoog": {"nl": "robuust hoog", "en": "robustly high"},
    "check.label.grensgeval": {"nl": "grensgeval", "en": "borderline"},
    "check.label.robuust_laag": {"nl": "robuust laag", "en": "robustly low"},
    "check.label.geen_score": {"nl": "geen score", "en": "no score"},
    # ---------------------------------------------------------------- small pieces
    "check.meur": {"nl": "€ {x} mln", "en": "€{x}m"},
    "check.and": {"nl": " en ", "en": " and "},
    "check.n_more": {"nl": "{n} andere", "en": "{n} more"},
    "check.no_area": {"nl": "nog geen gebied", "en": "no area yet"},
    "check.split": {"nl": "publiek {public}, privaat {private}", "en": "public {public}, private {private}"},
    "check.split_unknown": {"nl": "verdeling publiek/privaat onbekend", "en": "public/private split unknown"},
    "check.context": {"nl": "Draagkracht van het gebied: {context}.", "en": "The area's financial capacity: {context}."},
    "check.context_item": {
        "nl": "{label} {value} ({unit}, {year}; Nederland {nl}; percentiel {pct} van de gemeenten)",
        "en": "{label} {value} ({unit}, {year}; Netherlands {nl}; percentile {pct} of the municipalities)",
    },
    "check.deal_item": {
        "nl": "{name} (tranche {tranche}, {status}; {n} gemeente(n) van het gebied)",
        "en": "{name} (round {tranche}, {status}; {n} municipality(ies) of the area)",
    },
    "check.spread_item": {
        "nl": "{name} {n} deals, {rijk}, € {per} per inwoner",
        "en": "{name} {n} deals, {rijk}, €{per} per inhabitant",
    },
    "check.spread_province": {"nl": "{name} {n} deals, {rijk}", "en": "{name} {n} deals, {rijk}"},
    "check.own_measure": {
        "nl": "Dit is de eigen drukmaat van dit dashboard, geen officiële drempel: het programma verwijst naar de "
        "Regionale Monitor Brede Welvaart van CBS.",
        "en": "This is this dashboard's own pressure measure, not an official threshold: the programme refers to "
        "the CBS Regional Monitor of Broad Welfare.",
    },
    "check.whatif": {
        "nl": "Wat-als: ronde 6 (2025) is aangekondigd als de laatste ronde van de Regio Deals en er is geen open "
        "indienmoment. Deze toets legt een voorstel naast het laatste afwegingskader; hij is geen besluit en geen "
        "officiële beoordeling.",
        "en": "What-if: round 6 (2025) was announced as the last round of the Region Deals and no submission window "
        "is open. This check holds a proposal against the latest framework; it is neither a decision nor an "
        "official assessment.",
    },
    "check.whatif_short": {
        "nl": "Dit is een wat-als: ronde 6 (2025) was aangekondigd als de laatste ronde.",
        "en": "This is a what-if: round 6 (2025) was announced as the last round.",
    },
    # ---------------------------------------------------------------- why: one case per verdict
    "check.why.rijksbijdrage.missing": {"nl": "Geen Rijksbijdrage opgegeven.", "en": "No national contribution given."},
    "check.why.rijksbijdrage.ok": {
        "nl": "{rijk} ligt tussen het minimum van {min} en het maximum van {max}.",
        "en": "{rijk} lies between the minimum of {min} and the maximum of {max}.",
    },
    "check.why.rijksbijdrage.low": {
        "nl": "{rijk} is minder dan het minimum van {min}.",
        "en": "{rijk} is less than the minimum of {min}.",
    },
    "check.why.rijksbijdrage.high": {
        "nl": "{rijk} is meer dan het maximum van {max}.",
        "en": "{rijk} is more than the maximum of {max}.",
    },
    "check.why.cofinanciering.no_rijk": {
        "nl": "Zonder Rijksbijdrage is het aandeel van het Rijk niet te berekenen.",
        "en": "Without a national contribution the state's share cannot be computed.",
    },
    "check.why.cofinanciering.missing": {
        "nl": "Geen regionale cofinanciering opgegeven: of het Rijk ten hoogste de helft betaalt, is niet te toetsen.",
        "en": "No regional co-financing given: whether the state pays at most half cannot be assessed.",
    },
    "check.why.cofinanciering.ok": {
        "nl": "Regionale cofinanciering {cofin} ({split}) tegen {rijk} van het Rijk: het Rijk betaalt {share} van "
        "het totaal, ten hoogste de helft.",
        "en": "Regional co-financing {cofin} ({split}) against {rijk} from the state: the state pays {share} of the "
        "total, at most half.",
    },
    "check.why.cofinanciering.low_share": {
        "nl": "Regionale cofinanciering {cofin} ({split}) tegen {rijk} van het Rijk: het Rijk betaalt {share} van "
        "het totaal, meer dan de helft. Dat kan alleen met een motivering over de draagkracht van de regio.",
        "en": "Regional co-financing {cofin} ({split}) against {rijk} from the state: the state pays {share} of the "
        "total, more than half. That is only possible with a motivation about the region's financial capacity.",
    },
    "check.why.cofinanciering.none": {
        "nl": "Geen regionale cofinanciering ({cofin}; {split}) tegen {rijk} van het Rijk: het Rijk betaalt {share}. "
        "Een Regio Deal is een gezamenlijke investering van Rijk en regio.",
        "en": "No regional co-financing ({cofin}; {split}) against {rijk} from the state: the state pays {share}. "
        "A Region Deal is a joint investment of state and region.",
    },
    "check.why.brede_welvaart.empty": {"nl": "Nog geen gemeenten gekozen.", "en": "No municipalities chosen yet."},
    "check.why.brede_welvaart.no_score": {
        "nl": "Het gebied krijgt geen drukscore: {reason}.",
        "en": "The area gets no pressure score: {reason}.",
    },
    "check.why.brede_welvaart.high": {
        "nl": "De drukscore van het gebied staat op percentiel {pct} van de {n} gemeenten (rang {rank}; 5–95%-band "
        "van de rang {p05}–{p95} over {draws} varianten van het recept): {label}, in {p_top} van de varianten bij het "
        "kwart gemeenten met de meeste druk. {worst} van de {n_ind} indicatoren vallen in het slechtste kwart van de "
        "gemeenten.",
        "en": "The area's pressure score is at percentile {pct} of the {n} municipalities (rank {rank}; 5–95% band of "
        "the rank {p05}–{p95} over {draws} variants of the recipe): {label}, in {p_top} of the variants among the "
        "quarter of municipalities with most pressure. {worst} of the {n_ind} indicators are in the municipalities' "
        "worst quarter.",
    },
    "check.why.brede_welvaart.borderline": {
        "nl": "De drukscore van het gebied staat op percentiel {pct} van de {n} gemeenten (rang {rank}; 5–95%-band "
        "van de rang {p05}–{p95} over {draws} varianten van het recept): {label}, in {p_top} van de varianten bij het "
        "kwart gemeenten met de meeste druk, dus op de grens. {worst} van de {n_ind} indicatoren vallen in het "
        "slechtste kwart van de gemeenten.",
        "en": "The area's pressure score is at percentile {pct} of the {n} municipalities (rank {rank}; 5–95% band of "
        "the rank {p05}–{p95} over {draws} variants of the recipe): {label}, in {p_top} of the variants among the "
        "quarter of municipalities with most pressure, so on the edge. {worst} of the {n_ind} indicators are in the "
        "municipalities' worst quarter.",
    },
    "check.why.brede_welvaart.low": {
        "nl": "De drukscore van het gebied staat op percentiel {pct} van de {n} gemeenten (rang {rank}; 5–95%-band "
        "van de rang {p05}–{p95} over {draws} varianten van het recept): {label}, in {p_top} van de varianten bij het "
        "kwart gemeenten met de meeste druk. {worst} van de {n_ind} indicatoren vallen in het slechtste kwart. De "
        "voorrang voor regio's waar de brede welvaart het meest onder druk staat, geldt hier niet; het is geen "
        "uitsluitingsgrond.",
        "en": "The area's pressure score is at percentile {pct} of the {n} municipalities (rank {rank}; 5–95% band of "
        "the rank {p05}–{p95} over {draws} variants of the recipe): {label}, in {p_top} of the variants among the "
        "quarter of municipalities with most pressure. {worst} of the {n_ind} indicators are in the worst quarter. "
        "The priority for regions where broad welfare is most under pressure does not apply here; it is no ground "
        "for exclusion.",
    },
    "check.why.meervoudige_opgave.empty": {"nl": "Nog geen gemeenten gekozen.", "en": "No municipalities chosen yet."},
    "check.why.meervoudige_opgave.no_score": {
        "nl": "Zonder drukscore is niet te zeggen welke thema's onder druk staan.",
        "en": "Without a pressure score it cannot be said which themes are under pressure.",
    },
    "check.why.meervoudige_opgave.many": {
        "nl": "{n} thema's staan onder druk (thema-score in het slechtste kwart van de gemeenten): {themes}.",
        "en": "{n} themes are under pressure (theme score in the municipalities' worst quarter): {themes}.",
    },
    "check.why.meervoudige_opgave.one": {
        "nl": "{n} thema staat onder druk: {themes}; een meervoudige opgave vraagt er meer (hier ten minste {min}).",
        "en": "{n} theme is under pressure: {themes}; multiple challenges need more (here at least {min}).",
    },
    "check.why.meervoudige_opgave.none": {
        "nl": "Geen thema staat onder druk ({n} in het slechtste kwart van de gemeenten; ten minste {min} nodig voor een meervoudige opgave).",
        "en": "No theme is under pressure ({n} in the municipalities' worst quarter; at least {min} needed for multiple challenges).",
    },
    "check.why.eerdere_deals.empty": {"nl": "Nog geen gemeenten gekozen.", "en": "No municipalities chosen yet."},
    "check.why.eerdere_deals.none": {
        "nl": "Geen van de {n} gemeenten zit in een Regio Deal van het register.",
        "en": "None of the {n} municipalities is in a Region Deal of the registry.",
    },
    "check.why.eerdere_deals.overlap": {
        "nl": "{k} van de {n} gemeenten ({share} van de inwoners) hebben al een Regio Deal gehad of lopen er een: "
        "{deals}. Vanaf ronde 6 gaat de voorrang naar regio's die nog geen Regio Deal hadden.",
        "en": "{k} of the {n} municipalities ({share} of the inhabitants) have had or are running a Region Deal: "
        "{deals}. From round 6 on, priority goes to regions that have not had a Region Deal.",
    },
    "check.why.eerdere_deals.running": {
        "nl": "{k} van de {n} gemeenten ({share} van de inwoners) zitten in een Regio Deal, waarvan een nog loopt: "
        "{deals}. Let op dubbele financiering van dezelfde opgave.",
        "en": "{k} of the {n} municipalities ({share} of the inhabitants) are in a Region Deal, one of them still "
        "running: {deals}. Watch out for funding the same challenge twice.",
    },
    "check.why.eerdere_deals.ended": {
        "nl": "{k} van de {n} gemeenten ({share} van de inwoners) zaten in een eerdere Regio Deal: {deals}. Het "
        "kader van 2022 geeft geen voorrang naar eerdere deals; ter informatie.",
        "en": "{k} of the {n} municipalities ({share} of the inhabitants) were in an earlier Region Deal: {deals}. "
        "The 2022 framework gives no priority by earlier deals; for information.",
    },
    "check.why.eerdere_deals.possible": {
        "nl": "Deals zonder gemeentelijst in dezelfde provincie(s), na te gaan: {deals}.",
        "en": "Deals without a list of municipalities in the same province(s), to be checked: {deals}.",
    },
    "check.why.spreiding.empty": {"nl": "Nog geen gemeenten gekozen.", "en": "No municipalities chosen yet."},
    "check.why.spreiding.no_population": {
        "nl": "Het aantal inwoners per landsdeel ontbreekt; de spreiding is niet te berekenen.",
        "en": "The number of inhabitants per part of the country is missing; the spread cannot be computed.",
    },
    "check.why.spreiding.below": {
        "nl": "Tot nu toe in {landsdelen}, tegen € {nl} per inwoner landelijk: minder dan gemiddeld, dus de "
        "spreiding pleit voor dit gebied. Per provincie: {provinces}.",
        "en": "So far in {landsdelen}, against €{nl} per inhabitant nationally: less than average, so the spread "
        "speaks for this area. Per province: {provinces}.",
    },
    "check.why.spreiding.above": {
        "nl": "Tot nu toe in {landsdelen}, tegen € {nl} per inwoner landelijk: meer dan gemiddeld, dus de spreiding "
        "pleit niet voor dit gebied. Per provincie: {provinces}.",
        "en": "So far in {landsdelen}, against €{nl} per inhabitant nationally: more than average, so the spread does "
        "not speak for this area. Per province: {provinces}.",
    },
    "check.why.kwalitatief.questions": {
        "nl": "Niet door dit dashboard te beoordelen: de vragen hieronder zijn voor de beoordelaar.",
        "en": "Not for this dashboard to assess: the questions below are for the assessor.",
    },
    # ---------------------------------------------------------------- questions for the official
    "check.q.opgave": {
        "nl": "Opgave: hoe groot, urgent en complex is de opgave, en waarom kan de regio die niet alleen aan?",
        "en": "Challenge: how large, urgent and complex is the challenge, and why can the region not meet it alone?",
    },
    "check.q.aanpak": {
        "nl": "Aanpak: is de aanpak integraal, en hoe leidt die aantoonbaar tot meer brede welvaart voor de inwoners?",
        "en": "Approach: is the approach integrated, and how does it demonstrably lead to more broad welfare for residents?",
    },
    "check.q.financien": {
        "nl": "Financiën: wie financiert mee (publiek en privaat), is dat toegezegd, en past het bij de draagkracht?",
        "en": "Finances: who co-finances (public and private), is it committed, and does it fit the financial capacity?",
    },
    "check.q.organisatie": {
        "nl": "Organisatie: hoe zijn bestuur en uitvoeringskracht geregeld, en hoe zijn overheden, inwoners, bedrijven "
        "en kennisinstellingen betrokken?",
        "en": "Organisation: how are governance and capacity arranged, and how are governments, residents, businesses "
        "and knowledge institutes involved?",
    },
    "check.q.indienmoment": {
        "nl": "Indienmoment: er is geen open ronde meer; langs welke weg (investeringsagenda, Nationaal Programma "
        "Vitale Regio's) zou dit voorstel lopen?",
        "en": "Submission: no round is open any more; along which route (investment agenda, National Programme for "
        "Vital Regions) would this proposal go?",
    },
    # ---------------------------------------------------------------- sources
    "check.src.framework": {
        "nl": "Afwegingskader Regio Deals, Kamerbrief {framework} (wat-als: geen open ronde)",
        "en": "Region Deals assessment framework, letter to parliament {framework} (what-if: no open round)",
    },
    "check.src.rijksbijdrage": {
        "nl": "Afwegingskader Regio Deals {framework}: Rijksbijdrage eenmalig, minimaal € 5 mln en maximaal € 40 mln.",
        "en": "Region Deals framework {framework}: one-off national contribution of at least €5m and at most €40m.",
    },
    "check.src.cofinanciering": {
        "nl": "Afwegingskader Regio Deals {framework}: het Rijk betaalt ten hoogste de helft; 50 % regionale "
        "cofinanciering (publiek of privaat) is het uitgangspunt, een lager aandeel alleen gemotiveerd naar draagkracht.",
        "en": "Region Deals framework {framework}: the state pays at most half; 50% regional co-financing (public or "
        "private) is the starting point, a lower share only motivated by financial capacity.",
    },
    "check.src.brede_welvaart": {
        "nl": "Afwegingskader: bijzondere aandacht voor regio's waar de brede welvaart het meest onder druk staat (geen "
        "drempel gepubliceerd). Maat: drukscore van regiowelvaart, recept {hash}.",
        "en": "Framework: special attention for regions where broad welfare is most under pressure (no threshold "
        "published). Measure: regiowelvaart pressure score, recipe {hash}.",
    },
    "check.src.brede_welvaart_rule": {
        "nl": "Afwegingskader: bijzondere aandacht voor regio's waar de brede welvaart het meest onder druk staat (geen "
        "drempel gepubliceerd). Maat: drukscore van regiowelvaart.",
        "en": "Framework: special attention for regions where broad welfare is most under pressure (no threshold "
        "published). Measure: regiowelvaart pressure score.",
    },
    "check.src.meervoudige_opgave": {
        "nl": "Afwegingskader {framework}, onderdeel opgave (meervoudigheid van de opgave); telling van thema's in het "
        "slechtste kwart van de gemeenten door regiowelvaart.",
        "en": "Framework {framework}, part challenge (multiplicity of the challenge); count of themes in the "
        "municipalities' worst quarter by regiowelvaart.",
    },
    "check.src.eerdere_deals_2024": {
        "nl": "Afwegingskader 2024 (ronde 6): voorrang voor regio's die nog geen Regio Deal hadden. Regio Deals-register "
        "van regiowelvaart (data/regio_deals.csv), bronnen per deal.",
        "en": "Framework 2024 (round 6): priority for regions that have not had a Region Deal. regiowelvaart's Region "
        "Deals registry (data/regio_deals.csv), sources per deal.",
    },
    "check.src.eerdere_deals_2022": {
        "nl": "Afwegingskader 2022: geen voorrang naar eerdere deals (die kwam pas in ronde 6). Regio Deals-register van "
        "regiowelvaart (data/regio_deals.csv), bronnen per deal.",
        "en": "Framework 2022: no priority by earlier deals (that came with round 6). regiowelvaart's Region Deals "
        "registry (data/regio_deals.csv), sources per deal.",
    },
    "check.src.spreiding": {
        "nl": "Afwegingskader {framework}, portefeuille: evenwichtige spreiding over het land. Regio Deals-register van "
        "regiowelvaart (Rijksbijdrage van een deal over meer provincies gelijk verdeeld); inwoners: CBS Gebieden in "
        "Nederland {year}.",
        "en": "Framework {framework}, portfolio: a balanced spread over the country. regiowelvaart's Region Deals "
        "registry (money of a deal over several provinces split equally); inhabitants: CBS Gebieden in Nederland {year}.",
    },
    "check.src.spreiding_rule": {
        "nl": "Afwegingskader {framework}, portefeuille: evenwichtige spreiding over het land. Regio Deals-register van "
        "regiowelvaart.",
        "en": "Framework {framework}, portfolio: a balanced spread over the country. regiowelvaart's Region Deals registry.",
    },
    "check.src.kwalitatief": {
        "nl": "Afwegingskader {framework}: onderdelen opgave, aanpak, financiën en organisatie, beoordeeld door het Rijk.",
        "en": "Framework {framework}: parts challenge, approach, finances and organisation, assessed by the state.",
    },
    "check.src.recipe": {
        "nl": "Drukscore: eigen maat van regiowelvaart, geen officiële drempel (recept {hash})",
        "en": "Pressure score: regiowelvaart's own measure, no official threshold (recipe {hash})",
    },
    "check.src.registry": {
        "nl": "Regio Deals: register van regiowelvaart (data/regio_deals.csv), bronnen per deal",
        "en": "Region Deals: regiowelvaart's registry (data/regio_deals.csv), sources per deal",
    },
    # ---------------------------------------------------------------- the onderbouwing
    "check.ob.intro": {
        "nl": "Het gebied {area} bestaat uit {n} gemeente(n) ({names}; indeling {year}) met samen {population} "
        "inwoners, in {provinces}. Het is getoetst aan het afwegingskader Regio Deals van {framework}.",
        "en": "The area {area} consists of {n} municipality(ies) ({names}; {year} boundaries) with {population} "
        "inhabitants together, in {provinces}. It was checked against the Region Deals framework of {framework}.",
    },
    "check.ob.intro_unnamed": {
        "nl": "Het gebied van {n} gemeente(n) ({names}; indeling {year}) telt samen {population} inwoners, in "
        "{provinces}. Het is getoetst aan het afwegingskader Regio Deals van {framework}.",
        "en": "The area of {n} municipality(ies) ({names}; {year} boundaries) has {population} inhabitants together, "
        "in {provinces}. It was checked against the Region Deals framework of {framework}.",
    },
    "check.ob.intro_empty": {
        "nl": "Er is nog geen gebied gekozen; alleen de bedragen zijn getoetst aan het afwegingskader Regio Deals van {framework}.",
        "en": "No area has been chosen yet; only the amounts were checked against the Region Deals framework of {framework}.",
    },
    "check.ob.money": {
        "nl": "Geld — Rijksbijdrage: {verdict_rijk}; cofinanciering: {verdict_cofin}. {text}",
        "en": "Money — national contribution: {verdict_rijk}; co-financing: {verdict_cofin}. {text}",
    },
    "check.ob.finding": {"nl": "{title}: {verdict}. {text}", "en": "{title}: {verdict}. {text}"},
    "check.ob.qualitative": {
        "nl": "Aanpak en organisatie zijn niet getoetst; daarvoor staan hieronder vragen voor de beoordelaar.",
        "en": "Approach and organisation were not assessed; questions for the assessor are listed below.",
    },
    "check.ob.sources": {"nl": "Bronnen: {sources}.", "en": "Sources: {sources}."},
    # ---------------------------------------------------------------- documents (Markdown, PDF)
    "check.doc_title": {"nl": "Toets Regio Deal", "en": "Region Deal check"},
    "check.doc_meta": {
        "nl": "Afwegingskader {framework} · getoetst op {date} · gegevens van {data} · regiowelvaart",
        "en": "Framework {framework} · checked on {date} · data as of {data} · regiowelvaart",
    },
    "check.doc_table": {"nl": "Criteria", "en": "Criteria"},
    "check.doc_onderbouwing": {"nl": "Onderbouwing", "en": "Justification"},
    "check.doc_questions": {"nl": "Vragen voor de beoordelaar", "en": "Questions for the assessor"},
    "check.doc_sources": {"nl": "Bronnen", "en": "Sources"},
    "check.disclaimer": {
        "nl": "Gegenereerd door regiowelvaart. De drukscore is een eigen maat, geen officiële selectieregel; deze toets "
        "vervangt de beoordeling door het Rijk niet.",
        "en": "Generated by regiowelvaart. The pressure score is the dashboard's own measure, not an official selection "
        "rule; this check does not replace the state's assessment.",
    },
    "check.col_criterion": {"nl": "Criterium", "en": "Criterion"},
    "check.col_kind": {"nl": "Soort", "en": "Kind"},
    "check.col_verdict": {"nl": "Oordeel", "en": "Verdict"},
    "check.col_explanation": {"nl": "Toelichting", "en": "Explanation"},
    # ---------------------------------------------------------------- the page (pages/toets.py)
    "check.page.nav": {"nl": "Toets Regio Deal", "en": "Region Deal check"},
    "check.page.title": {"nl": "Toets: zou dit gebied in aanmerking komen?", "en": "Check: would this area qualify?"},
    "check.page.intro": {
        "nl": "Stel een gebied samen, vul de gevraagde Rijksbijdrage en de cofinanciering in, en zie per criterium van "
        "het afwegingskader Regio Deals het oordeel, de cijfers erachter en de bron. Onderaan staat een onderbouwing "
        "om te downloaden.",
        "en": "Build an area, enter the requested national contribution and the co-financing, and see for each "
        "criterion of the Region Deals framework the verdict, the figures behind it and the source. A justification "
        "to download follows at the bottom.",
    },
    "check.page.area": {"nl": "Gebied", "en": "Area"},
    "check.page.preset_kind": {"nl": "Begin met", "en": "Start from"},
    "check.page.kind_corop": {"nl": "COROP", "en": "COROP"},
    "check.page.kind_provincie": {"nl": "Provincie", "en": "Province"},
    "check.page.kind_arbeidsmarktregio": {"nl": "Arbeidsmarktregio", "en": "Labour market region"},
    "check.page.kind_deal": {"nl": "Bestaande deal", "en": "Existing deal"},
    "check.page.preset": {"nl": "Voorinstelling", "en": "Preset"},
    "check.page.preset_placeholder": {"nl": "Kies om de gemeenten over te nemen", "en": "Choose to take over its municipalities"},
    "check.page.gemeenten": {"nl": "Gemeenten van het gebied", "en": "Municipalities of the area"},
    "check.page.gemeenten_placeholder": {"nl": "Kies gemeenten", "en": "Choose municipalities"},
    "check.page.gemeenten_help": {
        "nl": "Gemeenten van de nieuwste indeling. Een voorinstelling vult deze lijst; daarna kun je gemeenten "
        "toevoegen of weghalen, ook door op de kaart te klikken.",
        "en": "Municipalities of the newest boundaries. A preset fills this list; then add or remove municipalities, "
        "also by clicking on the map.",
    },
    "check.page.bad_regio": {
        "nl": "De link noemt een gebied dat niet bestaat (parameter regio): {error}. Kies het gebied hieronder opnieuw.",
        "en": "The link names an area that does not exist (parameter regio): {error}. Choose the area again below.",
    },
    "check.page.name": {"nl": "Naam van het gebied (optioneel)", "en": "Name of the area (optional)"},
    "check.page.name_placeholder": {"nl": "bijv. Parkstad", "en": "e.g. Parkstad"},
    "check.page.money": {"nl": "Bedragen (mln euro)", "en": "Amounts (million euro)"},
    "check.page.rijk": {"nl": "Rijksbijdrage", "en": "National contribution"},
    "check.page.rijk_help": {"nl": "De gevraagde eenmalige bijdrage van het Rijk, in miljoen euro.", "en": "The one-off contribution asked from the state, in million euro."},
    "check.page.public": {"nl": "Cofinanciering publiek", "en": "Co-financing public"},
    "check.page.private": {"nl": "Cofinanciering privaat", "en": "Co-financing private"},
    "check.page.cofin_help": {
        "nl": "Regionale cofinanciering in miljoen euro. Een leeg vak telt als geen cofinanciering van die soort "
        "zolang het andere is ingevuld; zijn beide leeg, dan is de regel niet te toetsen.",
        "en": "Regional co-financing in million euro. An empty box counts as no co-financing of that kind while the "
        "other is filled in; with both empty the rule cannot be assessed.",
    },
    "check.page.framework": {"nl": "Afwegingskader", "en": "Framework"},
    "check.page.framework_help": {
        "nl": "Het kader van de Kamerbrief van 2024 (ronde 6: ook voorrang voor regio's zonder eerdere deal) of van 2022.",
        "en": "The framework of the 2024 letter (round 6: also priority for regions without an earlier deal) or of 2022.",
    },
    "check.page.computing": {"nl": "Het gebied wordt getoetst…", "en": "Checking the area…"},
    "check.page.failed": {"nl": "De toets kon niet worden uitgevoerd: {error}", "en": "The check could not be run: {error}"},
    "check.page.checklist": {"nl": "Criteria", "en": "Criteria"},
    "check.page.no_area": {
        "nl": "Nog geen gemeenten gekozen: alleen de bedragen zijn getoetst. Kies een voorinstelling of gemeenten hierboven.",
        "en": "No municipalities chosen yet: only the amounts were checked. Choose a preset or municipalities above.",
    },
    "check.page.kpi_percentile": {"nl": "Druk: percentiel", "en": "Pressure: percentile"},
    "check.page.kpi_percentile_help": {
        "nl": "Van de gemeenten heeft dit percentage minder druk op de brede welvaart dan het gebied (eigen maat van dit dashboard).",
        "en": "This share of the municipalities has less pressure on broad welfare than the area (this dashboard's own measure).",
    },
    "check.page.kpi_themes": {"nl": "Thema's onder druk", "en": "Themes under pressure"},
    "check.page.kpi_deals": {"nl": "Regio Deals in het gebied", "en": "Region Deals in the area"},
    "check.page.kpi_share": {"nl": "Aandeel Rijk", "en": "State's share"},
    "check.page.draagkracht": {
        "nl": "Draagkracht: inkomen en vermogen van het gebied naast Nederland; percentiel = aandeel gemeenten met een lagere waarde.",
        "en": "Financial capacity: income and wealth of the area beside the Netherlands; percentile = share of municipalities with a lower value.",
    },
    "check.page.col_indicator": {"nl": "Indicator", "en": "Indicator"},
    "check.page.col_area": {"nl": "Gebied", "en": "Area"},
    "check.page.col_unit": {"nl": "Eenheid", "en": "Unit"},
    "check.page.col_year": {"nl": "Jaar", "en": "Year"},
    "check.page.col_nl": {"nl": "Nederland", "en": "Netherlands"},
    "check.page.col_percentile": {"nl": "Percentiel", "en": "Percentile"},
    "check.page.col_percentile_help": {"nl": "Aandeel gemeenten met een lagere waarde (0–100).", "en": "Share of municipalities with a lower value (0–100)."},
    "check.page.col_deal": {"nl": "Deal", "en": "Deal"},
    "check.page.col_tranche": {"nl": "Tranche", "en": "Round"},
    "check.page.col_status": {"nl": "Status", "en": "Status"},
    "check.page.col_rijk": {"nl": "Rijksbijdrage (mln €)", "en": "National contribution (€m)"},
    "check.page.col_members": {"nl": "Gemeenten van het gebied", "en": "Municipalities of the area"},
    "check.page.col_partial": {"nl": "Deelgebied", "en": "Part only"},
    "check.page.col_group": {"nl": "Landsdeel / provincie", "en": "Part of country / province"},
    "check.page.col_n_deals": {"nl": "Deals", "en": "Deals"},
    "check.page.col_per_inhabitant": {"nl": "€ per inwoner (NL {nl})", "en": "€ per inhabitant (NL {nl})"},
    "check.page.possible": {
        "nl": "Zonder gemeentelijst, na te gaan: {deals}.",
        "en": "Without a list of municipalities, to be checked: {deals}.",
    },
    "check.page.map": {"nl": "Het gebied op de kaart", "en": "The area on the map"},
    "check.page.map_title": {"nl": "Druk op de brede welvaart per gemeente", "en": "Pressure on broad welfare per municipality"},
    "check.page.map_subtitle": {
        "nl": "Kwarten van de drukscore; omlijnd: het voorgestelde gebied ({n} gemeenten)",
        "en": "Quarters of the pressure score; outlined: the proposed area ({n} municipalities)",
    },
    "check.page.pressure_unit": {"nl": "drukscore", "en": "pressure score"},
    "check.page.recipe": {"nl": "recept {hash}", "en": "recipe {hash}"},
    "check.page.proposal": {"nl": "voorstel", "en": "proposal"},
    "check.page.legend_title": {"nl": "Voorstel", "en": "Proposal"},
    "check.page.area_legend": {"nl": "Voorgesteld gebied", "en": "Proposed area"},
    "check.page.map_alt": {
        "nl": "Kaart van de druk op de brede welvaart per gemeente, met het voorgestelde gebied {area} ({n} gemeenten) omlijnd.",
        "en": "Map of the pressure on broad welfare per municipality, with the proposed area {area} ({n} municipalities) outlined.",
    },
    "check.page.map_help": {
        "nl": "Klik op een gemeente om haar aan het gebied toe te voegen of eruit te halen.",
        "en": "Click a municipality to add it to the area or remove it.",
    },
    "check.page.no_boundaries": {
        "nl": "Deze warehouse heeft geen grenzen; de kaart ontbreekt. Bouw opnieuw met grenzen.",
        "en": "This warehouse has no boundaries; the map is missing. Rebuild with boundaries.",
    },
    "check.page.onderbouwing": {"nl": "Onderbouwing", "en": "Justification"},
    "check.page.download_pdf": {"nl": "Onderbouwing als PDF", "en": "Justification as PDF"},
    "check.page.download_md": {"nl": "Onderbouwing als Markdown", "en": "Justification as Markdown"},
    # export
    "check.page.export_title": {
        "nl": "Druk op brede welvaart per gemeente ({year}) met het voorgestelde gebied: {area}",
        "en": "Pressure on broad welfare per municipality ({year}) with the proposed area: {area}",
    },
}
