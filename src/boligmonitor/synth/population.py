"""The longitudinal synthetic population: dwellings, households and persons, 1 January 2016-2025.

Dwellings come from the address layer (``boligmonitor.geo.address_points()``): every access
address holds ``units`` dwellings (flats get a floor and a door). Every dwelling holds one
household. Each year households move out (the area's turnover), some of them into a vacant
dwelling elsewhere in the municipality, the rest leave Randers; vacant dwellings are taken by
households that move in, drawn from the area's profile for that year. Persons age, die, are born
into their households, and grown-up children leave home. Persons keep their identity (and their
person number) for as long as they live in the municipality.

Everything is vectorised with numpy and driven by one ``numpy.random.Generator(PCG64(seed))``
used in a fixed order, so a seed determines the population exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from boligmonitor import config
from boligmonitor.synth import profiles as P

EPOCH_YEAR = 1970
HH_TYPES = ("s", "so", "c", "co", "sp", "ck")
N_ADULTS = {"s": 1, "so": 1, "c": 2, "co": 2, "sp": 1, "ck": 2}

#: Countries used for immigrants and descendants (codes from boligmonitor/data/countries.csv) and weights.
NONWESTERN_COUNTRIES = {
    5475: 0.20, 5432: 0.12, 5258: 0.10, 5444: 0.08, 5423: 0.09, 5172: 0.10, 5434: 0.06,
    5125: 0.06, 5478: 0.04, 5216: 0.06, 5454: 0.04, 5122: 0.03, 5121: 0.02,
}
WESTERN_COUNTRIES = {5154: 0.30, 5180: 0.20, 5158: 0.15, 5120: 0.08, 5110: 0.07, 5170: 0.08, 5128: 0.07, 5150: 0.05}
DANMARK = 5100

#: Education levels (DST level = first two digits of the code) of adults outside the young cohorts.
ADULT_HIGHER = {30: 0.50, 20: 0.08, 40: 0.08, 50: 0.22, 60: 0.03, 70: 0.09}
YOUNG_HIGHER = {30: 0.42, 20: 0.20, 40: 0.08, 50: 0.20, 60: 0.04, 70: 0.06}

# Education sources: 0 REG, 1 GODK, 2 SELV, 3 IMP, 4 unknown (no code)
SRC_REG, SRC_GODK, SRC_SELV, SRC_IMP, SRC_UNKNOWN = range(5)


def _days(year: int, month: int = 1, day: int = 1) -> int:
    return int(np.datetime64(f"{year:04d}-{month:02d}-{day:02d}", "D").astype(np.int64))


def _pick(rng: np.random.Generator, weights: dict, n: int) -> np.ndarray:
    keys = np.array(list(weights))
    p = np.array(list(weights.values()), dtype=float)
    return keys[rng.choice(len(keys), size=n, p=p / p.sum())]


@dataclass
class Dwellings:
    address: np.ndarray  # row index into the address table
    area: np.ndarray  # area code (index into profiles.AREA_ORDER)
    floor: np.ndarray  # str ('' for houses)
    door: np.ndarray  # str


def build_dwellings(addresses: pl.DataFrame, scale: float) -> Dwellings:
    """One dwelling per unit at each address (units multiplied by ``scale``), in address order."""
    units = addresses["units"].to_numpy().astype(float) * scale
    units = np.floor(units + 0.5).astype(np.int64)
    area_code = np.array(
        [P.AREA_ORDER.index(a) if a in P.AREA_ORDER else P.AREA_ORDER.index("rest")
         for a in addresses["area_id"].fill_null("rest").to_list()],
        dtype=np.int64,
    )
    btype = addresses["building_type"].to_list()
    idx = np.repeat(np.arange(len(units)), units)
    # position of the unit within its address
    starts = np.repeat(np.cumsum(units) - units, units)
    pos = np.arange(len(idx)) - starts
    is_flat = np.array([btype[i] == "etage" for i in idx], dtype=bool) if len(idx) else np.zeros(0, bool)
    floors_lbl = np.array(["st", "1", "2", "3", "4", "5", "6", "7"])
    doors_lbl = np.array(["tv", "th", "mf"])
    floor = np.where(is_flat, floors_lbl[np.minimum(pos // 2, 7)], "")
    door = np.where(is_flat, doors_lbl[np.where(pos >= 16, 2, pos % 2)], "")
    return Dwellings(address=idx, area=area_code[idx], floor=floor, door=door)


class Population:
    """Persons and households, grown year by year (structure of arrays)."""

    def __init__(self, rng: np.random.Generator, dw: Dwellings):
        self.rng = rng
        self.dw = dw
        n = len(dw.address)
        self.occupant = np.full(n, -1, dtype=np.int64)  # household index per dwelling
        # households
        self.hh_dw = np.zeros(0, np.int64)
        self.hh_nw = np.zeros(0, np.int8)  # 0 Danish, 1 non-Western, 2 Western immigrant household
        # persons
        cols = {
            "birth": np.int64, "sex": np.int8, "origin": np.int8, "country": np.int64, "u": np.float64,
            "v": np.float64, "w": np.float64, "edu": np.int64, "src": np.int8, "hh": np.int64,
            "child": np.bool_, "present": np.bool_, "moved_in": np.int64, "arrival": np.int64,
            "entry_area": np.int64, "death": np.int64,
        }
        self.p = {k: np.zeros(0, t) for k, t in cols.items()}
        #: per year: the residents on 1 January as compact columns (see :data:`SNAPSHOT_DTYPES`)
        self.snapshots: list[dict[str, np.ndarray]] = []

    # --- helpers ------------------------------------------------------------------------------
    @property
    def n_persons(self) -> int:
        return len(self.p["birth"])

    def ages(self, year: int) -> np.ndarray:
        b = self.p["birth"].astype("datetime64[D]")
        by = b.astype("datetime64[Y]").astype(np.int64) + EPOCH_YEAR
        jan1 = (b.astype("datetime64[Y]")).astype("datetime64[D]")
        return year - by - (b != jan1).astype(np.int64)

    def _append_persons(self, new: dict[str, np.ndarray]) -> None:
        for k in self.p:
            self.p[k] = np.concatenate([self.p[k], new[k].astype(self.p[k].dtype)])

    # --- households moving in -----------------------------------------------------------------
    def new_households(self, dw_idx: np.ndarray, year: int, initial: bool,
                       override: dict[int, dict] | None = None) -> None:
        """Create households in the dwellings ``dw_idx``; they are present on 1 January ``year``.

        ``override`` (per area code) replaces profile values for these households: the yearly
        feedback that keeps each area's size and composition on its profile.
        """
        override = override or {}
        rng = self.rng
        if len(dw_idx) == 0:
            return
        areas = self.dw.area[dw_idx]
        n = len(dw_idx)
        types = np.empty(n, dtype="<U2")
        nw = np.zeros(n, np.int8)
        for a in np.unique(areas):
            sel = np.flatnonzero(areas == a)
            name = P.AREA_ORDER[a]
            ov = override.get(int(a), {})
            mix = P.household_mix(name, year, ov)
            types[sel] = _pick(rng, mix, len(sel))
            # non-Western households: families are more often non-Western than other households
            target = ov.get("nonwestern", P.param(name, "nonwestern", year))
            h = ov.get("hh_size", P.param(name, "hh_size", year))
            kids = ov.get("u18", P.param(name, "u18", year)) * h
            fam_share = mix["sp"] + mix["ck"]
            fam_persons = kids + mix["sp"] + 2 * mix["ck"]
            oth_persons = max(h - fam_persons, 1e-6)
            k = 1.8
            p_o = target * h / (k * fam_persons + oth_persons)
            p_f = min(0.97, k * p_o)
            del fam_share
            is_fam = np.isin(types[sel], ["sp", "ck"])
            r = rng.random(len(sel))
            p = np.where(is_fam, p_f, p_o)
            nw[sel] = np.where(r < p, 1, np.where(r < p + 0.03, 2, 0))
        hh0 = len(self.hh_dw)
        hh_idx = hh0 + np.arange(n)
        self.hh_dw = np.concatenate([self.hh_dw, dw_idx])
        self.hh_nw = np.concatenate([self.hh_nw, nw])
        self.occupant[dw_idx] = hh_idx

        n_adults = np.array([N_ADULTS[t] for t in types])
        kids_mean = np.array([P.param(P.AREA_ORDER[a], "kids_mean", year) for a in areas])
        n_kids = np.where(np.isin(types, ["sp", "ck"]), 1 + np.minimum(rng.poisson(np.maximum(kids_mean - 1, 0)), 6), 0)
        size = n_adults + n_kids
        m = int(size.sum())
        hh_of = np.repeat(hh_idx, size)
        rank = np.arange(m) - np.repeat(np.cumsum(size) - size, size)
        is_child = rank >= np.repeat(n_adults, size)
        htype = np.repeat(types, size)
        area = np.repeat(areas, size)
        nwp = np.repeat(nw, size)

        jan1 = _days(year)
        # ages on 1 January of `year`
        kid_age = rng.integers(0, 18, m)
        maxkid = np.zeros(n, np.int64)
        if m:
            kid_rows = np.flatnonzero(is_child)
            np.maximum.at(maxkid, hh_of[kid_rows] - hh0, kid_age[kid_rows])
        r = rng.random(m)
        age_s = 18 + (46 * rng.beta(1.1, 2.0, m)).astype(np.int64)
        age_c = 22 + (42 * rng.beta(2.0, 2.0, m)).astype(np.int64)
        age_o = 65 + (30 * rng.beta(1.2, 2.5, m)).astype(np.int64)
        age_par = np.minimum(np.repeat(maxkid, size) + 20 + rng.integers(0, 18, m), 64)
        age = np.select(
            [is_child, np.isin(htype, ["so", "co"]), htype == "s", htype == "c"],
            [kid_age, age_o, age_s, age_c],
            default=age_par,
        )
        # couples: partner ages close to each other
        birth = jan1 - (age * 365.25).astype(np.int64) - rng.integers(1, 365, m)
        sex = np.where(rng.random(m) < 0.5, 1, 2).astype(np.int8)
        two = (~is_child) & (rank == 1)
        one = (~is_child) & (rank == 0)
        sex[one & np.isin(htype, ["c", "co", "ck"])] = 1
        sex[two] = 2
        sex[one & (htype == "sp")] = np.where(r[one & (htype == "sp")] < 0.85, 2, 1)

        # origin and country
        country = np.full(m, DANMARK, np.int64)
        hh_country_nw = _pick(rng, NONWESTERN_COUNTRIES, n)
        hh_country_w = _pick(rng, WESTERN_COUNTRIES, n)
        hc = np.where(nw == 1, hh_country_nw, np.where(nw == 2, hh_country_w, DANMARK))
        country = np.repeat(hc, size)
        years_here = np.repeat(rng.integers(0, 26, n), size)
        arrival = np.where(nwp > 0, year - np.minimum(years_here, np.maximum(age - 16, 0)), 0)
        born_here = is_child & (nwp > 0) & (age < (year - arrival))
        origin = np.where(nwp == 0, 1, np.where(born_here, 3, 2)).astype(np.int8)
        arrival = np.where(origin == 2, arrival, 0)

        # latent traits: v drives education (low = grundskole), u disadvantage, w crime
        v = rng.random(m)
        u = np.clip(0.55 * (1 - v) + 0.45 * rng.random(m), 0, 1)
        w = np.clip(0.5 * u + 0.5 * rng.random(m), 0, 1)

        # education (final level and source)
        edu = np.zeros(m, np.int64)
        src = np.zeros(m, np.int8)
        young = age < 30
        imm_adult = (origin == 2) & (nwp == 1) & ~young
        for a in np.unique(area):
            name = P.AREA_ORDER[a]
            s = area == a
            b_t = P.param(name, "basic_30_59", year)
            q = P.param(name, "unknown_imm", year)
            wnw = min(0.95, P.param(name, "nonwestern", year) * 1.15)
            b = max(0.02, (b_t - wnw * q) / (1 - wnw * q))
            by = P.param(name, "basic_young", year)
            sy = s & young
            edu[sy] = np.where(v[sy] < by, 10, _pick(rng, YOUNG_HIGHER, int(sy.sum())))
            sa = s & ~young
            edu[sa] = np.where(v[sa] < b, 10, _pick(rng, ADULT_HIGHER, int(sa.sum())))
            si = s & imm_adult
            unknown = rng.random(int(si.sum())) < q
            # unknown education: half without a code, half self-reported or imputed
            kind = rng.random(int(si.sum()))
            src_i = np.where(unknown, np.where(kind < 0.5, SRC_UNKNOWN, np.where(kind < 0.75, SRC_SELV, SRC_IMP)),
                             np.where(kind < 0.3, SRC_GODK, SRC_REG))
            src[si] = src_i
            # immigrants with unknown education: v re-drawn high (their education is not basic by latent)
            edu[si] = np.where(unknown, np.where(src_i == SRC_UNKNOWN, 0, _pick(rng, ADULT_HIGHER, int(si.sum()))),
                               edu[si])

        if initial:
            moved = jan1 - rng.integers(1, 365 * 20, m)
            moved = np.maximum(moved, birth)
            per_hh = np.repeat(jan1 - rng.integers(1, 365 * 20, n), size)
            moved = np.maximum(per_hh, birth)
        else:
            per_hh = np.repeat(jan1 - rng.integers(1, 366, n), size)
            moved = np.maximum(per_hh, birth)
        new = {
            "birth": birth, "sex": sex, "origin": origin, "country": country, "u": u, "v": v, "w": w,
            "edu": edu, "src": src, "hh": hh_of, "child": is_child, "present": np.ones(m, bool),
            "moved_in": moved, "arrival": arrival, "entry_area": area, "death": np.zeros(m, np.int64),
        }
        self._append_persons(new)

    # --- one year of events ----------------------------------------------------------------------
    def advance(self, year: int) -> None:
        """Events during ``year - 1``; afterwards the population is as on 1 January ``year``."""
        rng = self.rng
        prev = year - 1
        start, end = _days(prev), _days(year)
        pres = self.p["present"]
        age = self.ages(prev)

        # deaths
        q = np.exp(-10.2 + 0.094 * age)
        dies = pres & (rng.random(self.n_persons) < np.minimum(q, 0.5))
        pres &= ~dies
        # the date of death (the death register, doedsfald): spread over the year by the person's index,
        # without a draw from the generator (the population itself is exactly as without the register)
        idx = np.flatnonzero(dies)
        self.p["death"][idx] = start + (idx * 2654435761) % (end - start)
        # grown-up children leave home (and the municipality)
        leaves = pres & self.p["child"] & (age >= 18) & (rng.random(self.n_persons) < 0.22)
        pres &= ~leaves

        # births: households with a woman 20-44 who is an adult member
        hh = self.p["hh"]
        mothers = pres & ~self.p["child"] & (self.p["sex"] == 2) & (age >= 20) & (age <= 44)
        mhh, first = np.unique(hh[mothers], return_index=True)
        mother_idx = np.flatnonzero(mothers)[first]
        fert = np.where(self.hh_nw[mhh] == 1, 0.10, 0.07)
        born = rng.random(len(mhh)) < fert
        bm = mother_idx[born]
        nb = len(bm)
        if nb:
            bdate = start + rng.integers(0, end - start, nb)
            mhh_b = hh[bm]
            nwb = self.hh_nw[mhh_b]
            area_b = self.dw.area[self.hh_dw[mhh_b]]
            v = rng.random(nb)
            u = np.clip(0.55 * (1 - v) + 0.45 * rng.random(nb), 0, 1)
            w = np.clip(0.5 * u + 0.5 * rng.random(nb), 0, 1)
            by = np.array([P.param(P.AREA_ORDER[a], "basic_young", year) for a in area_b])
            edu = np.where(v < by, 10, _pick(rng, YOUNG_HIGHER, nb))
            new = {
                "birth": bdate, "sex": np.where(rng.random(nb) < 0.51, 1, 2), "origin": np.where(nwb > 0, 3, 1),
                "country": self.p["country"][bm], "u": u, "v": v, "w": w, "edu": edu,
                "src": np.zeros(nb), "hh": mhh_b, "child": np.ones(nb, bool), "present": np.ones(nb, bool),
                "moved_in": bdate, "arrival": np.zeros(nb), "entry_area": area_b, "death": np.zeros(nb),
            }
            self._append_persons(new)
            pres = self.p["present"]
            hh = self.p["hh"]

        # households with no adult left move out (children of deceased parents move away too)
        adults_left = np.zeros(len(self.hh_dw), np.int64)
        np.add.at(adults_left, hh[pres & ~self.p["child"]], 1)
        members = np.zeros(len(self.hh_dw), np.int64)
        np.add.at(members, hh[pres], 1)
        occ = self.occupant
        occupied = np.flatnonzero(occ >= 0)
        occ_hh = occ[occupied]
        emptied = (adults_left[occ_hh] == 0)
        # moves out
        turnover = np.array([P.param(a, "turnover", year) for a in P.AREA_ORDER])[self.dw.area[occupied]]
        moving = (~emptied) & (rng.random(len(occupied)) < turnover)
        vacated = occupied[emptied | moving]
        gone_hh = occ_hh[emptied]
        movers_hh = occ_hh[moving]
        self.occupant[vacated] = -1
        # persons of emptied households leave
        pres &= ~np.isin(hh, gone_hh)

        # internal moves: 35 % of moving households take a vacant dwelling in the rest of the municipality
        rest_code = P.AREA_ORDER.index("rest")
        internal = rng.random(len(movers_hh)) < 0.35
        rest_vac = vacated[self.dw.area[vacated] == rest_code]
        rest_vac = rest_vac[rng.permutation(len(rest_vac))]
        internal_hh = movers_hh[internal]
        k = min(len(internal_hh), len(rest_vac))
        internal_hh, targets = internal_hh[:k], rest_vac[:k]
        leaving_hh = np.setdiff1d(movers_hh, internal_hh)
        pres &= ~np.isin(hh, leaving_hh)
        self.occupant[targets] = internal_hh
        self.hh_dw[internal_hh] = targets
        moved_mask = np.isin(hh, internal_hh) & pres
        self.p["moved_in"][moved_mask] = np.maximum(
            start + rng.integers(0, end - start, int(moved_mask.sum())), self.p["birth"][moved_mask])
        self.p["present"] = pres
        # the remaining vacant dwellings are taken by households moving in from outside, drawn so
        # that each area returns to its profile (size, under-18, 65+ and non-Western shares)
        free = np.flatnonzero(self.occupant < 0)
        self.new_households(free, year, initial=False, override=self._feedback(free, year))

    def _feedback(self, free: np.ndarray, year: int) -> dict[int, dict]:
        pres = np.flatnonzero(self.p["present"])
        area_p = self.dw.area[self.hh_dw[self.p["hh"][pres]]]
        age = self.ages(year)[pres]
        nwp = (self.p["origin"][pres] > 1) & np.isin(self.p["country"][pres], list(NONWESTERN_COUNTRIES))
        n_units = np.bincount(self.dw.area, minlength=len(P.AREA_ORDER))
        n_free = np.bincount(self.dw.area[free], minlength=len(P.AREA_ORDER))
        cur = np.bincount(area_p, minlength=len(P.AREA_ORDER))
        kids = np.bincount(area_p, weights=age < 18, minlength=len(P.AREA_ORDER))
        old = np.bincount(area_p, weights=age >= 65, minlength=len(P.AREA_ORDER))
        nw = np.bincount(area_p, weights=nwp, minlength=len(P.AREA_ORDER))
        out = {}
        for a, name in enumerate(P.AREA_ORDER):
            if n_free[a] == 0:
                continue
            target = P.param(name, "hh_size", year) * n_units[a]
            need = max(target - cur[a], n_free[a] * 1.0)
            h = float(np.clip(need / n_free[a], 1.0, 3.8))
            new_persons = h * n_free[a]
            tot = cur[a] + new_persons

            def share(key, have, lo, hi, tot=tot, new_persons=new_persons, name=name):
                want = P.param(name, key, year) * tot - have
                return float(np.clip(want / new_persons, lo, hi))

            out[a] = {
                "hh_size": h,
                "u18": share("u18", kids[a], 0.0, 0.6),
                "o65": share("o65", old[a], 0.0, 0.6),
                "nonwestern": share("nonwestern", nw[a], 0.0, 0.95),
            }
        return out

    def snapshot(self, year: int) -> None:
        """Record the residents on 1 January ``year`` (compact columns, :data:`SNAPSHOT_DTYPES`)."""
        pres = np.flatnonzero(self.p["present"])
        hh = self.p["hh"][pres]
        dwi = self.hh_dw[hh]
        snap = {
            "pid": pres, "hh": hh, "dwelling": dwi, "area": self.dw.area[dwi],
            "moved_in": self.p["moved_in"][pres], "age": self.ages(year)[pres],
        }
        self.snapshots.append({k: _narrow(v, SNAPSHOT_DTYPES[k], k) for k, v in snap.items()})


#: Person-year columns as stored (19 bytes per person-year); :class:`PersonYears` widens them on access.
SNAPSHOT_DTYPES = {"pid": np.int32, "hh": np.int32, "dwelling": np.int32, "area": np.int8,
                   "moved_in": np.int32, "age": np.int16}
#: The dtypes the person-year columns had as a polars frame (the register code computes with these).
WIDE_DTYPES = {"pid": np.int64, "year": np.int32, "hh": np.int64, "dwelling": np.int64, "area": np.int64,
               "moved_in": np.int64, "age": np.int32}


def _narrow(a: np.ndarray, dtype, name: str) -> np.ndarray:
    """``a`` as ``dtype``; ValueError when a value does not fit (never a silent wrap-around)."""
    info = np.iinfo(dtype)
    if len(a) and (a.min() < info.min or a.max() > info.max):
        raise ValueError(f"synthetic population: column {name} ranges {a.min()}..{a.max()}, beyond {np.dtype(dtype)}")
    return a.astype(dtype)


class PersonYears:
    """The residents on 1 January of every year, in (year, pid) order: one row per person-year.

    Stored compactly (int32 person index, household, dwelling and moving-in day; int8 area; int16 age:
    19 bytes per person-year; the year is implicit in the row ranges of :attr:`bounds`). ``py[col]``
    returns a column widened to the dtype the register code computes with (:data:`WIDE_DTYPES`), as a
    new array; ``py.frame()`` gives the polars frame (columns pid, year, hh, dwelling, area, moved_in,
    age) for tests and small extracts.
    """

    def __init__(self, snapshots: list[dict[str, np.ndarray]], years: range):
        self.years = years
        sizes = [len(s["pid"]) for s in snapshots]
        self.bounds = {y: (int(a), int(b)) for y, a, b in zip(years, np.cumsum([0] + sizes[:-1]), np.cumsum(sizes),
                                                                strict=True)}
        self.height = int(sum(sizes))
        self.cols: dict[str, np.ndarray] = {}
        for k in SNAPSHOT_DTYPES:  # column by column, freeing the yearly parts as they are joined
            self.cols[k] = np.concatenate([s.pop(k) for s in snapshots]) if snapshots else np.zeros(0, SNAPSHOT_DTYPES[k])
        self.year16 = np.repeat(np.array(list(years), np.int16), sizes)

    def __getitem__(self, col: str) -> np.ndarray:
        if col == "year":
            return self.year16.astype(WIDE_DTYPES["year"])
        return self.cols[col].astype(WIDE_DTYPES[col])

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in self.cols.values()) + self.year16.nbytes

    def frame(self) -> pl.DataFrame:
        return pl.DataFrame({c: self[c] for c in WIDE_DTYPES})


def simulate(addresses: pl.DataFrame, seed: int, scale: float = 1.0,
             years: tuple[int, int] = (config.FIRST_DATA_YEAR, config.LAST_DATA_YEAR)):
    """Run the population model. Returns (population, person-years, persons).

    ``person-years`` is a :class:`PersonYears` (``.frame()``: columns pid, year, hh, dwelling, area,
    moved_in, age, in (year, pid) order); ``persons`` is the population's per-person column dict
    (``population.p`` without ``present``; index = pid): birth and death (days since 1970), sex, origin,
    country, latent traits u, v, w, final education and its source, first household, child, moving-in
    day, arrival year, entry area. Memory: about 85 bytes per person plus 19 bytes per person-year.
    """
    rng = np.random.Generator(np.random.PCG64(seed))
    dw = build_dwellings(addresses, scale)
    pop = Population(rng, dw)
    y0, y1 = years
    pop.new_households(np.arange(len(dw.address)), y0, initial=True)
    pop.snapshot(y0)
    for y in range(y0 + 1, y1 + 1):
        pop.advance(y)
        pop.snapshot(y)
    py = PersonYears(pop.snapshots, range(y0, y1 + 1))
    pop.snapshots = []
    persons = {k: v for k, v in pop.p.items() if k != "present"}
    return pop, py, persons
