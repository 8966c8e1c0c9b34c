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


def pnr_numbers(persons: pl.DataFrame) -> np.ndarray:
    """CPR-shaped replacement numbers (day of birth + 60), unique, sex in the last digit."""
    birth = persons["birth"].to_numpy().astype("datetime64[D]")
    y = birth.astype("datetime64[Y]").astype(np.int64) + 1970
    m = birth.astype("datetime64[M]").astype(np.int64) % 12 + 1
    d = (birth - birth.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    b = birth.astype(np.int64)
    order = np.lexsort((np.arange(len(b)), b))
    sb = b[order]
    pos = np.arange(len(sb)) - np.searchsorted(sb, sb, side="left")
    r = np.empty(len(b), np.int64)
    r[order] = pos
    male = persons["sex"].to_numpy() == 1
    century = np.where(y >= 2000, 4, 0) + r // 500
    serial = century * 1000 + (r % 500) * 2 + male.astype(np.int64)
    return np.char.add(
        np.char.add(np.char.add(np.char.zfill((d + 60).astype(str), 2), np.char.zfill(m.astype(str), 2)),
                    np.char.zfill((y % 100).astype(str), 2)),
        np.char.zfill(serial.astype(str), 4),
    )


class Extract:
    """Builds every register frame from the simulation output."""

    def __init__(self, pop, py: pl.DataFrame, persons: pl.DataFrame, addresses: pl.DataFrame, seed: int):
        self.seed = seed
        self.pop = pop
        self.addresses = addresses
        pn = pnr_numbers(persons)
        persons = persons.with_columns(pl.Series("pnr", pn))
        self.persons = persons
        df = py.join(persons, on="pid", how="left").sort(["year", "pid"])
        self.df = df
        self.n = df.height
        g = {c: df[c].to_numpy() for c in df.columns if c != "pnr"}
        self.g = g
        self.pnr = df["pnr"].to_numpy()
        self.area_name = np.array(P.AREA_ORDER)[g["area"]]
        self.year = g["year"].astype(np.int64)
        self.age = g["age"].astype(np.int64)
        self.group = g["area"].astype(np.int64) * 100 + (self.year - 2000)
        self.ngroups = (len(P.AREA_ORDER)) * 100
        self.nonwestern = (g["origin"] > 1) & np.isin(g["country"], list(NONWESTERN_COUNTRIES))
        self._params: dict[str, np.ndarray] = {}

    # --- helpers ------------------------------------------------------------------------------
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
        data = {"year": self.year[mask], "PNR": self.pnr[mask]}
        data.update({k: (v[mask] if isinstance(v, np.ndarray) and len(v) == self.n else v) for k, v in cols.items()})
        return pl.DataFrame(data)

    # --- befolkning ----------------------------------------------------------------------------
    def population(self) -> pl.DataFrame:
        rng = _rng(self.seed, 1)
        g = self.g
        addr = self.addresses
        dw = self.pop.dw
        arow = dw.address[g["dwelling"]]
        street = addr["street"].to_numpy()[arow].astype(object)
        house = addr["house_number"].to_numpy()[arow].astype(object)
        postcode = addr["postcode"].to_numpy()[arow]
        r = rng.random(self.n)
        # spelling variants as the source systems write them
        hs = street == "Hermann Stillings Vej"
        street = np.where(hs & (r < 0.10), "Herman Stillingsvej", np.where(hs & (r < 0.15), "Hermann Stillingsvej", street))
        gj = street == "Gl. Jennumvej"
        street = np.where(gj & (r < 0.30), "Gammel Jennumvej", street)
        # a few addresses the address layer does not know (outside the areas)
        rest = self.area_name == "rest"
        odd = rest & (g["dwelling"] % 3331 == 7)
        house = np.where(odd, np.char.add(house.astype(str), "Z").astype(object), house)
        return pl.DataFrame(
            {
                "year": self.year,
                "PNR": self.pnr,
                "FOED_DAG": g["birth"],
                "KOEN": g["sex"].astype(str),
                "IE_TYPE": g["origin"].astype(str),
                "OPR_LAND": g["country"].astype(str),
                "KOM": np.full(self.n, str(KOMMUNEKODE)),
                "VEJNAVN": street.astype(str),
                "HUSNR": house.astype(str),
                "ETAGE": dw.floor[g["dwelling"]],
                "SIDEDOER": dw.door[g["dwelling"]],
                "POSTNR": postcode.astype(str),
                "TILFLYT_DATO": g["moved_in"],
                "FAMILIE_ID": np.char.add("F", np.char.zfill(g["hh"].astype(str), 7)),
            }
        ).with_columns(fmt_date(pl.col("FOED_DAG")).alias("FOED_DAG"), fmt_date(pl.col("TILFLYT_DATO")).alias("TILFLYT_DATO"))

    # --- doedsfald -----------------------------------------------------------------------------
    def deaths(self) -> pl.DataFrame:
        """The death register: every person who died, in the file of the year of death."""
        d = self.persons.filter(pl.col("death") > 0).sort("death", "pid")
        return pl.DataFrame({
            "year": pl.from_epoch(d["death"], time_unit="d").dt.year().cast(pl.Int32),
            "PNR": d["pnr"],
            "DOEDSDATO": d["death"],
        }).with_columns(fmt_date(pl.col("DOEDSDATO")).alias("DOEDSDATO"))

    # --- uddannelse ----------------------------------------------------------------------------
    def education_state(self) -> None:
        """Highest completed and ongoing education per person-year (sets self.edu_high/ongoing)."""
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
        # higher education from 20 until done
        dur = np.zeros(self.n, np.int64)
        for lvl, d in EDU_DURATION.items():
            dur[final == lvl] = d
        hi = known & (final >= 40)
        ongoing = np.where(hi & (age >= 20) & (age < 20 + dur), final, ongoing)
        high = np.where(hi & (age >= 20 + dur), final, high)
        # grundskole only: sometimes enrolled in a youth education (and then drops out)
        basic = known & (final == 10)
        tries = basic & (age >= 16) & (age <= 29) & (rng.random(self.n) < self.rowpar("try_edu"))
        ongoing = np.where(tries, np.where(rng.random(self.n) < 0.7, 30, 20), ongoing)
        # adults beyond the age model keep their final education
        adult_final = known & (age >= 30) & (final > 0)
        high = np.where(adult_final, final, high)
        # immigrants with unknown education: no code; self-reported/imputed: their own code
        high = np.where(src == SRC_UNKNOWN, 0, high)
        self.edu_high = high
        self.edu_ongoing = ongoing
        self.edu_src = src

    def education(self) -> pl.DataFrame:
        m = self.age >= 15
        high = self.edu_high
        code = np.full(self.n, "", dtype=object)
        for lvl, c in EDU_CODE.items():
            code[high == lvl] = c
        src = np.array([SRC_CODE[s] for s in range(5)], dtype=object)[self.edu_src]
        src = np.where(code == "", "", src)
        ong = np.full(self.n, "", dtype=object)
        for lvl, c in EDU_CODE.items():
            ong[self.edu_ongoing == lvl] = c
        return self.frame(m, HFAUDD=code.astype(str), HF_KILDE=src.astype(str), IGANGV_UDD=ong.astype(str))

    # --- labour-market states ------------------------------------------------------------------
    def labour_state(self) -> None:
        """Long-term state (full year) and short spells for residents 18-64."""
        rng = _rng(self.seed, 3)
        age = self.age
        g = self.g
        u = g["u"]
        w1864 = (age >= 18) & (age <= 64)
        student = w1864 & (age <= 29) & (self.edu_ongoing > 0)
        n_all = self.count_by_group(w1864)
        pool = w1864 & ~student
        a = (age - 18) / 46.0
        state = np.full(self.n, "", dtype="<U4")

        def take(mask_pool, score, share, label):
            quota = np.rint(share * n_all).astype(np.int64)
            chosen = allocate(self.group, score, mask_pool, quota)
            state[chosen] = label
            return mask_pool & ~chosen

        fA, fB, fC, fD, fE = (self.par(k) for k in ("fA", "fB", "fC", "fD", "fE"))
        long = {"E": fE, "C": 0.93 * fC, "B": 0.65 * fB, "A": 0.35 * fA, "D": 0.25 * fD}
        pool = take(pool, u + 0.9 * a, long["E"], "E")
        pool = take(pool, u + self.rowpar("c_age") * a + 0.1 * self.nonwestern, long["C"], "C")
        pool = take(pool, u + 0.05 * rng.random(self.n), long["B"], "B")
        pool = take(pool, u + 0.1 * rng.random(self.n), long["A"], "A")
        pool = take(pool, u + 0.4 * a, long["D"], "D")
        pool = take(pool, u, self.par("flex"), "FLEX")
        eftl = pool & (age >= 60) & (rng.random(self.n) < self.rowpar("eftl"))
        state[eftl] = "EFTL"
        pool &= ~eftl
        state[pool] = "EMP"
        state[student] = "SU"
        state[age >= 65] = "FOLK"
        # short spells among the employed: full-time persons not covered by the long states
        emp = state == "EMP"
        n_emp = self.count_by_group(emp)
        long_share = sum(long.values())
        short = {k: np.maximum(f - long[k], 0) for k, f in (("A", fA), ("B", fB), ("C", fC), ("D", fD))}
        short_fte = sum(short.values())
        persons = np.maximum(self.par("headcount") - long_share, 1e-3)
        dmean = np.clip(short_fte / persons, 0.12, 0.8)
        p_cum = np.zeros(self.n)
        r = rng.random(self.n)
        short_kind = np.full(self.n, "", dtype="<U1")
        for k in ("A", "B", "C", "D"):
            p_k = np.where(n_emp > 0, short[k] / dmean * n_all / np.maximum(n_emp, 1), 0)[self.group]
            hit = emp & (r >= p_cum) & (r < p_cum + p_k)
            short_kind[hit] = k
            p_cum = p_cum + p_k
        dur = np.clip(dmean[self.group] * (0.4 + 1.2 * rng.random(self.n)) * 365, 14, 365).astype(np.int64)
        self.state = state
        self.short_kind = short_kind
        self.short_dur = dur
        self.student = student

    def benefits(self) -> pl.DataFrame:
        rng = _rng(self.seed, 4)
        g = self.g
        year = self.year
        age = self.age
        state = self.state
        jan1 = np.array([_days(y) for y in range(2000, 2040)])[year - 2000]
        dec31 = np.array([_days(y + 1) - 1 for y in range(2000, 2040)])[year - 2000]
        recent = self.nonwestern & (g["origin"] == 2) & (year - g["arrival"] < 8)
        r = rng.random(self.n)
        # benefit code per long state
        kth = np.where(age < 30, "UDH", "KTH")
        c_code = np.where(recent, np.where(year < 2020, "OVY", "SHY"), kth)
        b_code = np.select([r < 0.35, r < 0.45, r < 0.55, r < 0.62], ["LEDY", "REVA", "RESF", "JOBAF"], default=kth)
        code = np.select(
            [state == "E", state == "C", state == "B", state == "A", state == "D", state == "FLEX",
             state == "EFTL", state == "SU", state == "FOLK"],
            ["FPEN", c_code, b_code, "ADAG", "SDP", "FLEX", "EFTL", "SU", "FOLK"],
            default="",
        )
        activated = (state == "B") & np.isin(b_code, ["KTH", "UDH"])
        match = np.select(
            [np.isin(code, ["KTH", "UDH", "SHY", "OVY"]) & (state == "C"), np.isin(code, ["KTH", "UDH"]) & activated],
            [np.where(code == "UDH", "3", "2"), "2"], default="",
        )
        has = code != ""
        # spell start: first 1 January of the run of the same code for this person (or earlier)
        pid = g["pid"]
        key_df = pl.DataFrame({"i": np.arange(self.n), "pid": pid, "year": year, "code": code}).filter(pl.col("code") != "")
        key_df = key_df.sort(["pid", "year"]).with_columns(
            new_run=((pl.col("code") != pl.col("code").shift(1).over("pid"))
                     | (pl.col("year") != pl.col("year").shift(1).over("pid") + 1)).fill_null(True)
        ).with_columns(run=pl.col("new_run").cum_sum().over("pid"))
        key_df = key_df.with_columns(
            run_start=pl.col("year").min().over(["pid", "run"]),
            run_end=pl.col("year").max().over(["pid", "run"]),
            first_run=pl.col("run") == 1,
        )
        i = key_df["i"].to_numpy()
        start = np.zeros(self.n, np.int64)
        end = np.zeros(self.n, np.int64)
        rs = key_df["run_start"].to_numpy()
        re_ = key_df["run_end"].to_numpy()
        first_run = key_df["first_run"].to_numpy()
        s = np.array([_days(y) for y in range(2000, 2040)])[rs - 2000]
        back = rng.integers(30, 365 * 6, len(i))
        start[i] = np.where(first_run, s - back, s)
        lastyear = int(year.max())
        end[i] = np.where(re_ >= lastyear, -1, np.array([_days(y + 1) - 1 for y in range(2000, 2040)])[re_ - 2000])
        # folkepension and SU: start at the birthday / study start, no end
        long_rows = pl.DataFrame({
            "year": year[has], "PNR": self.pnr[has], "YDELSE": code[has], "s": start[has], "e": end[has],
            "OMFANG_PCT": np.where(code[has] == "FLEX", 100, 100), "AKTIVERET": activated[has], "MATCHGRUPPE": match[has],
        })
        # short spells
        sk = self.short_kind
        hs = sk != ""
        ns = int(hs.sum())
        dur = self.short_dur[hs]
        s0 = jan1[hs] + (rng.random(ns) * np.maximum(dec31[hs] - jan1[hs] - dur, 1)).astype(np.int64)
        scode = np.select([sk[hs] == "A", sk[hs] == "B", sk[hs] == "C", sk[hs] == "D"],
                          ["ADAG", "ADAG", np.where(age[hs] < 30, "UDH", "KTH"), "SDP"], default="")
        short_rows = pl.DataFrame({
            "year": year[hs], "PNR": self.pnr[hs], "YDELSE": scode, "s": s0, "e": s0 + dur - 1,
            "OMFANG_PCT": np.where(rng.random(ns) < 0.1, 50, 100), "AKTIVERET": sk[hs] == "B",
            "MATCHGRUPPE": np.where(sk[hs] == "C", "2", np.where(sk[hs] == "B", "", "")),
        })
        # barselsdagpenge for mothers of a child born in the year
        births = self._births()
        rows = pl.concat([long_rows, short_rows, births], how="vertical_relaxed")
        return rows.with_columns(
            STARTDATO=fmt_date(pl.col("s")),
            SLUTDATO=pl.when(pl.col("e") < 0).then(pl.lit("")).otherwise(fmt_date(pl.col("e"))),
            OMFANG_PCT=pl.col("OMFANG_PCT").cast(pl.Utf8),
            AKTIVERET=jn(pl.col("AKTIVERET")),
        ).unique(subset=["year", "PNR", "YDELSE", "STARTDATO"], keep="first", maintain_order=True).select(
            "year", "PNR", "YDELSE", "STARTDATO", "SLUTDATO", "OMFANG_PCT", "AKTIVERET", "MATCHGRUPPE"
        )

    def _births(self) -> pl.DataFrame:
        """Barselsdagpenge: mothers (adult women in the household) of children born in the year."""
        g = self.g
        df = pl.DataFrame({"i": np.arange(self.n), "year": self.year, "hh": g["hh"], "birth": g["birth"],
                           "age": self.age, "sex": g["sex"], "child": g["child"], "state": self.state})
        babies = df.filter(pl.col("age") == 0).with_columns(by=pl.from_epoch("birth", time_unit="d").dt.year())
        babies = babies.filter(pl.col("by") == pl.col("year") - 1).select("year", "hh", "birth")
        # the spell is in the year of birth: it belongs to the mother's previous-year file
        mothers = df.filter((pl.col("sex") == 2) & ~pl.col("child") & (pl.col("age") >= 18) & (pl.col("age") <= 46)
                            & pl.col("state").is_in(["EMP", "A", "SU"]))
        m = babies.with_columns(year=pl.col("year") - 1).join(mothers, on=["year", "hh"], how="inner")
        m = m.unique(subset=["year", "hh", "birth"], keep="first", maintain_order=True)
        return pl.DataFrame({
            "year": m["year"], "PNR": self.pnr[m["i"].to_numpy()], "YDELSE": "BARS", "s": m["birth"],
            "e": m["birth"] + 46 * 7, "OMFANG_PCT": 100, "AKTIVERET": False, "MATCHGRUPPE": "",
        }, schema_overrides={"OMFANG_PCT": pl.Int64})

    # --- indkomst -------------------------------------------------------------------------------
    def income(self) -> pl.DataFrame:
        rng = _rng(self.seed, 5)
        age = self.age
        st = self.state
        infl = 1.022 ** (self.year - 2016)
        wage = self.rowpar("wage") * np.clip(0.65 + 0.5 * np.minimum(age - 18, 30) / 30, 0.6, 1.15)
        base = np.select(
            [st == "EMP", st == "E", st == "C", st == "B", st == "A", st == "D", st == "FLEX", st == "EFTL",
             st == "SU", st == "FOLK"],
            [wage, 215_000, 150_000, 175_000, 215_000, 230_000, 280_000, 225_000, 95_000, 195_000],
            default=25_000,
        ).astype(float)
        short = self.short_kind != ""
        base = np.where(short, base * (1 - self.short_dur / 365 * 0.35), base)
        inc = base * infl * rng.lognormal(0, 0.25, self.n)
        inc = np.where(age < 15, 0, inc)
        m = age >= 15
        taxable = ~((self.g["origin"] == 2) & (self.year - self.g["arrival"] < 1) & (rng.random(self.n) < 0.5))
        return self.frame(m, BRUTTOINDK=np.round(inc, 0), SKATTEPLIGTIG=taxable).with_columns(
            BRUTTOINDK=fmt_float(pl.col("BRUTTOINDK"), 0).str.replace(",0$", ""),
            SKATTEPLIGTIG=jn(pl.col("SKATTEPLIGTIG")),
        )

    # --- kriminalitet ---------------------------------------------------------------------------
    def crime(self) -> tuple[pl.DataFrame, pl.DataFrame]:
        rng = _rng(self.seed, 6)
        age = self.age
        g = self.g
        male = g["sex"] == 1
        eligible = age >= 15
        n_res = np.bincount(self.group, minlength=self.ngroups)
        n_15 = self.count_by_group(eligible)
        mean_dec = 1.4
        share = self.par("decisions_per_1000") / 1000 / mean_dec * n_res / np.maximum(n_15, 1)
        quota = np.rint(np.maximum(share * n_15, 0)).astype(np.int64)
        young = ((age >= 15) & (age <= 29)).astype(float)
        score = g["w"] + 0.35 * male + 0.3 * young - 0.02 * np.maximum(age - 30, 0) / 10 + 0.15 * rng.random(self.n)
        off = allocate(self.group, score, eligible, quota)
        oi = np.flatnonzero(off)
        k = 1 + rng.poisson(mean_dec - 1, len(oi))
        rows = np.repeat(oi, k)
        nr = len(rows)
        y = self.year[rows]
        jan1 = np.array([_days(v) for v in y])
        dd = jan1 + rng.integers(0, 365, nr)
        law = np.array(["STRFL", "EUFL", "VAABENL"])[rng.choice(3, nr, p=[0.74, 0.21, 0.05])]
        dec = np.array(["BOEDE", "BET", "UBET", "TILTFRA", "FRIFUND", "ANDEN"])[
            rng.choice(6, nr, p=[0.42, 0.22, 0.22, 0.10, 0.03, 0.01])]
        off_date = dd - rng.integers(20, 300, nr)
        # traffic and other special laws (not counted by the criterion): adults at random
        adults = np.flatnonzero(age >= 18)
        tr = adults[rng.random(len(adults)) < 0.012]
        ty = self.year[tr]
        tdd = np.array([_days(v) for v in ty], dtype=np.int64) + rng.integers(0, 365, len(tr))
        dec_df = pl.DataFrame({
            "year": np.concatenate([y, ty]),
            "PNR": np.concatenate([self.pnr[rows], self.pnr[tr]]),
            "d": np.concatenate([dd, tdd]),
            "o": np.concatenate([off_date, tdd - rng.integers(10, 200, len(tr))]),
            "LOV": np.concatenate([law, np.where(rng.random(len(tr)) < 0.85, "FAERDSL", "ANDET")]),
            "AFGOERELSE": np.concatenate([dec, np.where(rng.random(len(tr)) < 0.9, "BOEDE", "BET")]),
        })
        dec_df = dec_df.unique(subset=["year", "PNR", "d", "LOV", "AFGOERELSE"], keep="first", maintain_order=True)
        decisions = dec_df.with_columns(
            AFG_DATO=fmt_date(pl.col("d")),
            GERN_DATO=pl.when(pl.int_range(pl.len()) % 17 == 3).then(pl.lit("")).otherwise(fmt_date(pl.col("o"))),
        ).select("year", "PNR", "AFG_DATO", "GERN_DATO", "LOV", "AFGOERELSE")
        # charges: one per decision under the three laws, 1-5 months before, in the same year
        keep = rng.random(nr) < 0.3  # charges recorded in the same calendar year
        ch = pl.DataFrame({"year": y[keep], "PNR": self.pnr[rows][keep],
                           "c": np.maximum(dd - rng.integers(30, 150, nr), jan1)[keep], "LOV": law[keep]})
        charges = ch.unique(subset=["year", "PNR", "c", "LOV"], keep="first", maintain_order=True).with_columns(
            SIGT_DATO=fmt_date(pl.col("c"))).select("year", "PNR", "SIGT_DATO", "LOV")
        return decisions, charges

    # --- children and young people ----------------------------------------------------------------
    def daycare(self) -> pl.DataFrame:
        rng = _rng(self.seed, 7)
        age = self.age
        m = (age >= 0) & (age <= 5) & (rng.random(self.n) < np.where((age >= 1), self.rowpar("daycare"), 0.35))
        birth = self.g["birth"]
        typ = np.where(age <= 2, np.where(rng.random(self.n) < 0.4, "DAGPLEJE", "VUGGESTUE"),
                       np.where(rng.random(self.n) < 0.3, "INTEGRERET", "BOERNEHAVE"))
        start = np.where(age <= 2, birth + 300 + rng.integers(0, 120, self.n), birth + 3 * 365 + rng.integers(0, 30, self.n))
        jan1 = np.array([_days(y) for y in range(2000, 2040)])[self.year - 2000]
        start = np.maximum(start, birth)
        start = np.minimum(start, jan1 + 200)
        end = np.where((age == 5), jan1 + 211, -1)  # leaves for school on 31 July
        inst = np.array([INSTITUTIONS[a][int(i) % len(INSTITUTIONS[a])] for a, i in
                         zip(self.area_name[m], self.g["hh"][m], strict=True)])
        return self.frame(m, TILBUDSTYPE=typ, INSTITUTION=inst, s=start, e=end).with_columns(
            STARTDATO=fmt_date(pl.col("s")),
            SLUTDATO=pl.when(pl.col("e") < 0).then(pl.lit("")).otherwise(fmt_date(pl.col("e"))),
        ).select("year", "PNR", "TILBUDSTYPE", "INSTITUTION", "STARTDATO", "SLUTDATO")

    def school(self, i: np.ndarray) -> np.ndarray:
        names = np.array([SCHOOLS.get(a, "") for a in self.area_name[i]], dtype=object)
        rest = names == ""
        names[rest] = np.array(REST_SCHOOLS, dtype=object)[self.g["hh"][i][rest] % len(REST_SCHOOLS)]
        return names.astype(str)

    def exam_marks(self) -> pl.DataFrame:
        rng = _rng(self.seed, 8)
        m = (self.age == 15) & (rng.random(self.n) < 0.93)
        i = np.flatnonzero(m)
        mu = self.rowpar("marks")[i] + 1.2 * (0.5 - self.g["u"][i])
        sy = np.char.add(np.char.add((self.year[i] - 1).astype(str), "/"), np.char.zfill((self.year[i] % 100).astype(str), 2))
        out = []
        for subj in ("DANSK", "MATEMATIK"):
            mark = np.clip(mu + rng.normal(0, 2.2, len(i)), -3, 12)
            out.append(pl.DataFrame({"year": self.year[i], "PNR": self.pnr[i], "SKOLEAAR": sy, "FAG": subj, "KARAKTER": mark}))
        return pl.concat(out).sort(["year", "PNR", "FAG"]).with_columns(KARAKTER=fmt_float(pl.col("KARAKTER"), 1))

    def absence(self) -> pl.DataFrame:
        rng = _rng(self.seed, 9)
        m = (self.age >= 6) & (self.age <= 15)
        i = np.flatnonzero(m)
        out = []
        sy = np.char.add(np.char.add((self.year[i] - 1).astype(str), "/"), np.char.zfill((self.year[i] % 100).astype(str), 2))
        school = self.school(i)
        for half, days in ((1, 98), (2, 102)):
            rate = self.rowpar("absence")[i] * rng.gamma(2.5, 1 / 2.5, len(i))
            absd = np.minimum(np.round(days * rate * 2) / 2, days)
            out.append(pl.DataFrame({"year": self.year[i], "PNR": self.pnr[i], "SKOLEAAR": sy, "HALVAAR": half,
                                     "KLASSETRIN": np.clip(self.age[i] - 6, 0, 9), "SKOLE": school,
                                     "SKOLEDAGE": days, "FRAVAERSDAGE": absd}))
        return pl.concat(out).sort(["year", "PNR", "HALVAAR"]).with_columns(
            FRAVAERSDAGE=fmt_float(pl.col("FRAVAERSDAGE"), 1), HALVAAR=pl.col("HALVAAR").cast(pl.Utf8),
            KLASSETRIN=pl.col("KLASSETRIN").cast(pl.Utf8), SKOLEDAGE=pl.col("SKOLEDAGE").cast(pl.Utf8))

    def language(self) -> pl.DataFrame:
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
        bd = self.g["birth"][i] + 3 * 365 + rng.integers(0, 60, len(i))
        jan1 = np.array([_days(y) for y in self.year[i]])
        bd = np.clip(bd, jan1, jan1 + 364)
        return pl.DataFrame({"year": self.year[i], "PNR": self.pnr[i], "d": bd, "RESULTAT": res}).with_columns(
            VURD_DATO=fmt_date(pl.col("d"))).select("year", "PNR", "VURD_DATO", "RESULTAT")

    def youth_education(self) -> pl.DataFrame:
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
        return pl.DataFrame({"year": self.year[i], "PNR": self.pnr[i], "AFGANGSKLASSE": grade.astype(str),
                             "STARTET_AFGANGSAAR": started, "in15": in15}).with_columns(
            STARTET_AFGANGSAAR=jn(pl.col("STARTET_AFGANGSAAR")),
            I_UDD_15MDR=pl.when(pl.col("year") >= last).then(pl.lit("")).otherwise(jn(pl.col("in15"))),
        ).select("year", "PNR", "AFGANGSKLASSE", "STARTET_AFGANGSAAR", "I_UDD_15MDR")

    def youth_school(self) -> pl.DataFrame:
        rng = _rng(self.seed, 12)
        m = (self.age >= 14) & (self.age <= 18) & (rng.random(self.n) < self.rowpar("youth_school"))
        i = np.flatnonzero(m)
        k = 1 + (rng.random(len(i)) < 0.3)
        rows = np.repeat(i, k)
        course = np.array(YOUTH_COURSES)[rng.integers(0, len(YOUTH_COURSES), len(rows))]
        jan1 = np.array([_days(y) for y in self.year[rows]])
        d = jan1 + rng.integers(0, 365, len(rows))
        return pl.DataFrame({"year": self.year[rows], "PNR": self.pnr[rows], "HOLD": course, "d": d}).unique(
            subset=["year", "PNR", "HOLD"], keep="first", maintain_order=True).with_columns(
            TILMELDT_DATO=fmt_date(pl.col("d"))).select("year", "PNR", "HOLD", "TILMELDT_DATO")

    def ssp(self) -> pl.DataFrame:
        rng = _rng(self.seed, 13)
        m = (self.age >= 10) & (self.age <= 17)
        quota = np.rint(self.par("ssp") * self.count_by_group(m)).astype(np.int64)
        chosen = allocate(self.group, rng.random(self.n) + self.g["w"], m, quota)
        rows = np.flatnonzero(chosen)
        jan1 = np.array([_days(y) for y in self.year[rows]])
        d = jan1 + rng.integers(0, 365, len(rows))
        cat = np.array(SSP_CATEGORIES)[rng.integers(0, len(SSP_CATEGORIES), len(rows))]
        return pl.DataFrame({"year": self.year[rows], "PNR": self.pnr[rows], "d": d, "KATEGORI": cat}).unique(
            subset=["year", "PNR", "d"], keep="first", maintain_order=True).with_columns(
            BEKYMRING_DATO=fmt_date(pl.col("d"))).select("year", "PNR", "BEKYMRING_DATO", "KATEGORI")

    def job_grants(self) -> pl.DataFrame:
        rng = _rng(self.seed, 14)
        out = []
        cand = np.isin(self.state, ["A", "B", "EMP"]) & (self.age >= 25) & (self.age <= 60)
        score = rng.random(self.n) + np.isin(self.state, ["A", "B"])
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
        out.append(pl.DataFrame({"year": self.year[i], "PNR": self.pnr[i], "d": d, "TILSKUDSTYPE": typ}))
        return pl.concat(out).with_columns(BEVILLING_DATO=fmt_date(pl.col("d"))).select(
            "year", "PNR", "BEVILLING_DATO", "TILSKUDSTYPE")

    def jobready(self, benefits: pl.DataFrame) -> pl.DataFrame:
        """Months in which a person received a jobready benefit (a-dagpenge or jobparat kontanthjælp)."""
        b = benefits.filter(pl.col("YDELSE").is_in(["ADAG", "KTH", "UDH", "SHY", "OVY"])
                            & ((pl.col("YDELSE") == "ADAG") | (pl.col("MATCHGRUPPE") == "1")
                               | ((pl.col("MATCHGRUPPE") == "2") & (pl.col("AKTIVERET") == "J"))))
        b = b.with_columns(
            s=pl.col("STARTDATO").str.strptime(pl.Date, "%d-%m-%Y"),
            e=pl.when(pl.col("SLUTDATO") == "").then(pl.date(2099, 12, 31)).otherwise(
                pl.col("SLUTDATO").str.strptime(pl.Date, "%d-%m-%Y")),
        )
        b = b.with_columns(
            m0=pl.when(pl.col("s").dt.year() < pl.col("year")).then(1).otherwise(pl.col("s").dt.month()),
            m1=pl.when(pl.col("e").dt.year() > pl.col("year")).then(12).otherwise(pl.col("e").dt.month()),
        ).filter(pl.col("m1") >= pl.col("m0"))
        b = b.with_columns(MAANED=pl.int_ranges(pl.col("m0"), pl.col("m1") + 1)).explode("MAANED")
        grp = pl.when(pl.col("YDELSE") == "ADAG").then(pl.lit("DAGPENGE")).when(pl.col("YDELSE") == "OVY").then(
            pl.lit("OVERGANG")).when(pl.col("YDELSE") == "SHY").then(pl.lit("SHY")).otherwise(pl.lit("KONTANTHJ"))
        return b.with_columns(YDELSESGRUPPE=grp, MAANED=pl.col("MAANED").cast(pl.Utf8)).unique(
            subset=["year", "PNR", "MAANED"], keep="first", maintain_order=True).select(
            "year", "PNR", "MAANED", "YDELSESGRUPPE")

    def turnout(self) -> pl.DataFrame:
        rng = _rng(self.seed, 15)
        elections = {"KV2017": 2017, "FV2019": 2019, "EP2019": 2019, "KV2021": 2021, "FV2022": 2022, "EP2024": 2024}
        out = []
        citizen = (self.g["origin"] != 2) | (rng.random(self.n) < 0.4)
        for e, y in elections.items():
            m = (self.year == y) & (self.age >= 18)
            if e.startswith(("FV", "EP")):
                m &= citizen
            i = np.flatnonzero(m)
            p = np.array([P.param(a, "turnout", y)[e] for a in P.AREA_ORDER])[self.g["area"][i]]
            voted = rng.random(len(i)) < p
            out.append(pl.DataFrame({"year": self.year[i], "PNR": self.pnr[i], "VALG": e, "STEMT": voted}))
        return pl.concat(out).with_columns(STEMT=jn(pl.col("STEMT")))

    def evictions(self) -> pl.DataFrame:
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
        return ev.with_columns(
            KOM=pl.lit(str(KOMMUNEKODE)),
            VEJNAVN=pl.Series(addr["street"].to_numpy()[arow]),
            HUSNR=pl.Series(addr["house_number"].to_numpy()[arow]),
            POSTNR=pl.Series(addr["postcode"].to_numpy()[arow].astype(str)),
            SAGSDATO=fmt_date(pl.col("d")),
            EFFEKTUERET=jn(pl.col("EFFEKTUERET")),
            UDLEJER=pl.Series(landlord),
        ).select("year", "SAGSNR", "KOM", "VEJNAVN", "HUSNR", "ETAGE", "SIDEDOER", "POSTNR", "SAGSDATO",
                 "EFFEKTUERET", "UDLEJER")
