"""NL/EN messages of :mod:`welfare.state`: the notices about a link's parameters.

Every notice names the parameter (``{param}``) and, where there is one, the
value as it was read (``{value}``: cleaned and cut short by ``welfare.state``;
pages escape it before it goes into markdown).
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "state.invalid": {
        "nl": "De link bevat een onbekende waarde ‘{value}’ voor ‘{param}’; die is genegeerd.",
        "en": "The link has an unknown value ‘{value}’ for ‘{param}’; it was ignored.",
    },
    "state.too_long": {
        "nl": "De waarde van ‘{param}’ in de link is te lang en is ingekort.",
        "en": "The value of ‘{param}’ in the link is too long and was cut short.",
    },
    "state.year_unavailable": {
        "nl": "Voor ‘{param}’ = {value} zijn er bij deze keuze geen gegevens; de kaart toont het nieuwste jaar.",
        "en": "There are no figures for ‘{param}’ = {value} with this choice; the map shows the newest year.",
    },
    "state.too_many_regions": {
        "nl": "De link noemt meer dan {value} regio's in ‘{param}’; alleen de eerste {value} zijn gebruikt.",
        "en": "The link names more than {value} regions in ‘{param}’; only the first {value} are used.",
    },
    "state.unknown_region": {
        "nl": "‘{value}’ in ‘{param}’ is geen regiocode (zoals GM0363, CR17, PV27) of deal; genegeerd.",
        "en": "‘{value}’ in ‘{param}’ is not a region code (such as GM0363, CR17, PV27) or deal; ignored.",
    },
    "state.unknown_theme": {
        "nl": "‘{value}’ in ‘{param}’ is geen thema met een gewicht; genegeerd.",
        "en": "‘{value}’ in ‘{param}’ is not a theme that can be weighted; ignored.",
    },
    "state.bad_weight": {
        "nl": "Gewicht ‘{value}’ in ‘{param}’ is geen geheel getal van 0 tot en met 5; het standaardgewicht is gebruikt.",
        "en": "Weight ‘{value}’ in ‘{param}’ is not a whole number from 0 to 5; the default weight was used.",
    },
    "state.too_many_weights": {
        "nl": "‘{param}’ in de link bevat te veel gewichten; alleen de eerste {value} zijn gelezen.",
        "en": "‘{param}’ in the link holds too many weights; only the first {value} were read.",
    },
    "state.weights_zero": {
        "nl": "Alle gewichten in ‘{param}’ zijn 0; de kaart gebruikt gelijke gewichten per thema.",
        "en": "All weights in ‘{param}’ are 0; the map uses equal weights per theme.",
    },
}
