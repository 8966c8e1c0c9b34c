"""Named settings for every point of the criteria that the law text leaves open.

Where the law or the ministry's practice is unconfirmed (the project's reference notes on the
law, § 3, mark them **[UNCONFIRMED]**), the engine does not hide a choice in the code: it reads
it from :class:`CriteriaSettings`. Each field has the documented default and a Danish
explanation in :data:`SETTING_DOCS`, which the method page (``docs/criteria-method.md``) and
the notebook show. A build can override any of them through ``ctx.settings["criteria"]``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace

#: The plan's categories of full-time persons outside the labour market (the plan, "Delaftale
#: for indsatsområdet Beskæftigelse", tables "Fuldtidspersoner i alt" 2018/2019 from Danmarks
#: Statistiks boligstatistiske nøgletal 2020). Each benefit spell goes to one category:
#: ``benefit`` codes from ``registers.BENEFITS``; ``activated`` None = either.
EMPLOYMENT_CATEGORIES: dict[str, dict] = {
    "A": {
        "label": "Indikator A - Ledige",
        "rules": [{"benefits": ("ADAG",), "activated": False}],
    },
    "B": {
        "label": "Indikator B - Aktiverede samt ledigheds- og revalideringsydelse",
        "rules": [
            {"benefits": ("ADAG", "KTH", "UDH", "SHY", "OVY"), "activated": True},
            {"benefits": ("LEDY", "REVA", "RESF", "JOBAF"), "activated": None},
        ],
    },
    "C": {
        "label": "Indikator C - Passive kontanthjælpsmodtagere",
        "rules": [{"benefits": ("KTH", "UDH", "SHY", "OVY"), "activated": False}],
    },
    "D": {"label": "Indikator D - Sygedagpenge", "rules": [{"benefits": ("SDP",), "activated": None}]},
    "E": {"label": "Indikator E - Førtidspensionister", "rules": [{"benefits": ("FPEN",), "activated": None}]},
}

#: Benefits never counted as outside the labour market (BL's Q&A: SU, feriedagpenge,
#: barselsdagpenge, fleksjob, fleksydelse, efterløn; folkepension is outside the age band).
NOT_OUTSIDE_BENEFITS = ("SU", "BARS", "FLEX", "EFTL", "FOLK")


def _default_outside() -> tuple[str, ...]:
    out: list[str] = []
    for cat in EMPLOYMENT_CATEGORIES.values():
        for rule in cat["rules"]:
            for b in rule["benefits"]:
                if b not in out:
                    out.append(b)
    return tuple(out)


@dataclass(frozen=True)
class CriteriaSettings:
    #: Benefit codes whose spells count as time outside the labour market or education.
    outside_benefits: tuple[str, ...] = field(default_factory=_default_outside)
    #: Residents whose benefit spells count for calendar year y: "start" = living in the area on
    #: 1 January of y; "end" = on 1 January of y+1.
    employment_population_date: str = "start"
    #: Denominator of the employment share: "headcount" = residents 18-64 on the population
    #: date; "headcount_mean" = mean of the headcounts on 1 January of y and y+1.
    employment_denominator: str = "headcount"
    #: Two-year averages: "mean_of_shares" = (share_1 + share_2) / 2; "pooled" = (n_1 + n_2) / (d_1 + d_2).
    average_method: str = "mean_of_shares"
    #: Conviction counted in the year of the "decision" (afgørelsesdato) or of the "offence" (gerningsdato).
    conviction_date: str = "decision"
    #: Decision types that count as convicted (dømt): all guilty decisions (not acquittal).
    conviction_decisions: tuple[str, ...] = ("UBET", "BET", "BOEDE", "TILTFRA", "ANDEN")
    #: Persons 30-59 with unknown highest education (or only self-reported/imputed education,
    #: which the 2018 rules remove) count as having basic school only.
    education_unknown_as_basic: bool = True
    #: Education status date relative to the list year (0 = status 1 January of the list year).
    education_year_offset: int = 0
    #: Income year relative to the list year (-1: the 2020 list used income year 2019).
    income_year_offset: int = -1
    #: Who is "uddannelsessøgende" (excluded from the income mean): "ongoing_education" = an
    #: ongoing education in the education register; "ongoing_or_su" = that, or SU in the income year.
    students_rule: str = "ongoing_or_su"
    #: Round value and threshold to this many decimals before comparing (None: exact values).
    rounding_decimals: int | None = None
    #: Forebyggelsesområde overlap: "exclude_udsat" (the published list leaves out areas on the
    #: udsatte list), "independent" (§ 61 b alone), "exclude_parallelsamfund".
    forebyggelse_overlap: str = "exclude_udsat"
    #: Consecutive lists (the current one included) for omdannelsesområde from 2021 (law text: 5).
    omdannelse_years_2021: int = 5
    #: Flows (benefits, convictions, income) of the last data year: "projected" = the year is
    #: still running, so it is not used for lists and the forecast projects it; "use" = complete.
    current_year_flows: str = "projected"
    #: A two-year average with one year missing: False = unknown; True = use the year present.
    allow_partial_average: bool = False
    #: Years ahead the scenarios project from the latest list year.
    scenario_horizon: int = 5

    def validate(self) -> CriteriaSettings:
        choices = {
            "employment_population_date": ("start", "end"),
            "employment_denominator": ("headcount", "headcount_mean"),
            "average_method": ("mean_of_shares", "pooled"),
            "conviction_date": ("decision", "offence"),
            "students_rule": ("ongoing_education", "ongoing_or_su"),
            "forebyggelse_overlap": ("exclude_udsat", "independent", "exclude_parallelsamfund"),
            "current_year_flows": ("projected", "use"),
        }
        for name, allowed in choices.items():
            v = getattr(self, name)
            if v not in allowed:
                raise ValueError(f"criteria setting {name}={v!r}: choose one of {', '.join(allowed)}")
        if self.omdannelse_years_2021 < 1 or self.scenario_horizon < 1:
            raise ValueError("criteria settings omdannelse_years_2021 and scenario_horizon must be >= 1")
        return self

    def as_dict(self) -> dict:
        return asdict(self)


def from_mapping(values: dict | None) -> CriteriaSettings:
    """Settings with the given overrides (unknown names are an error naming the setting)."""
    values = dict(values or {})
    known = {f.name for f in fields(CriteriaSettings)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValueError(f"unknown criteria setting(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    for k in ("outside_benefits", "conviction_decisions"):
        if k in values and not isinstance(values[k], tuple):
            values[k] = tuple(values[k])
    return replace(CriteriaSettings(), **values).validate()


DEFAULT = CriteriaSettings()

#: Danish explanation of each setting for the method page: (what it decides, why the default).
SETTING_DOCS: dict[str, tuple[str, str]] = {
    "outside_benefits": (
        "Hvilke ydelser der tæller som 'uden for arbejdsmarked eller uddannelse'.",
        "BL nævner kontanthjælp, uddannelseshjælp, selvforsørgelses- og hjemrejseydelse og overgangsydelse; "
        "listen er afskåret i kilden. Standardvalget er helhedsplanens indikatorer A-E (ledige, aktiverede, "
        "ledigheds- og revalideringsydelse, passive kontanthjælpsmodtagere, sygedagpenge, førtidspension), "
        "som er Danmarks Statistiks opgørelse bag listen. SU, barselsdagpenge, fleksjob, efterløn og "
        "folkepension tæller ikke.",
    ),
    "employment_population_date": (
        "Hvilke beboere et kalenderårs ydelsesforløb tælles for.",
        "Befolkningen opgøres pr. 1. januar; 'start' (1. januar i året) giver også en kendt nævner i "
        "prognosen for det løbende år. Ikke bekræftet.",
    ),
    "employment_denominator": (
        "Nævneren for andelen uden for arbejdsmarkedet.",
        "Alle beboere 18-64 år (hoveder) er den enkleste læsning af lovteksten 'andelen af beboere'. Ikke bekræftet.",
    ),
    "average_method": (
        "Hvordan 'gennemsnittet over de seneste 2 år' beregnes.",
        "Gennemsnit af de to års andele (lovtekstens ordlyd). Alternativet er en samlet andel over de to år.",
    ),
    "conviction_date": (
        "Om en dom tælles i året for afgørelsen eller for gerningen.",
        "Kriminalstatistikken opgør afgørelser efter afgørelsesdato. Ikke bekræftet.",
    ),
    "conviction_decisions": (
        "Hvilke afgørelser der tæller som 'dømt'.",
        "Alle skyldige afgørelser (ubetinget og betinget straf, bøde, tiltalefrafald, anden afgørelse); "
        "frifindelser tæller ikke.",
    ),
    "education_unknown_as_basic": (
        "Om uoplyst uddannelse (og selvrapporteret/skønnet udenlandsk uddannelse) tælles som grundskole.",
        "BL (2020): personer med medbragt uddannelse ligestilles med personer med grundskole eller uoplyst "
        "uddannelse. Ikke fundet i en officiel tekst.",
    ),
    "education_year_offset": (
        "Opgørelsestidspunkt for uddannelse i forhold til listeåret.",
        "Status pr. 1. januar i listeåret, som beboertallet.",
    ),
    "income_year_offset": (
        "Indkomståret i forhold til listeåret.",
        "Listen i december 2020 afventede indkomståret 2019 (Transportministeriet om COVID-forsinkelsen).",
    ),
    "students_rule": (
        "Hvem der er 'uddannelsessøgende' og holdes ude af indkomstgennemsnittet.",
        "Personer i gang med en uddannelse eller på SU i indkomståret. Den præcise definition er ikke bekræftet.",
    ),
    "rounding_decimals": (
        "Om værdier afrundes, før de sammenlignes med grænsen.",
        "De officielle tabeller viser én decimal, men det er ikke bekræftet, at der afrundes før "
        "sammenligningen; standard er de præcise værdier.",
    ),
    "forebyggelse_overlap": (
        "Om et udsat boligområde også kan stå på listen over forebyggelsesområder.",
        "Presse og advokatfirmaer beskriver områder, der forlader udsatte-listen, som 'i stedet' at komme "
        "på forebyggelseslisten; § 61 b siger det ikke. Standard: udsatte områder står ikke også som "
        "forebyggelsesområder.",
    ),
    "omdannelse_years_2021": (
        "Antal år i træk som parallelsamfund, før et område er omdannelsesområde (fra 2021).",
        "Lovteksten siger 'de seneste 5 år'; hvilken ændringslov der ændrede 4 til 5 er ikke bekræftet.",
    ),
    "current_year_flows": (
        "Om ydelser, domme og indkomst fra det seneste dataår er komplette.",
        "Det seneste dataår er det løbende år: det bruges ikke til lister, og prognosen fremskriver det.",
    ),
    "allow_partial_average": (
        "Om et toårsgennemsnit med ét manglende år beregnes af det ene år.",
        "Nej: kriteriet er da ukendt, så historikken ikke bygger på et andet grundlag end loven.",
    ),
    "scenario_horizon": (
        "Antal listeår, scenarierne fremskrives.",
        "Fem år: en hel helhedsplanperiode.",
    ),
}
