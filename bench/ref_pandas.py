"""Reference program "pandas": the criteria as an analyst would compute them with plain pandas.

``python bench/ref_pandas.py RAW --out values.csv``: ``pd.read_csv`` of the five registers the
criteria need (population, benefits, convictions, education, income; every year folder) and the
region's income, then merges and ``groupby``. Single-threaded (pandas is), no validation, no
pseudonymisation, nothing stored. Definitions: ``bench/refcommon.py``.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from refcommon import (  # noqa: E402
    DECISIONS,
    EDU_SOURCES,
    KOMMUNE,
    LAWS,
    OUTSIDE_BENEFITS,
    PLAN_AREAS,
    PLAN_TOTAL,
    assign_areas,
    data_years,
    list_year_values,
    parse_args,
    write_values,
)

DAY = np.timedelta64(1, "D")


def read(raw, name, cols, years):
    frames = []
    for y in years:
        df = pd.read_csv(raw / str(y) / f"{name}.csv", sep=";", dtype=str, usecols=cols,
                         encoding="utf-8-sig", keep_default_na=False)
        df["year"] = y
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


def date(s):
    return pd.to_datetime(s.replace("", None), format="%d-%m-%Y")


def main() -> None:
    args = parse_args(__doc__)
    raw = args.raw
    years = data_years(raw)
    last_flow_year = years[-1] - 1

    # Residents on 1 January, their age and area; one row per group they count in.
    pop = read(raw, "befolkning", ["PNR", "FOED_DAG", "VEJNAVN", "HUSNR"], years)
    birth = date(pop["FOED_DAG"])
    pop["age"] = pop["year"] - birth.dt.year - ((birth.dt.month > 1) | (birth.dt.day > 1)).astype(int)
    addr = pop[["VEJNAVN", "HUSNR"]].drop_duplicates()
    addr["area"] = assign_areas(addr["VEJNAVN"].tolist(), addr["HUSNR"].tolist())
    pop = pop.merge(addr, on=["VEJNAVN", "HUSNR"], how="left")[["PNR", "year", "age", "area"]]
    grp = pd.concat([
        pop[pop["area"].notna()].rename(columns={"area": "group"}),
        pop[pop["area"].isin(PLAN_AREAS)].drop(columns="area").assign(group=PLAN_TOTAL),
        pop.drop(columns="area").assign(group=KOMMUNE),
    ], ignore_index=True)
    yearly: dict = {}

    def collect(component, df, num, den):
        for (g, y), n, d in zip(df.index, df[num], df[den]):
            yearly[(g, component, int(y))] = (float(n), float(d))

    # Employment: full-time persons outside the labour market per person and calendar year.
    sp = read(raw, "ydelser", ["PNR", "YDELSE", "STARTDATO", "SLUTDATO", "OMFANG_PCT"], years)
    sp = sp.sort_values("year", ascending=False, kind="stable").drop_duplicates(["PNR", "YDELSE", "STARTDATO"])
    sp["start"], sp["end"] = date(sp["STARTDATO"]), date(sp["SLUTDATO"])
    out = sp[sp["YDELSE"].isin(OUTSIDE_BENEFITS)]
    ftes = []
    for y in years:
        jan1, dec31 = np.datetime64(f"{y}-01-01"), np.datetime64(f"{y}-12-31")
        s = out[(out["start"] <= dec31) & (out["end"].isna() | (out["end"] >= jan1))]
        a = np.maximum(s["start"].values.astype("datetime64[D]"), jan1)
        b = np.minimum(s["end"].fillna(pd.Timestamp(dec31)).values.astype("datetime64[D]"), dec31)
        days = np.clip(np.busday_count(a, b + DAY), 0, None)
        fte = days / np.busday_count(jan1, dec31 + DAY) * s["OMFANG_PCT"].astype(float).values / 100.0
        ftes.append(pd.DataFrame({"PNR": s["PNR"].values, "year": y, "fte": fte}))
    fte = pd.concat(ftes).groupby(["PNR", "year"], as_index=False)["fte"].sum()
    fte["fte"] = fte["fte"].clip(upper=1.0)
    emp = grp[grp["age"].between(18, 64)].merge(fte, on=["PNR", "year"], how="left")
    emp = emp.groupby(["group", "year"]).agg(num=("fte", "sum"), den=("PNR", "size"))
    collect("employment", emp, "num", "den")

    # Crime: residents 18+ convicted (decision date) in the calendar year.
    cv = read(raw, "afgoerelser", ["PNR", "AFG_DATO", "LOV", "AFGOERELSE"], years)
    cv = cv[cv["LOV"].isin(LAWS) & cv["AFGOERELSE"].isin(DECISIONS) & (cv["AFG_DATO"] != "")]
    conv = pd.DataFrame({"PNR": cv["PNR"], "year": date(cv["AFG_DATO"]).dt.year}).drop_duplicates()
    conv["convicted"] = 1
    cr = grp[grp["age"] >= 18].merge(conv, on=["PNR", "year"], how="left")
    cr = cr.groupby(["group", "year"]).agg(num=("convicted", "sum"), den=("PNR", "size"))
    collect("crime", cr, "num", "den")

    # Education: residents 30-59, highest education basic school or unknown (status 1 January).
    ed = read(raw, "uddannelse", ["PNR", "HFAUDD", "HF_KILDE", "IGANGV_UDD"], years)
    e = grp[grp["age"].between(30, 59)].merge(ed, on=["PNR", "year"], how="left")
    level = e["HFAUDD"].fillna("").str.strip()
    unknown = level.isin(["", "9090"]) | ~e["HF_KILDE"].isin(EDU_SOURCES)
    e["basic"] = (unknown | (level.str[:2] == "10")).astype(int)
    e = e.groupby(["group", "year"]).agg(num=("basic", "sum"), den=("PNR", "size"))
    collect("education", e, "num", "den")

    # Income: taxable residents 15-64 on 1 January after the income year, not in education.
    inc = read(raw, "indkomst", ["PNR", "BRUTTOINDK", "SKATTEPLIGTIG"], years)
    inc = inc[inc["SKATTEPLIGTIG"] == "J"]
    inc = pd.DataFrame({"PNR": inc["PNR"], "income_year": inc["year"],
                        "year": np.minimum(inc["year"] + 1, years[-1]), "gross": inc["BRUTTOINDK"].astype(float)})
    ongoing = ed.loc[ed["IGANGV_UDD"].str.strip() != "", ["PNR", "year"]].drop_duplicates()
    su = sp[sp["YDELSE"] == "SU"]
    su_years = pd.concat([
        pd.DataFrame({"PNR": s["PNR"], "income_year": y}) for y in years
        for s in [su[(su["start"] <= pd.Timestamp(f"{y}-12-31"))
                     & (su["end"].isna() | (su["end"] >= pd.Timestamp(f"{y}-01-01")))]]
    ]).drop_duplicates()
    i = inc.merge(grp[grp["age"].between(15, 64)], on=["PNR", "year"])
    i = i.merge(ongoing.assign(ongoing=1), on=["PNR", "year"], how="left")
    i = i.merge(su_years.assign(su=1), on=["PNR", "income_year"], how="left")
    i = i[i["ongoing"].isna() & i["su"].isna()]
    i = i.groupby(["group", "income_year"]).agg(num=("gross", "sum"), den=("PNR", "size"))
    collect("income", i, "num", "den")

    region = pd.read_csv(raw / "reference" / "regionsindkomst.csv", sep=";", dtype=str, encoding="utf-8-sig")
    region_income = {int(y): float(v.replace(".", "").replace(",", "."))
                     for y, v in zip(region["AAR"], region["GNS_BRUTTOINDK"]) if v}
    write_values(args.out, list_year_values(yearly, region_income, last_flow_year))


if __name__ == "__main__":
    main()
