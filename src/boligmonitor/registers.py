"""The register declarations: one per register extract, the single source of truth.

Each :class:`Register` says which file it is, what its columns are called in the raw extract
(Danish, as delivered), what they become in the staging tables (English), their type, whether
they are required, which codes and ranges are allowed, and what the key is. This declaration
drives the synthetic writer (``boligmonitor.synth``), the reader, validation and loader
(``boligmonitor.ingest``) and the generated data dictionary (docs page).

Raw layout (contract):

* ``data/raw/<year>/<register>.csv`` -- one folder per data year, one file per register.
* ``data/raw/reference/<register>.csv`` -- reference tables that are not person level.

Conventions of the raw files (as Danish extracts come): ``;`` separator, decimal comma,
``dd-mm-yyyy`` dates, Danish headers; encodings vary per source (declared ``encoding`` is what
the source usually sends; the reader detects it, or a sidecar ``<file>.yml`` states it).

Person numbers (``PNR``) are CPR-shaped. They are replaced by a keyed hash at ingest and never
stored. The synthetic default uses replacement numbers (day of birth + 60), which no real
person has.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

DType = Literal["pnr", "str", "int", "float", "date", "bool", "code"]

#: Yes/no flags as the sources write them.
YES_NO = {"J": "ja", "N": "nej"}


@dataclass(frozen=True)
class Column:
    raw: str  # header in the raw extract (Danish)
    name: str  # column name in the staging table (English, snake_case)
    dtype: DType
    description: str  # Danish meaning, for the data dictionary
    required: bool = True  # a required value may not be empty
    codes: dict[str, str] | None = None  # allowed codes -> Danish meaning (dtype "code")
    min: float | None = None  # inclusive lower bound (int/float) or earliest year (date)
    max: float | None = None  # inclusive upper bound (int/float) or latest year (date)
    #: plausible range of the column's median in a file (the unit's size: kroner, days, marks); the
    #: number-format rule (ingest/numbers.py) uses it to read ``299.220`` as 299,220 kr, not 299.22
    typical: tuple[float, float] | None = None


@dataclass(frozen=True)
class Register:
    name: str  # file stem in data/raw/<year>/, Danish
    table: str  # staging table name (schema "staging"), English
    title: str  # Danish title for the dictionary
    source: str  # who delivers it
    period: str  # what the year folder means for this register (Danish)
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # staging column names that identify a row within one file
    encoding: str = "utf-8"  # what the source usually sends: utf-8, utf-8-sig, latin-1, cp1252
    person_level: bool = True  # holds a PNR column (pseudonymised at ingest)
    yearly: bool = True  # lives in data/raw/<year>/ (False: data/raw/reference/)
    optional: bool = False  # a year folder may lack this file without error
    notes: str = ""

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name or c.raw == name:
                return c
        raise KeyError(f"{self.name}: no column {name!r}")

    @property
    def raw_headers(self) -> list[str]:
        return [c.raw for c in self.columns]


PNR = Column("PNR", "pnr", "pnr", "Personnummer (CPR), erstattes af et pseudonym ved indlæsning")

# --- Code lists -------------------------------------------------------------------------------

#: Plan indicators that no register holds (``computed`` = N in ``data/indicators.csv``; a test checks
#: the two agree): the unit reports them in ``data/raw/reference/eksterne_indikatorer.csv``.
EXTERNAL_INDICATORS = {
    "S7": "Andel beboere, der føler sig grundlæggende trygge i boligområdet (VIVE)",
    "S8": "Andel beboere, der deltager frivilligt i arbejde (VIVE)",
}
#: Areas and area groups an external value may be given for.
EXTERNAL_AREAS = {
    "gl_jennumparken": "Gl. Jennumparken",
    "glarbjergvej": "Glarbjergvej-området",
    "hermann_stillingsvej": "Hermann Stillingsvej-området",
    "energivej": "Energivej-området",
    "vangdalen": "Vangdalen",
    "sjaellandsgade": "Sjællandsgadekvarteret",
    "helhedsplan": "alle fem boligområder",
    "randers_kommune": "Randers Kommune",
    "alle_helhedsplaner": "alle boligsociale helhedsplaner (VIVE's sammenligning)",
}

SEX = {"1": "mand", "2": "kvinde"}
ORIGIN = {"1": "personer af dansk oprindelse", "2": "indvandrere", "3": "efterkommere"}

#: Benefit types (ydelser). Which of them count as "outside the labour market" is a setting of the
#: criteria engine (boligmonitor.criteria), not of this declaration.
BENEFITS = {
    "ADAG": "Arbejdsløshedsdagpenge (a-dagpenge)",
    "KTH": "Kontanthjælp",
    "UDH": "Uddannelseshjælp",
    "SHY": "Selvforsørgelses- og hjemrejseydelse",
    "OVY": "Overgangsydelse (tidl. integrationsydelse)",
    "SDP": "Sygedagpenge",
    "LEDY": "Ledighedsydelse",
    "RESF": "Ressourceforløbsydelse",
    "JOBAF": "Jobafklaringsforløb",
    "REVA": "Revalideringsydelse",
    "FPEN": "Førtidspension",
    "FLEX": "Fleksjob",
    "SU": "Statens Uddannelsesstøtte (SU)",
    "FOLK": "Folkepension",
    "EFTL": "Efterløn",
    "BARS": "Barselsdagpenge",
}
MATCH_GROUP = {"1": "jobparat", "2": "aktivitetsparat", "3": "uddannelsesparat"}

#: Highest completed education, DST level of the 4-digit education code (first two digits).
#: The mapping of code to level is in boligmonitor.synth/criteria via EDUCATION_LEVELS.
EDUCATION_LEVELS = {
    "10": "Grundskole",
    "20": "Gymnasiale uddannelser",
    "30": "Erhvervsfaglige uddannelser",
    "35": "Adgangsgivende uddannelsesforløb",
    "40": "Korte videregående uddannelser",
    "50": "Mellemlange videregående uddannelser",
    "60": "Bacheloruddannelser",
    "70": "Lange videregående uddannelser",
    "80": "Ph.d. og forskeruddannelser",
    "90": "Uoplyst",
}
EDUCATION_SOURCE = {
    "REG": "Dansk uddannelsesregister (taget i Danmark)",
    "GODK": "Udenlandsk uddannelse godkendt i Danmark",
    "SELV": "Selvrapporteret (indvandrerundersøgelse)",
    "IMP": "Imputeret / skønnet",
}
LAWS = {
    "STRFL": "Straffeloven",
    "VAABENL": "Våbenloven",
    "EUFL": "Lov om euforiserende stoffer",
    "FAERDSL": "Færdselsloven",
    "ANDET": "Anden særlov",
}
DECISIONS = {
    "UBET": "Ubetinget frihedsstraf",
    "BET": "Betinget dom",
    "BOEDE": "Bøde",
    "TILTFRA": "Tiltalefrafald",
    "FRIFUND": "Frifindelse",
    "ANDEN": "Anden afgørelse",
}
DAYCARE_TYPES = {
    "DAGPLEJE": "Dagpleje",
    "VUGGESTUE": "Vuggestue",
    "BOERNEHAVE": "Børnehave",
    "INTEGRERET": "Integreret institution",
}
SUBJECTS = {"DANSK": "Dansk (samlet prøvekarakter)", "MATEMATIK": "Matematik (samlet prøvekarakter)"}
LANGUAGE_RESULTS = {"GENEREL": "Generel indsats", "FOKUSERET": "Fokuseret indsats", "SAERLIG": "Særlig indsats"}
GRANTS = {
    "VOKSENLAERLING": "Voksenlærlingetilskud",
    "UDDLOEFT": "Uddannelsesløft (uddannelse på dagpenge)",
    "KOMPLOEFT": "Kompetenceløft (anden kompetencegivende uddannelse)",
}
JOBREADY_GROUPS = {
    "DAGPENGE": "Dagpengemodtager",
    "KONTANTHJ": "Jobparat kontanthjælpsmodtager",
    "OVERGANG": "Overgangsydelsesmodtager",
    "SHY": "Selvforsørgelses- og hjemrejseydelsesmodtager",
}
ELECTIONS = {
    "KV2017": "Kommunalvalg 21. november 2017",
    "FV2019": "Folketingsvalg 5. juni 2019",
    "EP2019": "Europaparlamentsvalg 26. maj 2019",
    "KV2021": "Kommunalvalg 16. november 2021",
    "FV2022": "Folketingsvalg 1. november 2022",
    "EP2024": "Europaparlamentsvalg 9. juni 2024",
}
LANDLORDS = {"RANDERSBOLIG": "RandersBolig", "LEJERBO": "Lejerbo", "ANDEN": "Anden udlejer"}

_ADDRESS = (
    Column("KOM", "municipality_code", "int", "Kommunekode (730 = Randers)", min=101, max=860),
    Column("VEJNAVN", "street", "str", "Vejnavn som registreret"),
    Column("HUSNR", "house_number", "str", "Husnummer med evt. bogstav, fx 12A"),
    Column("ETAGE", "floor", "str", "Etage (st, 1, 2, ..., kl)", required=False),
    Column("SIDEDOER", "door", "str", "Side/dør (th, tv, mf, 1, 2, ...)", required=False),
    Column("POSTNR", "postcode", "int", "Postnummer", min=1000, max=9999),
)

# --- Registers ----------------------------------------------------------------------------------

REGISTERS: tuple[Register, ...] = (
    Register(
        name="befolkning",
        table="population",
        title="Befolkning pr. 1. januar",
        source="CPR via Danmarks Statistik (BEF)",
        period="Bestand pr. 1. januar i året",
        encoding="utf-8-sig",
        key=("pnr",),
        columns=(
            PNR,
            Column("FOED_DAG", "birth_date", "date", "Fødselsdato", min=1900, max=2026),
            Column("KOEN", "sex", "code", "Køn", codes=SEX),
            Column("IE_TYPE", "origin", "code", "Herkomst", codes=ORIGIN),
            Column("OPR_LAND", "country_code", "int", "Oprindelsesland (DST/CPR landekode)", min=5000, max=5999),
            *_ADDRESS,
            Column("TILFLYT_DATO", "moved_in_date", "date", "Dato for tilflytning til adressen", min=1900, max=2026),
            Column("FAMILIE_ID", "household_id", "str", "Familie-/husstandsnummer (samme for personer i samme familie)"),
        ),
    ),
    Register(
        name="doedsfald",
        table="deaths",
        title="Dødsfald",
        source="CPR via Danmarks Statistik (DOD)",
        period="Dødsfald i kalenderåret",
        encoding="utf-8-sig",
        key=("pnr",),
        optional=True,
        columns=(
            PNR,
            Column("DOEDSDATO", "death_date", "date", "Dødsdato", min=1990, max=2026),
        ),
        notes="Befolkningen pr. 1. januar siger ikke, hvorfor en person er væk året efter. Dødsfaldene "
              "skelner døde fra fraflyttede i flytteanalysen; uden filen opgøres de samlet som 'fraflyttet "
              "fra kommunen eller død'.",
    ),
    Register(
        name="ydelser",
        table="benefits",
        title="Offentlige ydelser (forløb)",
        source="DREAM / Jobcentrets sagsbehandlingssystem",
        period="Ydelsesforløb, der er aktive i kalenderåret; datoerne er forløbets egne (kan begynde før året)",
        encoding="latin-1",
        key=("pnr", "benefit", "start_date"),
        columns=(
            PNR,
            Column("YDELSE", "benefit", "code", "Ydelsestype", codes=BENEFITS),
            Column("STARTDATO", "start_date", "date", "Forløbets første dag", min=1990, max=2026),
            Column("SLUTDATO", "end_date", "date", "Forløbets sidste dag (tom: løbende)", required=False, min=1990, max=2030),
            Column("OMFANG_PCT", "extent_pct", "int", "Omfang i procent af fuld tid (supplerende ydelser < 100)", min=1, max=100),
            Column("AKTIVERET", "activated", "bool", "I aktivering (tilbud) i forløbet", codes=YES_NO),
            Column("MATCHGRUPPE", "match_group", "code", "Visitationskategori for kontant-/uddannelseshjælp m.fl.", required=False, codes=MATCH_GROUP),
        ),
    ),
    Register(
        name="uddannelse",
        table="education",
        title="Højeste fuldførte og igangværende uddannelse",
        source="Uddannelsesregistret via Danmarks Statistik",
        period="Status pr. 1. januar i året",
        encoding="utf-8",
        key=("pnr",),
        columns=(
            PNR,
            Column("HFAUDD", "highest_education", "str", "Højeste fuldførte uddannelse (DST 4-cifret kode; 9090 = uoplyst)", required=False),
            Column("HF_KILDE", "education_source", "code", "Kilde til højeste uddannelse", required=False, codes=EDUCATION_SOURCE),
            Column("IGANGV_UDD", "ongoing_education", "str", "Igangværende uddannelse (DST-kode; tom: ingen)", required=False),
        ),
    ),
    Register(
        name="indkomst",
        table="income",
        title="Indkomst",
        source="Indkomstregistret via Danmarks Statistik",
        period="Indkomståret",
        encoding="latin-1",
        key=("pnr",),
        columns=(
            PNR,
            Column("BRUTTOINDK", "gross_income", "float", "Bruttoindkomst i kr.", min=-5_000_000, max=100_000_000,
                   typical=(10_000, 2_000_000)),
            Column("SKATTEPLIGTIG", "taxable", "bool", "Fuldt skattepligtig hele året", codes=YES_NO),
        ),
    ),
    Register(
        name="afgoerelser",
        table="convictions",
        title="Strafferetlige afgørelser",
        source="Kriminalstatistikken via Danmarks Statistik",
        period="Afgørelser truffet i kalenderåret",
        encoding="utf-8",
        key=("pnr", "decision_date", "law", "decision"),
        columns=(
            PNR,
            Column("AFG_DATO", "decision_date", "date", "Afgørelsesdato", min=1990, max=2026),
            Column("GERN_DATO", "offence_date", "date", "Gerningsdato", required=False, min=1980, max=2026),
            Column("LOV", "law", "code", "Lov", codes=LAWS),
            Column("AFGOERELSE", "decision", "code", "Afgørelsestype", codes=DECISIONS),
        ),
    ),
    Register(
        name="sigtelser",
        table="charges",
        title="Sigtelser",
        source="Kriminalstatistikken via Danmarks Statistik",
        period="Sigtelser i kalenderåret",
        encoding="utf-8",
        key=("pnr", "charge_date", "law"),
        columns=(
            PNR,
            Column("SIGT_DATO", "charge_date", "date", "Sigtelsesdato", min=1990, max=2026),
            Column("LOV", "law", "code", "Lov", codes=LAWS),
        ),
    ),
    Register(
        name="dagtilbud",
        table="daycare",
        title="Indskrivning i dagtilbud",
        source="Randers Kommune, Børn og Skole (pladsanvisning)",
        period="Indskrivninger, der er aktive i kalenderåret",
        encoding="cp1252",
        key=("pnr", "start_date"),
        columns=(
            PNR,
            Column("TILBUDSTYPE", "daycare_type", "code", "Type af dagtilbud", codes=DAYCARE_TYPES),
            Column("INSTITUTION", "institution", "str", "Institutionens navn"),
            Column("STARTDATO", "start_date", "date", "Indskrivningsdato", min=2005, max=2026),
            Column("SLUTDATO", "end_date", "date", "Udmeldelsesdato (tom: indskrevet)", required=False, min=2005, max=2030),
        ),
    ),
    Register(
        name="karakterer",
        table="exam_marks",
        title="Karakterer ved folkeskolens 9.-klasseprøver",
        source="Randers Kommune, Børn og Skole",
        period="Skoleåret, der slutter i året (fx 2020 = 2019/20)",
        encoding="utf-8-sig",
        key=("pnr", "subject"),
        columns=(
            PNR,
            Column("SKOLEAAR", "school_year", "str", "Skoleår, fx 2019/20"),
            Column("FAG", "subject", "code", "Fag", codes=SUBJECTS),
            Column("KARAKTER", "mark", "float", "Gennemsnitlig prøvekarakter i faget (7-trinsskala)", min=-3, max=12),
        ),
    ),
    Register(
        name="fravaer",
        table="school_absence",
        title="Elevfravær pr. halvår",
        source="Randers Kommune, Børn og Skole (elevadministration)",
        period="Skoleåret, der slutter i året (fx 2020 = 2019/20)",
        encoding="cp1252",
        key=("pnr", "half_year"),
        columns=(
            PNR,
            Column("SKOLEAAR", "school_year", "str", "Skoleår, fx 2019/20"),
            Column("HALVAAR", "half_year", "int", "Halvår (1 = aug.-jan., 2 = feb.-jun.)", min=1, max=2),
            Column("KLASSETRIN", "grade", "int", "Klassetrin (0-10)", min=0, max=10),
            Column("SKOLE", "school", "str", "Skole"),
            Column("SKOLEDAGE", "school_days", "int", "Skoledage i halvåret", min=1, max=120),
            Column("FRAVAERSDAGE", "absence_days", "float", "Fraværsdage i halvåret (alle typer)", min=0, max=120),
        ),
    ),
    Register(
        name="sprogvurdering",
        table="language_assessment",
        title="Sprogvurdering af 3-årige",
        source="Randers Kommune, dagtilbud (testprogrammet Hjernen og Hjertet)",
        period="Vurderinger foretaget i kalenderåret",
        encoding="utf-8",
        key=("pnr", "assessment_date"),
        columns=(
            PNR,
            Column("VURD_DATO", "assessment_date", "date", "Dato for sprogvurdering", min=2010, max=2026),
            Column("RESULTAT", "result", "code", "Indsatsbehov", codes=LANGUAGE_RESULTS),
        ),
    ),
    Register(
        name="ungdomsuddannelse",
        table="youth_education",
        title="Overgang til ungdomsuddannelse efter 9./10. klasse",
        source="Ungdommens Uddannelsesvejledning Randers (UUR)",
        period="Afgangsåret",
        encoding="utf-8",
        key=("pnr",),
        columns=(
            PNR,
            Column("AFGANGSKLASSE", "leaving_grade", "int", "Afgangsklasse (9 eller 10)", min=9, max=10),
            Column("STARTET_AFGANGSAAR", "started_same_year", "bool", "Påbegyndt ungdomsuddannelse i afgangsåret", codes=YES_NO),
            Column("I_UDD_15MDR", "in_education_15m", "bool", "I gang med ungdomsuddannelse 15 måneder efter afgang", required=False, codes=YES_NO),
        ),
    ),
    Register(
        name="ungdomsskole",
        table="youth_school",
        title="Tilmeldinger til Randers Ungdomsskole",
        source="Randers Ungdomsskole",
        period="Tilmeldinger i kalenderåret",
        encoding="utf-8",
        key=("pnr", "course"),
        columns=(
            PNR,
            Column("HOLD", "course", "str", "Hold/tilbud"),
            Column("TILMELDT_DATO", "enrolled_date", "date", "Tilmeldingsdato", min=2010, max=2026),
        ),
    ),
    Register(
        name="ssp",
        table="ssp_concerns",
        title="SSP-bekymringer (10-17-årige)",
        source="Randers Kommune, Myndighedscenteret",
        period="Bekymringer registreret i kalenderåret",
        encoding="cp1252",
        key=("pnr", "concern_date"),
        columns=(
            PNR,
            Column("BEKYMRING_DATO", "concern_date", "date", "Dato for registrering", min=2010, max=2026),
            Column("KATEGORI", "category", "str", "Bekymringens art"),
        ),
    ),
    Register(
        name="udsaettelser",
        table="evictions",
        title="Udsættelsessager",
        source="RandersBolig og Lejerbo",
        period="Sager med fogedretsdato i kalenderåret",
        encoding="cp1252",
        person_level=False,
        key=("case_id",),
        columns=(
            Column("SAGSNR", "case_id", "str", "Sagsnummer"),
            *_ADDRESS,
            Column("SAGSDATO", "case_date", "date", "Dato for fogedretsanmodning", min=2010, max=2026),
            Column("EFFEKTUERET", "executed", "bool", "Udsættelsen blev effektueret", codes=YES_NO),
            Column("UDLEJER", "landlord", "code", "Udlejer", codes=LANDLORDS),
        ),
    ),
    Register(
        name="jobtilskud",
        table="job_grants",
        title="Voksenlærlingetilskud og uddannelses-/kompetenceløft",
        source="Jobcenter Randers (Fasit)",
        period="Bevillinger i kalenderåret",
        encoding="latin-1",
        key=("pnr", "grant_date", "grant_type"),
        columns=(
            PNR,
            Column("BEVILLING_DATO", "grant_date", "date", "Bevillingsdato", min=2010, max=2026),
            Column("TILSKUDSTYPE", "grant_type", "code", "Tilskudstype", codes=GRANTS),
        ),
    ),
    Register(
        name="jobparate",
        table="jobready",
        title="Jobparate ydelsesmodtagere pr. måned",
        source="Randers Kommune, BI / Fasit",
        period="Måneder i kalenderåret",
        encoding="latin-1",
        key=("pnr", "month"),
        columns=(
            PNR,
            Column("MAANED", "month", "int", "Måned (1-12)", min=1, max=12),
            Column("YDELSESGRUPPE", "benefit_group", "code", "Ydelsesgruppe", codes=JOBREADY_GROUPS),
        ),
    ),
    Register(
        name="valgdeltagelse",
        table="turnout",
        title="Valgdeltagelse (stemmeberettigede)",
        source="Randers Kommune, valgsekretariatet (digitale valglister)",
        period="Valg afholdt i kalenderåret",
        encoding="utf-8-sig",
        optional=True,
        key=("pnr", "election"),
        columns=(
            PNR,
            Column("VALG", "election", "code", "Valg", codes=ELECTIONS),
            Column("STEMT", "voted", "bool", "Har stemt", codes=YES_NO),
        ),
        notes="Findes kun i år med valg, der følges (2017, 2019, 2021, 2022, 2024).",
    ),
    # --- reference tables (not person level) --------------------------------------------------
    Register(
        name="landstal_kriminalitet",
        table="ref_national_crime",
        title="Landstal: andel 18+-årige dømt efter straffeloven, våbenloven eller lov om euforiserende stoffer",
        source="Danmarks Statistik / Social- og Boligstyrelsen",
        period="Kalenderår",
        yearly=False,
        person_level=False,
        key=("year",),
        columns=(
            Column("AAR", "year", "int", "År", min=2000, max=2030),
            Column("ANDEL_DOEMTE_PCT", "pct_convicted", "float", "Andel af beboere 18+ dømt i året (pct.)", min=0, max=100),
            Column("ILLUSTRATIV", "illustrative", "bool", "J: værdien er ikke den officielle, men illustrativ", codes=YES_NO),
            Column("KILDE", "source_note", "str", "Kilde eller begrundelse", required=False),
        ),
    ),
    Register(
        name="regionsindkomst",
        table="ref_region_income",
        title="Region Midtjylland: gennemsnitlig bruttoindkomst for skattepligtige 15-64-årige ekskl. uddannelsessøgende",
        source="Danmarks Statistik",
        period="Indkomstår",
        yearly=False,
        person_level=False,
        key=("year",),
        columns=(
            Column("AAR", "year", "int", "Indkomstår", min=2000, max=2030),
            Column("GNS_BRUTTOINDK", "mean_gross_income", "float", "Gennemsnitlig bruttoindkomst i kr.", min=0, max=10_000_000,
                   typical=(50_000, 2_000_000)),
            Column("ILLUSTRATIV", "illustrative", "bool", "J: værdien er ikke den officielle, men illustrativ", codes=YES_NO),
            Column("KILDE", "source_note", "str", "Kilde eller begrundelse", required=False),
        ),
    ),
    Register(
        name="eksterne_indikatorer",
        table="ext_indicators",
        title="Helhedsplanens indikatorer uden for registrene (beboerundersøgelsen m.m.), indberettet af enheden",
        source="Enheden selv (fx VIVE's beboerundersøgelse for helhedsplanerne); kilden står på hver række",
        period="Året, tallet gælder (undersøgelsesåret)",
        yearly=False,
        person_level=False,
        optional=True,
        key=("indicator", "area_id", "year"),
        columns=(
            Column("INDIKATOR", "indicator", "code", "Helhedsplanens indikator-id (indikatorkataloget)",
                   codes=EXTERNAL_INDICATORS),
            Column("OMRAADE", "area_id", "code", "Område eller områdegruppe, tallet gælder", codes=EXTERNAL_AREAS),
            Column("AAR", "year", "int", "År", min=2015, max=2030),
            Column("VAERDI", "value", "float", "Værdien i procent (0-100), som kilden opgør den", min=0, max=100),
            Column("TAELLER", "numerator", "int", "Antal personer bag andelen (svarede ja), hvis kendt",
                   required=False, min=0, max=1_000_000),
            Column("NAEVNER", "denominator", "int", "Antal personer, andelen er opgjort blandt (svarpersoner), "
                   "hvis kendt", required=False, min=1, max=1_000_000),
            Column("KILDE", "source_note", "str", "Kilde: undersøgelse, udgiver og år"),
            Column("NOTE", "note", "str", "Bemærkning", required=False),
        ),
        notes="Valgfri fil i data/raw/reference/. Findes den ikke, vises indikatorerne som »kan ikke måles fra "
              "registrene«. Kendes tæller og nævner, skal værdien være 100 × tæller / nævner (afrundet til "
              "én decimal), og andelen diskretioneres som andre andele. Se docs/goals.md.",
    ),
)

_BY_NAME = {r.name: r for r in REGISTERS}
_BY_TABLE = {r.table: r for r in REGISTERS}


def register(name: str) -> Register:
    """A register by its file stem (``befolkning``) or staging table name (``population``)."""
    r = _BY_NAME.get(name) or _BY_TABLE.get(name)
    if r is None:
        raise KeyError(f"unknown register {name!r}; known: {', '.join(_BY_NAME)}")
    return r


#: Registers the criteria (almenboligloven § 61 a) are computed from: never left out of a build.
CRITERIA_REGISTERS = ("befolkning", "ydelser", "uddannelse", "indkomst", "afgoerelser",
                      "landstal_kriminalitet", "regionsindkomst")
#: Yearly registers that feed only the plan's indicators (mostly the municipality's own files): a
#: build may go without one (``boligmonitor build --allow-missing fravaer``, e.g. in January when a
#: supplier is late); its indicators then show "kan ikke måles".
MAY_BE_MISSING = frozenset(r.name for r in REGISTERS if r.yearly and r.name not in CRITERIA_REGISTERS)

YEARLY_REGISTERS = tuple(r for r in REGISTERS if r.yearly)
REFERENCE_REGISTERS = tuple(r for r in REGISTERS if not r.yearly)
REFERENCE_DIR = "reference"

__all__ = [
    "Column",
    "Register",
    "REGISTERS",
    "YEARLY_REGISTERS",
    "REFERENCE_REGISTERS",
    "REFERENCE_DIR",
    "CRITERIA_REGISTERS",
    "MAY_BE_MISSING",
    "register",
]
