"""Validation rules beyond the column declaration: what the year folder means for each register,
and which dates must come in order. Kept next to the declaration's ``period`` text (registers.py)
and shown in the data dictionary.

Period rules (``year`` is the folder year):

* ``in_year``: the date lies in the year (events registered in the calendar year).
* ``active``: the spell was active in the year: start on or before 31 December and end (when given)
  on or after 1 January.
* ``status``: the dates lie on or before 1 January of the year (status on 1 January).
* ``school_year``: the school year ends in the year (``2019/20`` in the folder 2020).
* ``code_year``: the code ends with the year (election ``KV2021`` in the folder 2021).

A file where at least :data:`WRONG_YEAR_SHARE` of the rows break an ``in_year``, ``active``,
``school_year`` or ``code_year`` rule is in the wrong folder: a file-level error. Single rows that
break it are quarantined (reason ``outside_period``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PeriodRule:
    kind: str  # in_year | active | status | school_year | code_year
    columns: tuple[str, ...]  # staging column names the rule reads

    @property
    def detects_wrong_year(self) -> bool:
        return self.kind != "status"

    def describe(self) -> str:
        c = ", ".join(self.columns)
        return {
            "in_year": f"{c} skal ligge i året",
            "active": f"forløbet ({c}) skal være aktivt i året",
            "status": f"{c} senest 1. januar i året",
            "school_year": f"{c} skal være skoleåret, der slutter i året",
            "code_year": f"koden i {c} skal slutte med året",
        }[self.kind]


PERIOD_RULES: dict[str, PeriodRule] = {
    "befolkning": PeriodRule("status", ("birth_date",)),
    "ydelser": PeriodRule("active", ("start_date", "end_date")),
    "dagtilbud": PeriodRule("active", ("start_date", "end_date")),
    "afgoerelser": PeriodRule("in_year", ("decision_date",)),
    "sigtelser": PeriodRule("in_year", ("charge_date",)),
    "karakterer": PeriodRule("school_year", ("school_year",)),
    "fravaer": PeriodRule("school_year", ("school_year",)),
    "sprogvurdering": PeriodRule("in_year", ("assessment_date",)),
    "ungdomsskole": PeriodRule("in_year", ("enrolled_date",)),
    "ssp": PeriodRule("in_year", ("concern_date",)),
    "udsaettelser": PeriodRule("in_year", ("case_date",)),
    "jobtilskud": PeriodRule("in_year", ("grant_date",)),
    "valgdeltagelse": PeriodRule("code_year", ("election",)),
}

#: Pairs of date columns (earlier, later) that must come in that order when both are given.
DATE_ORDER: dict[str, tuple[tuple[str, str], ...]] = {
    "befolkning": (("birth_date", "moved_in_date"),),
    "ydelser": (("start_date", "end_date"),),
    "dagtilbud": (("start_date", "end_date"),),
    "afgoerelser": (("offence_date", "decision_date"),),
}

#: Share of rows outside the period that makes a file "in the wrong year folder".
WRONG_YEAR_SHARE = 0.5

#: Quarantine reason codes and their Danish text (the reason column adds details).
REASONS: dict[str, str] = {
    "wrong_field_count": "forkert antal felter i rækken",
    "bad_encoding": "ugyldige tegn (rækken er i et andet tegnsæt end resten af filen)",
    "missing_value": "påkrævet værdi mangler",
    "bad_pnr": "ugyldigt personnummer",
    "bad_date": "ugyldig dato (forventet dd-mm-åååå eller åååå-mm-dd)",
    "bad_number": "ikke et tal",
    "bad_bool": "ugyldig ja/nej-værdi (forventet J/N)",
    "unknown_code": "ukendt kode",
    "out_of_range": "umulig værdi (uden for det tilladte interval)",
    "outside_period": "uden for årets opgørelsesperiode",
    "date_order": "datoer i forkert rækkefølge",
    "duplicate_key": "dublet: samme nøgle som en tidligere række i filen",
    "person_not_in_population": "personen findes ikke i nogen befolkningsfil",
}
