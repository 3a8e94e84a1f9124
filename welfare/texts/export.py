"""NL/EN messages of the export menu (``pages/_export.py``) and the print page (``pages/afdruk.py``)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "export.button": {"nl": "Exporteren", "en": "Export"},
    "export.help": {
        "nl": "Deze figuur als PNG, SVG of PDF op vaste maat, met bron, peildatum en link; of een briefingpakket (ZIP).",
        "en": "This figure as PNG, SVG or PDF at a fixed size, with source, vintage and link; or a briefing pack (ZIP).",
    },
    "export.size": {"nl": "Formaat", "en": "Size"},
    "export.png": {"nl": "PNG (2×, voor druk)", "en": "PNG (2×, for print)"},
    "export.png1": {"nl": "PNG (1×)", "en": "PNG (1×)"},
    "export.svg": {"nl": "SVG", "en": "SVG"},
    "export.pdf": {"nl": "PDF", "en": "PDF"},
    "export.pack": {"nl": "Briefingpakket (ZIP)", "en": "Briefing pack (ZIP)"},
    "export.pack_help": {
        "nl": "PNG en SVG van de figuur, een PDF met methodenotitie, de getoonde gegevens als CSV en een README met de link.",
        "en": "PNG and SVG of the figure, a PDF with a methods note, the data shown as CSV and a README with the link.",
    },
    "export.print": {"nl": "Afdrukweergave", "en": "Print view"},
    "export.print_help": {
        "nl": "Een schone pagina van deze weergave zonder menu of knoppen, om af te drukken of als PDF te bewaren.",
        "en": "A clean page of this view without menu or controls, to print or save as PDF.",
    },
    "export.failed": {
        "nl": "Exporteren lukte niet: {error}",
        "en": "Export failed: {error}",
    },
    "export.note": {
        "nl": "Het bestand wordt pas gemaakt als u klikt (enkele seconden).",
        "en": "The file is made only when you click (a few seconds).",
    },
    "export.basket": {"nl": "Briefingpakket van meerdere kaarten", "en": "Briefing pack of several maps"},
    "export.basket_count": {
        "nl": "{n} kaart(en) gekozen. Voeg per weergave de kaart toe; het pakket wordt pas gemaakt als u klikt.",
        "en": "{n} map(s) chosen. Add the map of each view; the pack is made only when you click.",
    },
    "export.basket_add": {"nl": "Deze kaart toevoegen", "en": "Add this map"},
    "export.basket_download": {"nl": "Pakket met {n} kaarten downloaden (ZIP)", "en": "Download pack of {n} maps (ZIP)"},
    "export.basket_clear": {"nl": "Leegmaken", "en": "Clear"},
    "print.nav": {"nl": "Afdrukken", "en": "Print"},
    "print.title": {"nl": "Afdrukweergave", "en": "Print view"},
    "print.back": {"nl": "Terug naar de interactieve kaart", "en": "Back to the interactive map"},
    "print.link": {"nl": "Link naar deze weergave", "en": "Link to this view"},
    "print.no_map": {
        "nl": "Geen kaart voor deze weergave: er zijn geen grenzen voor dit niveau in het warehouse. {hint}",
        "en": "No map for this view: the warehouse has no boundaries for this level. {hint}",
    },
    "print.table": {"nl": "Waarden", "en": "Values"},
}
