"""From the simulated population to the register extracts (raw Danish columns, one frame per register).

Each function returns a polars frame with a ``year`` column (the year folder) and the register's
raw columns as declared in ``boligmonitor.registers`` (values already formatted as the source
writes them: dates ``dd-mm-yyyy``, decimal comma, ``J``/``N``, empty = missing).

Socio-economic states are allocated within each area and year by rank on persistent latent
traits (``u`` disadvantage, ``v`` education, ``w`` offending), so the shares match the area's
profile while persons keep their state from year to year.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from boligmonitor import areas as A
from boligmonitor.synth import profiles as P
from boligmonitor.synth.population import (
    NONWESTERN_COUNTRIES,
    SRC_GODK,
    SRC_IMP,
    SRC_REG,
    SRC_SELV,
    SRC_UNKNOWN,
    WIDE_DTYPES,
    _days,
)

KOMMUNEKODE = A.KOMMUNEKODE
EDU_CODE = {10: "1010", 20: "2010", 30: "3010", 40: "4010", 50: "5010", 60: "6010", 70: "7010", 80: "8010"}
EDU_DURATION = {40: 2, 50: 4, 60: 3, 70: 5, 80: 8}
SRC_CODE = {SRC_REG: "REG", SRC_GODK: "GODK", SRC_SELV: "SELV", SRC_IMP: "IMP", SRC_UNKNOWN: ""}

INSTITUTIONS = {
    "gl_jennumparken": ["Børnehuset Jennumparken", "KFUM Børnehave Nørrebro", "Glentevej (selvejende)"],
    "glarbjergvej": ["Glentevej (selvejende)", "Platangården (selvejende)", "Børnehuset Lervangen"],
    "hermann_stillingsvej": ["Børnehuset Bækkestien", "Børnehuset Midgård"],
    "energivej": ["Huset Nyvang", "Børnehuset Lervangen"],
    "vangdalen": ["Børnehuset Hørhaven", "Børnehuset Mælkevejen"],
    "sjaellandsgade": ["Børnehuset Søndergade"],
    "rest": ["Børnehuset Kristrup", "Dagplejen Randers", "Børnehuset Vorup", "Børnehuset Assentoft",
             "Børnehuset Langå", "Børnehuset Spentrup", "Børnehuset Havndal", "Børnehuset Dronningborg"],
}
SCHOOLS = {
    "gl_jennumparken": "Nørrevangsskolen", "glarbjergvej": "Nørrevangsskolen",
    "hermann_stillingsvej": "Østervangsskolen", "energivej": "Hobrovejens Skole",
    "vangdalen": "Vestervangsskolen", "sjaellandsgade": "Søndervangskolen",
}
REST_SCHOOLS = ["Kristrup Skole", "Vorup Skole", "Assentoft Skole", "Langå Skole", "Tirsdalens Skole",
                "Rismølleskolen", "Søndervangskolen", "Jebjerg Skole", "Spentrup Skole", "Havndal Skole"]
YOUTH_COURSES = ["Klub Nør", "Brandkadet", "Knallertkørekort", "E-sport", "Musik og band", "Madlavning",
                 "Boksning", "Dansk som andetsprog", "Kreativt værksted"]
SSP_CATEGORIES = ["Skolefravær", "Uro i boligområdet", "Kriminalitet", "Rusmidler", "Bekymrende adfærd"]


def _rng(seed: int, stream: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64([seed, stream]))


def fmt_date(col: pl.Expr) -> pl.Expr:
    return pl.from_epoch(col.cast(pl.Int64), time_unit="d").dt.strftime("%d-%m-%Y")


def fmt_float(col: pl.Expr, decimals: int = 1) -> pl.Expr:
    return col.round(decimals).cast(pl.Utf8).str.replace(r"\.", ",")


def jn(col: pl.Expr) -> pl.Expr:
    return pl.when(col).then(pl.lit("J")).otherwise(pl.lit("N"))


def allocate(group: np.ndarray, score: np.ndarray, eligible: np.ndarray, quota: np.ndarray) -> np.ndarray:
    """True for the ``quota[group]`` eligible rows with the highest score within each group."""
    out = np.zeros(len(group), bool)
    idx = np.flatnonzero(eligible)
    if len(idx) == 0:
        return out
    order = np.lexsort((-score[idx], group[idx]))
    g = group[idx][order]
    starts = np.searchsorted(g, g, side="left")
    pos = np.arange(len(g)) - starts
    chosen = pos < quota[g]
    out[idx[order[chosen]]] = True
    return out


def pnr_numbers(persons) -> np.ndarray:
    """CPR-shaped replacement numbers (day of birth + 60), unique, sex in the last digit.

    ``persons`` has columns ``birth`` (days since 1970) and ``sex`` (1 man, 2 woman); returns the
    numbers as int64 (always ten digits: the day part is 61-91); :data:`PNR_TEXT` writes them.
    ValueError when more than 3,000 persons share a day of birth (a four-digit serial cannot hold them).
    """
    birth = np.asarray(persons["birth"]).astype("datetime64[D]")
    y = birth.astype("datetime64[Y]").astype(np.int64) + 1970
    m = birth.astype("datetime64[M]").astype(np.int64) % 12 + 1
    d = (birth - birth.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    b = birth.astype(np.int64)
    order = np.lexsort((np.arange(len(b)), b))
    sb = b[order]
    pos = np.arange(len(sb)) - np.searchsorted(sb, sb, side="left")
    r = np.empty(len(b), np.int64)
    r[order] = pos
    male = np.asarray(persons["sex"]) == 1
    century = np.where(y >= 2000, 4, 0) + r // 500
    serial = century * 1000 + (r % 500) * 2 + male.astype(np.int64)
    if len(serial) and serial.max() > 9999:
        raise ValueError("synthetic person numbers: more persons share a day of birth than a four-digit serial holds")
    return (((d + 60) * 100 + m) * 100 + y % 100) * 10_000 + serial


#: The person number as the registers write it (ten digits, text).
PNR_TEXT = pl.col("PNR").cast(pl.Utf8).str.zfill(10).alias("PNR")


def decode(col: str, labels) -> pl.Expr:
    """Codes (0, 1, ...) of column ``col`` as the texts ``labels[code]``."""
    return pl.col(col).replace_strict(list(range(len(labels))), list(labels), return_dtype=pl.Utf8).alias(col)


class Rows:
    """One register's rows for every year, written one year at a time.

    ``frame`` holds the rows in file order with a ``year`` column, ``PNR`` as int64 and other columns
    compact (day numbers, codes, booleans); ``fmt`` (polars expressions) turns one year's rows into the
    register's raw text columns. Alternatively ``make(year)`` builds a year's formatted rows directly."""

    def __init__(self, frame: pl.DataFrame | None = None, fmt: list | tuple = (), make=None):
        self.frame, self.fmt, self.make = frame, list(fmt), make

    def part(self, year: int) -> pl.DataFrame:
        """The rows of the file for ``year`` (raw columns as text plus ``year``; may have no rows)."""
        if self.make is not None:
            return self.make(year)
        part = self.frame.filter(pl.col("year") == year)
        return part.with_columns(self.fmt) if self.fmt else part


#: Long-term labour-market states (``Extract.state`` codes) and short spells (``Extract.short_kind``).
STATES = ("", "E", "C", "B", "A", "D", "FLEX", "EFTL", "EMP", "SU", "FOLK")
ST = {s: i for i, s in enumerate(STATES)}
SHORT = ("", "A", "B", "C", "D")
#: Benefit codes (``ydelser.YDELSE``) and match groups as codes.
BENEFITS = ("", "UDH", "KTH", "OVY", "SHY", "LEDY", "REVA", "RESF", "JOBAF", "FPEN", "ADAG", "SDP", "FLEX", "EFTL",
            "SU", "FOLK", "BARS")
BN = {s: i for i, s in enumerate(BENEFITS)}
MATCH = ("", "1", "2", "3")
EDU_LEVELS = tuple(sorted(EDU_CODE))


def _edu_text(col: str) -> pl.Expr:
    return pl.col(col).replace_strict(list(EDU_CODE), list(EDU_CODE.values()), default="", return_dtype=pl.Utf8)


def _read_only(a: np.ndarray) -> np.ndarray:
    v = a.view()
    v.flags.writeable = False
    return v


def _runs(rows: np.ndarray, pid: np.ndarray, year: np.ndarray, code: np.ndarray):
    """Runs of the same code in consecutive years per person, for the person-year ``rows`` (in (year,
    pid) order). Returns, in (pid, year) order: the rows, the first and last year of each row's run,
    and whether the run is the person's first."""
    order = rows[np.argsort(pid[rows], kind="stable")]  # (pid, year): rows are in year order
    p, y, c = pid[order], year[order].astype(np.int64), code[order]
    new_person = np.ones(len(order), bool)
    new_person[1:] = p[1:] != p[:-1]
    new_run = new_person.copy()
    new_run[1:] |= (c[1:] != c[:-1]) | (y[1:] != y[:-1] + 1)
    del c
    run = np.cumsum(new_run) - 1
    starts = np.flatnonzero(new_run)
    ends = np.append(starts[1:], len(order)) - 1
    first_run = new_person[starts][run]
    return order, y[starts][run], y[ends][run], first_run


class _Columns:
    """``g[col]``: a person-year column (from :class:`PersonYears`) or a person column gathered by pid."""

    def __init__(self, py, persons: dict[str, np.ndarray]):
        self.py, self.persons = py, persons

    def __getitem__(self, col: str) -> np.ndarray:
        if col in WIDE_DTYPES:
            return self.py[col]
        return self.persons[col][self.py.cols["pid"]]

    def at(self, col: str, rows) -> np.ndarray:
        """Column ``col`` for the person-year ``rows`` (index array or mask) only."""
        if col in WIDE_DTYPES:
            return self.py.cols[col][rows].astype(WIDE_DTYPES[col]) if col != "year" else self.py["year"][rows]
        return self.persons[col][self.py.cols["pid"][rows]]


class Extract:
    """Builds every register from the simulation output, one register at a time.

    Person-year columns are read from the compact :class:`PersonYears` on demand; the states that
    several registers share (education, labour market) are kept as small integer codes."""

    def __init__(self, pop, py, persons: dict[str, np.ndarray], addresses: pl.DataFrame, seed: int):
        self.seed = seed
        self.pop = pop
        self.addresses = addresses
        self.py = py
        self.persons = persons
        self.person_pnr = pnr_numbers(persons)  # int64 per person
        self.n = py.height
        self.g = _Columns(py, persons)
        self.pid = py.cols["pid"]
        self.ngroups = (len(P.AREA_ORDER)) * 100
        origin = self.persons["origin"]
        nw_person = (origin > 1) & np.isin(self.persons["country"], list(NONWESTERN_COUNTRIES))
        self.nonwestern = nw_person[self.pid]
        self._params: dict[str, np.ndarray] = {}
        self._group: np.ndarray | None = None

    # --- helpers ------------------------------------------------------------------------------
    @property
    def year(self) -> np.ndarray:
        """Year per person-year (int16, read-only: no copy)."""
        return _read_only(self.py.year16)

    @property
    def age(self) -> np.ndarray:
        """Age on 1 January per person-year (int16, read-only: no copy)."""
        return _read_only(self.py.cols["age"])

    @property
    def group(self) -> np.ndarray:
        """Area-year group per person-year: area code * 100 + (year - 2000) (int16)."""
        if self._group is None:
            self._group = _read_only(self.py.cols["area"].astype(np.int16) * 100 + (self.py.year16 - 2000))
        return self._group

    def area_names(self, rows) -> np.ndarray:
        return np.array(P.AREA_ORDER)[self.py.cols["area"][rows]]

    def pnr(self, rows) -> np.ndarray:
        """Person numbers (int64) of the person-year ``rows`` (index array or mask)."""
        return self.person_pnr[self.pid[rows]]

    def par(self, key: str) -> np.ndarray:
        """Profile parameter per group (area-year) as an array indexed by group."""
        if key not in self._params:
            arr = np.zeros(self.ngroups)
            for a, name in enumerate(P.AREA_ORDER):
                for y in range(2000, 2040):
                    try:
                        arr[a * 100 + (y - 2000)] = P.param(name, key, y)
                    except KeyError:
                        arr[a * 100 + (y - 2000)] = np.nan
            self._params[key] = arr
        return self._params[key]

    def rowpar(self, key: str) -> np.ndarray:
        return self.par(key)[self.group]

    def count_by_group(self, mask: np.ndarray) -> np.ndarray:
        return np.bincount(self.group[mask], minlength=self.ngroups)

    def frame(self, mask: np.ndarray, **cols) -> pl.DataFrame:
        data = {"year": self.year[mask], "PNR": self.pnr(mask)}
        data.update({k: (v[mask] if isinstance(v, np.ndarray) and len(v) == self.n else v) for k, v in cols.items()})
        return pl.DataFrame(data)

    # --- befolkning ----------------------------------------------------------------------------
    def population(self) -> Rows:
        rng = _rng(self.seed, 1)
        r = rng.random(self.n)
        # spelling variants as the source systems write them: the draw in four bands
        band = np.select([r < 0.10, r < 0.15, r < 0.30], [0, 1, 2], default=3).astype(np.int8)
        del r
        addr = self.addresses
        dw = self.pop.dw
        rest_code = P.AREA_ORDER.index("rest")
        street, house = pl.col("VEJNAVN"), pl.col("HUSNR")

        def make(year: int) -> pl.DataFrame:
            lo, hi = self.py.bounds.get(year, (0, 0))
            rows = np.arange(lo, hi)
            dwelling = self.g.at("dwelling", rows)
            arow = pl.Series(dw.address[dwelling])
            n = hi - lo
            df = pl.DataFrame(
                {
                    "year": self.g.at("year", rows),
                    "PNR": self.pnr(rows),
                    "FOED_DAG": self.g.at("birth", rows),
                    "KOEN": self.g.at("sex", rows),
                    "IE_TYPE": self.g.at("origin", rows),
                    "OPR_LAND": self.g.at("country", rows),
                    "KOM": np.full(n, str(KOMMUNEKODE)),
                    "VEJNAVN": addr["street"].gather(arow),
                    "HUSNR": addr["house_number"].gather(arow),
                    "ETAGE": dw.floor[dwelling],
                    "SIDEDOER": dw.door[dwelling],
                    "POSTNR": addr["postcode"].gather(arow),
                    "TILFLYT_DATO": self.g.at("moved_in", rows),
                    "FAMILIE_ID": self.g.at("hh", rows),
                    "band": band[lo:hi],
                    # a few addresses the address layer does not know (outside the areas)
                    "odd": (self.py.cols["area"][lo:hi] == rest_code) & (dwelling % 3331 == 7),
                }
            )
            del rows, dwelling, arow
            hs = street == "Hermann Stillings Vej"
            b = pl.col("band")
            df = df.with_columns(  # spelling variants as the source systems write them
                pl.when(hs & (b == 0)).then(pl.lit("Herman Stillingsvej"))
                .when(hs & (b == 1)).then(pl.lit("Hermann Stillingsvej")).otherwise(street).alias("VEJNAVN"))
            df = df.with_columns(
                pl.when((street == "Gl. Jennumvej") & (b <= 2)).then(pl.lit("Gammel Jennumvej")).otherwise(street)
                .alias("VEJNAVN"),
                pl.when(pl.col("odd")).then(house + "Z").otherwise(house).alias("HUSNR"),
            )
            return df.with_columns(
                PNR_TEXT, fmt_date(pl.col("FOED_DAG")).alias("FOED_DAG"),
                fmt_date(pl.col("TILFLYT_DATO")).alias("TILFLYT_DATO"),
                *(pl.col(c).cast(pl.Utf8) for c in ("KOEN", "IE_TYPE", "OPR_LAND", "POSTNR")),
                ("F" + pl.col("FAMILIE_ID").cast(pl.Utf8).str.zfill(7)).alias("FAMILIE_ID"),
            ).drop("band", "odd")

        return Rows(make=make)

    # --- doedsfald -----------------------------------------------------------------------------
    def deaths(self) -> Rows:
        """The death register: every person who died, in the file of the year of death."""
        death = self.persons["death"]
        idx = np.flatnonzero(death > 0)
        idx = idx[np.lexsort((idx, death[idx]))]  # by day of death, then person
        d = pl.DataFrame({"PNR": self.person_pnr[idx], "DOEDSDATO": death[idx]})
        d = d.with_columns(year=pl.from_epoch("DOEDSDATO", time_unit="d").dt.year().cast(pl.Int32))
        return Rows(d.select("year", "PNR", "DOEDSDATO"), [PNR_TEXT, fmt_date(pl.col("DOEDSDATO")).alias("DOEDSDATO")])

    # --- uddannelse ----------------------------------------------------------------------------
    def education_state(self) -> None:
        """Highest completed and ongoing education per person-year (sets self.edu_high/ongoing/src,
        int8: DST level 10-80 or 0 for none; source codes SRC_*)."""
        rng = _rng(self.seed, 2)
        g = self.g
        age = self.age
        final = g["edu"].astype(np.int64)
        src = g["src"].astype(np.int64)
        high = np.where(age >= 15, 10, 0)
        ongoing = np.zeros(self.n, np.int64)
        known = src != SRC_UNKNOWN
        # youth education 16-18, completed at 19
        path_youth = np.where(final == 30, 30, 20)
        up = known & (final >= 20)
        ongoing = np.where(up & (age >= 16) & (age <= 18), path_youth, ongoing)
        high = np.where(up & (age >= 19), path_youth, high)
        del path_youth, up
        # higher education from 20 until done
        dur = np.zeros(self.n, np.int64)
        for lvl, d in EDU_DURATION.items():
            dur[final == lvl] = d
        hi = known & (final >= 40)
        ongoing = np.where(hi & (age >= 20) & (age < 20 + dur), final, ongoing)
        high = np.where(hi & (age >= 20 + dur), final, high)
        del dur, hi
        # grundskole only: sometimes enrolled in a youth education (and then drops out)
        basic = known & (final == 10)
        tries = basic & (age >= 16) & (age <= 29) & (rng.random(self.n) < self.rowpar("try_edu"))
        ongoing = np.where(tries, np.where(rng.random(self.n) < 0.7, 30, 20), ongoing)
        # adults beyond the age model keep their final education
        adult_final = known & (age >= 30) & (final > 0)
        high = np.where(adult_final, final, high)
        # immigrants with unknown education: no code; self-reported/imputed: their own code
        high = np.where(src == SRC_UNKNOWN, 0, high)
        self.edu_high = high.astype(np.int8)
        self.edu_ongoing = ongoing.astype(np.int8)
        self.edu_src = src.astype(np.int8)

    def education(self) -> Rows:
        m = self.age >= 15
        df = self.frame(m, HFAUDD=self.edu_high, HF_KILDE=self.edu_src, IGANGV_UDD=self.edu_ongoing)
        src_text = pl.col("HF_KILDE").replace_strict(list(SRC_CODE), list(SRC_CODE.values()), return_dtype=pl.Utf8)
        return Rows(df, [PNR_TEXT, _edu_text("HFAUDD").alias("HFAUDD"),
                         pl.when(_edu_text("HFAUDD") == "").then(pl.lit("")).otherwise(src_text).alias("HF_KILDE"),
                         _edu_text("IGANGV_UDD").alias("IGANGV_UDD")])

    # --- labour-market states ------------------------------------------------------------------
    def labour_state(self) -> None:
        """Long-term state (full year) and short spells for residents 18-64 (sets self.state, codes
        into :data:`STATES`; self.short_kind, codes into :data:`SHORT`; self.short_dur, days)."""
        rng = _rng(self.seed, 3)
        age = self.age
        group = self.group
        u = self.g["u"]
        w1864 = (age >= 18) & (age <= 64)
        student = w1864 & (age <= 29) & (self.edu_ongoing > 0)
        n_all = np.bincount(group[w1864], minlength=self.ngroups)
        pool = w1864 & ~student
        a = (age - 18) / 46.0
        state = np.zeros(self.n, np.int8)

        def take(mask_pool, score, share, label):
            quota = np.rint(share * n_all).astype(np.int64)
            chosen = allocate(group, score, mask_pool, quota)
            state[chosen] = ST[label]
            return mask_pool & ~chosen

        fA, fB, fC, fD, fE = (self.par(k) for k in ("fA", "fB", "fC", "fD", "fE"))
        long = {"E": fE, "C": 0.93 * fC, "B": 0.65 * fB, "A": 0.35 * fA, "D": 0.25 * fD}
        pool = take(pool, u + 0.9 * a, long["E"], "E")
        pool = take(pool, u + self.par("c_age")[group] * a + 0.1 * self.nonwestern, long["C"], "C")
        pool = take(pool, u + 0.05 * rng.random(self.n), long["B"], "B")
        pool = take(pool, u + 0.1 * rng.random(self.n), long["A"], "A")
        pool = take(pool, u + 0.4 * a, long["D"], "D")
        pool = take(pool, u, self.par("flex"), "FLEX")
        del u, a
        eftl = pool & (age >= 60) & (rng.random(self.n) < self.par("eftl")[group])
        state[eftl] = ST["EFTL"]
        pool &= ~eftl
        state[pool] = ST["EMP"]
        state[student] = ST["SU"]
        state[age >= 65] = ST["FOLK"]
        del pool, eftl, w1864
        # short spells among the employed: full-time persons not covered by the long states
        emp = state == ST["EMP"]
        n_emp = np.bincount(group[emp], minlength=self.ngroups)
        long_share = sum(long.values())
        short = {k: np.maximum(f - long[k], 0) for k, f in (("A", fA), ("B", fB), ("C", fC), ("D", fD))}
        short_fte = sum(short.values())
        persons = np.maximum(self.par("headcount") - long_share, 1e-3)
        dmean = np.clip(short_fte / persons, 0.12, 0.8)
        p_cum = np.zeros(self.n)
        r = rng.random(self.n)
        short_kind = np.zeros(self.n, np.int8)
        for k in ("A", "B", "C", "D"):
            p_k = np.where(n_emp > 0, short[k] / dmean * n_all / np.maximum(n_emp, 1), 0)[group]
            hit = emp & (r >= p_cum) & (r < p_cum + p_k)
            short_kind[hit] = SHORT.index(k)
            p_cum = p_cum + p_k
        del p_cum, r, p_k, hit
        dur = np.clip(dmean[group] * (0.4 + 1.2 * rng.random(self.n)) * 365, 14, 365).astype(np.int64)
        self.state = state
        self.short_kind = short_kind
        self.short_dur = dur.astype(np.int16)
        self.student = student

    def benefits(self) -> Rows:
        """ydelser: long spells per state, short spells, barselsdagpenge. Compact frame: YDELSE and
        MATCHGRUPPE as codes (:data:`BENEFITS`, :data:`MATCH`), s and e as days (e < 0: open)."""
        rng = _rng(self.seed, 4)
        g = self.g
        year = self.year
        age = self.age
        state = self.state
        jan1_of = np.array([_days(y) for y in range(2000, 2040)])
        dec31_of = np.array([_days(y + 1) - 1 for y in range(2000, 2040)])
        recent = self.nonwestern & (g["origin"] == 2) & (year - g["arrival"] < 8)
        r = rng.random(self.n)
        # benefit code per long state
        kth = np.where(age < 30, BN["UDH"], BN["KTH"])
        c_code = np.where(recent, np.where(year < 2020, BN["OVY"], BN["SHY"]), kth)
        b_code = np.select([r < 0.35, r < 0.45, r < 0.55, r < 0.62],
                           [BN["LEDY"], BN["REVA"], BN["RESF"], BN["JOBAF"]], default=kth)
        del r, recent
        code = np.select(
            [state == ST["E"], state == ST["C"], state == ST["B"], state == ST["A"], state == ST["D"],
             state == ST["FLEX"], state == ST["EFTL"], state == ST["SU"], state == ST["FOLK"]],
            [BN["FPEN"], c_code, b_code, BN["ADAG"], BN["SDP"], BN["FLEX"], BN["EFTL"], BN["SU"], BN["FOLK"]],
            default=0,
        ).astype(np.int8)
        del kth, c_code
        activated = (state == ST["B"]) & np.isin(b_code, [BN["KTH"], BN["UDH"]])
        del b_code
        kth_udh = np.isin(code, [BN["KTH"], BN["UDH"]])
        match = np.select(
            [np.isin(code, [BN["KTH"], BN["UDH"], BN["SHY"], BN["OVY"]]) & (state == ST["C"]), kth_udh & activated],
            [np.where(code == BN["UDH"], 3, 2), 2], default=0,
        ).astype(np.int8)
        del kth_udh
        has = code != 0
        # spell start: first 1 January of the run of the same code for this person (or earlier)
        start = np.zeros(self.n, np.int64)
        end = np.zeros(self.n, np.int64)
        i, rs, re_, first_run = _runs(np.flatnonzero(has), self.pid, self.py.year16, code)
        s = jan1_of[rs - 2000]
        back = rng.integers(30, 365 * 6, len(i))
        start[i] = np.where(first_run, s - back, s)
        lastyear = int(year.max()) if self.n else 0
        end[i] = np.where(re_ >= lastyear, -1, dec31_of[re_ - 2000])
        del s, back, rs, re_, first_run, i
        # folkepension and SU: start at the birthday / study start, no end
        long_rows = pl.DataFrame({
            "year": year[has], "PNR": self.pnr(has), "YDELSE": code[has], "s": start[has], "e": end[has],
            "OMFANG_PCT": np.full(int(has.sum()), 100), "AKTIVERET": activated[has], "MATCHGRUPPE": match[has],
        })
        del start, end, code, match, activated
        # short spells
        hs = np.flatnonzero(self.short_kind != 0)
        sk = self.short_kind[hs]
        ns = len(hs)
        dur = self.short_dur[hs].astype(np.int64)
        jan1 = jan1_of[year[hs] - 2000]
        dec31 = dec31_of[year[hs] - 2000]
        s0 = jan1 + (rng.random(ns) * np.maximum(dec31 - jan1 - dur, 1)).astype(np.int64)
        A_, B_, C_, D_ = (SHORT.index(k) for k in "ABCD")
        scode = np.select([sk == A_, sk == B_, sk == C_, sk == D_],
                          [BN["ADAG"], BN["ADAG"], np.where(age[hs] < 30, BN["UDH"], BN["KTH"]), BN["SDP"]],
                          default=0).astype(np.int8)
        short_rows = pl.DataFrame({
            "year": year[hs], "PNR": self.pnr(hs), "YDELSE": scode, "s": s0, "e": s0 + dur - 1,
            "OMFANG_PCT": np.where(rng.random(ns) < 0.1, 50, 100), "AKTIVERET": sk == B_,
            "MATCHGRUPPE": np.where(sk == C_, 2, 0).astype(np.int8),
        })
        del year, age, state
        # barselsdagpenge for mothers of a child born in the year
        births = self._births()
        # One row per (year, PNR, YDELSE, STARTDATO): long spells are one per person-year with a code, short
        # spells one per employed person-year (who have no long code), so only barselsdagpenge can repeat.
        births = births.unique(subset=["year", "PNR", "YDELSE", "s"], keep="first", maintain_order=True)
        rows = pl.concat([long_rows, short_rows, births], how="vertical_relaxed").select(
            "year", "PNR", "YDELSE", "s", "e", "OMFANG_PCT", "AKTIVERET", "MATCHGRUPPE")
        del long_rows, short_rows, births
        return Rows(rows, [
            PNR_TEXT, decode("YDELSE", BENEFITS),
            fmt_date(pl.col("s")).alias("STARTDATO"),
            pl.when(pl.col("e") < 0).then(pl.lit("")).otherwise(fmt_date(pl.col("e"))).alias("SLUTDATO"),
            pl.col("OMFANG_PCT").cast(pl.Utf8), jn(pl.col("AKTIVERET")).alias("AKTIVERET"),
            decode("MATCHGRUPPE", MATCH),
        ])

    def _births(self) -> pl.DataFrame:
        """Barselsdagpenge: mothers (adult women in the household) of children born in the year."""
        g = self.g
        age = self.py.cols["age"]
        year = self.py.year16
        birth_all = g["birth"]
        by = birth_all.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
        bi = np.flatnonzero((age == 0) & (by == year - 1))
        del by
        babies = pl.DataFrame({"year": year[bi].astype(np.int64) - 1, "hh": g.at("hh", bi), "birth": birth_all[bi]})
        del birth_all
        # the spell is in the year of birth: it belongs to the mother's previous-year file
        mi = np.flatnonzero((g["sex"] == 2) & ~g["child"] & (age >= 18) & (age <= 46)
                            & np.isin(self.state, [ST["EMP"], ST["A"], ST["SU"]]))
        mothers = pl.DataFrame({"i": mi, "year": year[mi].astype(np.int64), "hh": g.at("hh", mi)})
        m = babies.join(mothers, on=["year", "hh"], how="inner")
        m = m.unique(subset=["year", "hh", "birth"], keep="first", maintain_order=True)
        return pl.DataFrame({
            "year": m["year"], "PNR": self.pnr(m["i"].to_numpy()), "YDELSE": BN["BARS"],
            "s": m["birth"], "e": m["birth"] + 46 * 7, "OMFANG_PCT": 100, "AKTIVERET": False,
            "MATCHGRUPPE": 0,
        }, schema_overrides={"OMFANG_PCT": pl.Int64, "YDELSE": pl.Int8, "MATCHGRUPPE": pl.Int8})

    # --- indkomst -------------------------------------------------------------------------------
    def income(self) -> Rows:
        rng = _rng(self.seed, 5)
        age = self.age
        st = self.state
        year = self.year
        infl = 1.022 ** (year - 2016)
        wage = self.rowpar("wage") * np.clip(0.65 + 0.5 * np.minimum(age - 18, 30) / 30, 0.6, 1.15)
        base = np.select(
            [st == ST[k] for k in ("EMP", "E", "C", "B", "A", "D", "FLEX", "EFTL", "SU", "FOLK")],
            [wage, 215_000, 150_000, 175_000, 215_000, 230_000, 280_000, 225_000, 95_000, 195_000],
            default=25_000,
        ).astype(float)
        del wage
        short = self.short_kind != 0
        base = np.where(short, base * (1 - self.short_dur / 365 * 0.35), base)
        del short
        inc = base * infl * rng.lognormal(0, 0.25, self.n)
        del base, infl
        inc = np.where(age < 15, 0, inc)
        m = age >= 15
        taxable = ~((self.g["origin"] == 2) & (year - self.g["arrival"] < 1) & (rng.random(self.n) < 0.5))
        return Rows(self.frame(m, BRUTTOINDK=np.round(inc, 0), SKATTEPLIGTIG=taxable), [
            PNR_TEXT, fmt_float(pl.col("BRUTTOINDK"), 0).str.replace(",0$", "").alias("BRUTTOINDK"),
            jn(pl.col("SKATTEPLIGTIG")).alias("SKATTEPLIGTIG"),
        ])

    # --- kriminalitet ---------------------------------------------------------------------------
    def crime(self) -> tuple[Rows, Rows]:
        rng = _rng(self.seed, 6)
        age = self.age
        g = self.g
        group = self.group
        year = self.year
        male = g["sex"] == 1
        eligible = age >= 15
        n_res = np.bincount(group, minlength=self.ngroups)
        n_15 = np.bincount(group[eligible], minlength=self.ngroups)
        mean_dec = 1.4
        share = self.par("decisions_per_1000") / 1000 / mean_dec * n_res / np.maximum(n_15, 1)
        quota = np.rint(np.maximum(share * n_15, 0)).astype(np.int64)
        young = ((age >= 15) & (age <= 29)).astype(float)
        score = g["w"] + 0.35 * male + 0.3 * young - 0.02 * np.maximum(age - 30, 0) / 10 + 0.15 * rng.random(self.n)
        del male, young
        off = allocate(group, score, eligible, quota)
        del score, group
        oi = np.flatnonzero(off)
        k = 1 + rng.poisson(mean_dec - 1, len(oi))
        rows = np.repeat(oi, k)
        nr = len(rows)
        y = year[rows]
        jan1_of = np.array([_days(v) for v in range(2000, 2040)], dtype=np.int64)
        jan1 = jan1_of[y - 2000]
        dd = jan1 + rng.integers(0, 365, nr)
        law = np.array(["STRFL", "EUFL", "VAABENL"])[rng.choice(3, nr, p=[0.74, 0.21, 0.05])]
        dec = np.array(["BOEDE", "BET", "UBET", "TILTFRA", "FRIFUND", "ANDEN"])[
            rng.choice(6, nr, p=[0.42, 0.22, 0.22, 0.10, 0.03, 0.01])]
        off_date = dd - rng.integers(20, 300, nr)
        # traffic and other special laws (not counted by the criterion): adults at random
        adults = np.flatnonzero(age >= 18)
        tr = adults[rng.random(len(adults)) < 0.012]
        del adults
        ty = year[tr]
        tdd = jan1_of[ty - 2000] + rng.integers(0, 365, len(tr))
        dec_df = pl.DataFrame({
            "year": np.concatenate([y, ty]),
            "PNR": np.concatenate([self.pnr(rows), self.pnr(tr)]),
            "d": np.concatenate([dd, tdd]),
            "o": np.concatenate([off_date, tdd - rng.integers(10, 200, len(tr))]),
            "LOV": np.concatenate([law, np.where(rng.random(len(tr)) < 0.85, "FAERDSL", "ANDET")]),
            "AFGOERELSE": np.concatenate([dec, np.where(rng.random(len(tr)) < 0.9, "BOEDE", "BET")]),
        })
        dec_df = dec_df.unique(subset=["year", "PNR", "d", "LOV", "AFGOERELSE"], keep="first", maintain_order=True)
        # no offence date on every 17th decision (counted over the whole register, not per year)
        decisions = dec_df.with_columns(no_o=pl.int_range(pl.len()) % 17 == 3).select(
            "year", "PNR", "d", "o", "no_o", "LOV", "AFGOERELSE")
        del dec_df
        # charges: one per decision under the three laws, 1-5 months before, in the same year
        keep = rng.random(nr) < 0.3  # charges recorded in the same calendar year
        ch = pl.DataFrame({"year": y[keep], "PNR": self.pnr(rows[keep]),
                           "c": np.maximum(dd - rng.integers(30, 150, nr), jan1)[keep], "LOV": law[keep]})
        charges = ch.unique(subset=["year", "PNR", "c", "LOV"], keep="first", maintain_order=True).select(
            "year", "PNR", "c", "LOV")
        return (
            Rows(decisions, [PNR_TEXT, fmt_date(pl.col("d")).alias("AFG_DATO"),
                             pl.when(pl.col("no_o")).then(pl.lit("")).otherwise(fmt_date(pl.col("o"))).alias("GERN_DATO")]),
            Rows(charges, [PNR_TEXT, fmt_date(pl.col("c")).alias("SIGT_DATO")]),
        )

    # --- children and young people ----------------------------------------------------------------
    def daycare(self) -> Rows:
        rng = _rng(self.seed, 7)
        age = self.age
        m = (age >= 0) & (age <= 5) & (rng.random(self.n) < np.where((age >= 1), self.rowpar("daycare"), 0.35))
        i = np.flatnonzero(m)
        del m
        age = age[i]
        birth = self.g.at("birth", i)
        # the draws are made for every person-year (as the generator always has) and kept for the children only
        r_small, r_big = rng.random(self.n)[i], rng.random(self.n)[i]
        typ = np.where(age <= 2, np.where(r_small < 0.4, "DAGPLEJE", "VUGGESTUE"),
                       np.where(r_big < 0.3, "INTEGRERET", "BOERNEHAVE"))
        d_small, d_big = rng.integers(0, 120, self.n)[i], rng.integers(0, 30, self.n)[i]
        start = np.where(age <= 2, birth + 300 + d_small, birth + 3 * 365 + d_big)
        jan1 = np.array([_days(y) for y in range(2000, 2040)])[self.year[i] - 2000]
        start = np.maximum(start, birth)
        start = np.minimum(start, jan1 + 200)
        end = np.where((age == 5), jan1 + 211, -1)  # leaves for school on 31 July
        inst = np.array([INSTITUTIONS[a][int(h) % len(INSTITUTIONS[a])] for a, h in
                         zip(self.area_names(i), self.g.at("hh", i), strict=True)])
        df = pl.DataFrame({"year": self.year[i], "PNR": self.pnr(i), "TILBUDSTYPE": typ, "INSTITUTION": inst,
                           "s": start, "e": end})
        return Rows(df, [
            PNR_TEXT, fmt_date(pl.col("s")).alias("STARTDATO"),
            pl.when(pl.col("e") < 0).then(pl.lit("")).otherwise(fmt_date(pl.col("e"))).alias("SLUTDATO"),
        ])

    def school(self, i: np.ndarray) -> np.ndarray:
        names = np.array([SCHOOLS.get(a, "") for a in self.area_names(i)], dtype=object)
        rest = names == ""
        names[rest] = np.array(REST_SCHOOLS, dtype=object)[self.g.at("hh", i)[rest] % len(REST_SCHOOLS)]
        return names.astype(str)

    def exam_marks(self) -> Rows:
        rng = _rng(self.seed, 8)
        m = (self.age == 15) & (rng.random(self.n) < 0.93)
        i = np.flatnonzero(m)
        mu = self.rowpar("marks")[i] + 1.2 * (0.5 - self.g.at("u", i))
        sy = np.char.add(np.char.add((self.year[i] - 1).astype(str), "/"), np.char.zfill((self.year[i] % 100).astype(str), 2))
        out = []
        for subj in ("DANSK", "MATEMATIK"):
            mark = np.clip(mu + rng.normal(0, 2.2, len(i)), -3, 12)
            out.append(pl.DataFrame({"year": self.year[i], "PNR": self.pnr(i), "SKOLEAAR": sy, "FAG": subj, "KARAKTER": mark}))
        return Rows(pl.concat(out).sort(["year", "PNR", "FAG"]),
                    [PNR_TEXT, fmt_float(pl.col("KARAKTER"), 1).alias("KARAKTER")])

    def absence(self) -> Rows:
        rng = _rng(self.seed, 9)
        m = (self.age >= 6) & (self.age <= 15)
        i = np.flatnonzero(m)
        out = []
        sy = np.char.add(np.char.add((self.year[i] - 1).astype(str), "/"), np.char.zfill((self.year[i] % 100).astype(str), 2))
        school = self.school(i)
        for half, days in ((1, 98), (2, 102)):
            rate = self.rowpar("absence")[i] * rng.gamma(2.5, 1 / 2.5, len(i))
            absd = np.minimum(np.round(days * rate * 2) / 2, days)
            out.append(pl.DataFrame({"year": self.year[i], "PNR": self.pnr(i), "SKOLEAAR": sy, "HALVAAR": half,
                                     "KLASSETRIN": np.clip(self.age[i] - 6, 0, 9), "SKOLE": school,
                                     "SKOLEDAGE": days, "FRAVAERSDAGE": absd}))
        return Rows(pl.concat(out).sort(["year", "PNR", "HALVAAR"]), [
            PNR_TEXT, fmt_float(pl.col("FRAVAERSDAGE"), 1).alias("FRAVAERSDAGE"), pl.col("HALVAAR").cast(pl.Utf8),
            pl.col("KLASSETRIN").cast(pl.Utf8), pl.col("SKOLEDAGE").cast(pl.Utf8)])

    def language(self) -> Rows:
        rng = _rng(self.seed, 10)
        m = (self.age == 2) & (rng.random(self.n) < 0.9)  # assessed in the year they turn 3
        i = np.flatnonzero(m)
        # results allocated in exact shares per area and year (small groups), lowest scores first
        probs = np.array([P.param(a, "lang", 2020) for a in P.AREA_ORDER])
        n_g = self.count_by_group(m)
        area_of_group = np.arange(self.ngroups) // 100
        score = self.g["u"] + 0.3 * self.nonwestern + 0.3 * rng.random(self.n)
        special = allocate(self.group, score, m, np.rint(probs[area_of_group, 2] * n_g).astype(np.int64))
        focused = allocate(self.group, score, m & ~special, np.rint(probs[area_of_group, 1] * n_g).astype(np.int64))
        res = np.where(special[i], "SAERLIG", np.where(focused[i], "FOKUSERET", "GENEREL"))
        bd = self.g.at("birth", i) + 3 * 365 + rng.integers(0, 60, len(i))
        jan1 = np.array([_days(y) for y in self.year[i]])
        bd = np.clip(bd, jan1, jan1 + 364)
        return Rows(pl.DataFrame({"year": self.year[i], "PNR": self.pnr(i), "d": bd, "RESULTAT": res}),
                    [PNR_TEXT, fmt_date(pl.col("d")).alias("VURD_DATO")])

    def youth_education(self) -> Rows:
        rng = _rng(self.seed, 11)
        m = self.age == 15
        i = np.flatnonzero(m)
        grade = np.where(rng.random(len(i)) < 0.22, 10, 9)
        n_leave = self.count_by_group(m)
        started = allocate(self.group, rng.random(self.n), m,
                           np.rint(self.par("youth_start") * n_leave).astype(np.int64))[i]
        in15 = allocate(self.group, rng.random(self.n), m,
                        np.rint(self.par("youth_15m") * n_leave).astype(np.int64))[i]
        last = int(self.year.max())
        df = pl.DataFrame({"year": self.year[i], "PNR": self.pnr(i), "AFGANGSKLASSE": grade.astype(str),
                             "STARTET_AFGANGSAAR": started, "in15": in15})
        return Rows(df, [PNR_TEXT, jn(pl.col("STARTET_AFGANGSAAR")).alias("STARTET_AFGANGSAAR"),
                         pl.when(pl.col("year") >= last).then(pl.lit("")).otherwise(jn(pl.col("in15"))).alias("I_UDD_15MDR")])

    def youth_school(self) -> Rows:
        rng = _rng(self.seed, 12)
        m = (self.age >= 14) & (self.age <= 18) & (rng.random(self.n) < self.rowpar("youth_school"))
        i = np.flatnonzero(m)
        k = 1 + (rng.random(len(i)) < 0.3)
        rows = np.repeat(i, k)
        course = np.array(YOUTH_COURSES)[rng.integers(0, len(YOUTH_COURSES), len(rows))]
        jan1 = np.array([_days(y) for y in self.year[rows]])
        d = jan1 + rng.integers(0, 365, len(rows))
        return Rows(pl.DataFrame({"year": self.year[rows], "PNR": self.pnr(rows), "HOLD": course, "d": d}).unique(
            subset=["year", "PNR", "HOLD"], keep="first", maintain_order=True),
            [PNR_TEXT, fmt_date(pl.col("d")).alias("TILMELDT_DATO")])

    def ssp(self) -> Rows:
        rng = _rng(self.seed, 13)
        m = (self.age >= 10) & (self.age <= 17)
        quota = np.rint(self.par("ssp") * self.count_by_group(m)).astype(np.int64)
        chosen = allocate(self.group, rng.random(self.n) + self.g["w"], m, quota)
        rows = np.flatnonzero(chosen)
        jan1 = np.array([_days(y) for y in self.year[rows]])
        d = jan1 + rng.integers(0, 365, len(rows))
        cat = np.array(SSP_CATEGORIES)[rng.integers(0, len(SSP_CATEGORIES), len(rows))]
        return Rows(pl.DataFrame({"year": self.year[rows], "PNR": self.pnr(rows), "d": d, "KATEGORI": cat}).unique(
            subset=["year", "PNR", "d"], keep="first", maintain_order=True),
            [PNR_TEXT, fmt_date(pl.col("d")).alias("BEKYMRING_DATO")])

    def job_grants(self) -> Rows:
        rng = _rng(self.seed, 14)
        out = []
        cand = np.isin(self.state, [ST["A"], ST["B"], ST["EMP"]]) & (self.age >= 25) & (self.age <= 60)
        score = rng.random(self.n) + np.isin(self.state, [ST["A"], ST["B"]])
        quota = np.zeros(self.ngroups, np.int64)
        for a, name in enumerate(P.AREA_ORDER):
            for y in range(2016, 2026):
                base = P.param(name, "grants", y)
                if name == "rest":
                    base = 120.0
                if name in ("glarbjergvej", "gl_jennumparken", "hermann_stillingsvej") and y == 2020:
                    quota[a * 100 + y - 2000] = int(base)
                else:
                    quota[a * 100 + y - 2000] = rng.poisson(base)
        chosen = allocate(self.group, score, cand, quota)
        i = np.flatnonzero(chosen)
        jan1 = np.array([_days(y) for y in self.year[i]])
        d = jan1 + rng.integers(0, 365, len(i))
        typ = np.array(["VOKSENLAERLING", "UDDLOEFT", "KOMPLOEFT"])[rng.choice(3, len(i), p=[0.5, 0.3, 0.2])]
        out.append(pl.DataFrame({"year": self.year[i], "PNR": self.pnr(i), "d": d, "TILSKUDSTYPE": typ}))
        return Rows(pl.concat(out), [PNR_TEXT, fmt_date(pl.col("d")).alias("BEVILLING_DATO")])

    def jobready(self, benefits: Rows) -> Rows:
        """Months in which a person received a jobready benefit (a-dagpenge or jobparat kontanthjælp).

        Built one year at a time from the benefit spells of that year's file (the months are unique per
        year, person and month)."""
        spells = benefits.frame.filter(
            pl.col("YDELSE").is_in([BN[k] for k in ("ADAG", "KTH", "UDH", "SHY", "OVY")])
            & ((pl.col("YDELSE") == BN["ADAG"]) | (pl.col("MATCHGRUPPE") == MATCH.index("1"))
               | ((pl.col("MATCHGRUPPE") == MATCH.index("2")) & pl.col("AKTIVERET")))
        ).select("year", "PNR", "YDELSE", "s", "e")
        y = pl.col("YDELSE")
        grp = pl.when(y == BN["ADAG"]).then(pl.lit("DAGPENGE")).when(y == BN["OVY"]).then(
            pl.lit("OVERGANG")).when(y == BN["SHY"]).then(pl.lit("SHY")).otherwise(pl.lit("KONTANTHJ"))

        def months(b: pl.DataFrame) -> pl.DataFrame:
            b = b.with_columns(
                s=pl.from_epoch("s", time_unit="d"),
                e=pl.when(pl.col("e") < 0).then(pl.date(2099, 12, 31)).otherwise(pl.from_epoch("e", time_unit="d")),
            )
            b = b.with_columns(
                m0=pl.when(pl.col("s").dt.year() < pl.col("year")).then(1).otherwise(pl.col("s").dt.month()),
                m1=pl.when(pl.col("e").dt.year() > pl.col("year")).then(12).otherwise(pl.col("e").dt.month()),
            ).filter(pl.col("m1") >= pl.col("m0"))
            b = b.with_columns(MAANED=pl.int_ranges(pl.col("m0"), pl.col("m1") + 1)).explode("MAANED")
            return b.unique(subset=["year", "PNR", "MAANED"], keep="first", maintain_order=True).select(
                "year", "PNR", "MAANED", "YDELSE")

        fmt = [PNR_TEXT, pl.col("MAANED").cast(pl.Utf8), grp.alias("YDELSESGRUPPE")]
        return Rows(make=lambda yr: months(spells.filter(pl.col("year") == yr)).with_columns(fmt))

    def turnout(self) -> Rows:
        rng = _rng(self.seed, 15)
        elections = {"KV2017": 2017, "FV2019": 2019, "EP2019": 2019, "KV2021": 2021, "FV2022": 2022, "EP2024": 2024}
        out = []
        citizen = (self.g["origin"] != 2) | (rng.random(self.n) < 0.4)
        for e, y in elections.items():
            m = (self.year == y) & (self.age >= 18)
            if e.startswith(("FV", "EP")):
                m &= citizen
            i = np.flatnonzero(m)
            p = np.array([P.param(a, "turnout", y)[e] for a in P.AREA_ORDER])[self.g.at("area", i)]
            voted = rng.random(len(i)) < p
            out.append(pl.DataFrame({"year": self.year[i], "PNR": self.pnr(i), "VALG": e, "STEMT": voted}))
        return Rows(pl.concat(out), [PNR_TEXT, jn(pl.col("STEMT")).alias("STEMT")])

    def evictions(self) -> Rows:
        rng = _rng(self.seed, 16)
        dw = self.pop.dw
        addr = self.addresses
        rows = []
        case = 0
        units_by_area = np.bincount(dw.area, minlength=len(P.AREA_ORDER))
        for y in range(int(self.year.min()), int(self.year.max()) + 1):
            for a, name in enumerate(P.AREA_ORDER):
                cand = np.flatnonzero(dw.area == a)
                if len(cand) == 0:
                    continue
                ev = P.param(name, "evictions", y)
                ex = P.param(name, "evictions_executed", y)
                if name in ("rest", "sjaellandsgade"):
                    if name == "rest":
                        ev, ex = ev * units_by_area[a] / 100, ex * units_by_area[a] / 100
                    n_ev = int(rng.poisson(ev))
                    n_ex = int(min(n_ev, rng.binomial(n_ev, min(ex / max(ev, 1e-9), 1.0))))
                elif y in (2018, 2019):
                    n_ev, n_ex = int(ev), int(ex)  # the plan's two-year counts, split per year
                else:
                    n_ev = int(rng.poisson(ev))
                    n_ex = int(rng.binomial(n_ev, min(ex / max(ev, 1e-9), 1.0)))
                pick = cand[rng.integers(0, len(cand), n_ev)]
                for j, d in enumerate(pick):
                    case += 1
                    rows.append((y, f"U{y}-{case:05d}", int(dw.address[d]), dw.floor[d], dw.door[d],
                                 _days(y) + int(rng.integers(0, 365)), j < n_ex, name))
        ev = pl.DataFrame(rows, schema=["year", "SAGSNR", "arow", "ETAGE", "SIDEDOER", "d", "EFFEKTUERET", "area"],
                          orient="row")
        arow = ev["arow"].to_numpy()
        lejerbo = (ev["area"] == "gl_jennumparken").to_numpy() & (arow % 5 == 0)
        landlord = np.where(np.isin(ev["area"].to_numpy(), list(P.AREA_ORDER[:6])),
                            np.where(lejerbo, "LEJERBO", "RANDERSBOLIG"), "ANDEN")
        return Rows(ev.with_columns(
            KOM=pl.lit(str(KOMMUNEKODE)),
            VEJNAVN=pl.Series(addr["street"].to_numpy()[arow]),
            HUSNR=pl.Series(addr["house_number"].to_numpy()[arow]),
            POSTNR=pl.Series(addr["postcode"].to_numpy()[arow].astype(str)),
            SAGSDATO=fmt_date(pl.col("d")),
            EFFEKTUERET=jn(pl.col("EFFEKTUERET")),
            UDLEJER=pl.Series(landlord),
        ).select("year", "SAGSNR", "KOM", "VEJNAVN", "HUSNR", "ETAGE", "SIDEDOER", "POSTNR", "SAGSDATO",
                 "EFFEKTUERET", "UDLEJER"))
