"""Reference tables shipped with the synthetic default (national and regional comparison values).

National share of residents 18+ convicted under straffeloven, våbenloven or lov om euforiserende
stoffer: the per-year values are not published in a form we could verify offline. What is known
are list thresholds (3 x or 2 x the two-year national average): the 2019 list's 3 x threshold was
1.98 %, the 2022 list's 2 x threshold 1.45 %, the 2023 list's 3 x threshold 2.35 % (press and
agency statements collected in the project's notes on the criteria). The yearly values below
are chosen so that their two-year averages reproduce those thresholds; every value is marked
illustrative.

Region Midtjylland's mean gross income of taxable 15-64-year-olds excluding students: the true
values are not available offline; the values are illustrative (a plausible level and growth).
"""

from __future__ import annotations

import polars as pl

NATIONAL_CRIME_PCT = {
    2014: 0.72, 2015: 0.70, 2016: 0.68, 2017: 0.66, 2018: 0.66, 2019: 0.70, 2020: 0.72,
    2021: 0.73, 2022: 0.836, 2023: 0.80, 2024: 0.80, 2025: 0.80,
}
_CRIME_NOTE = {
    2017: "Illustrativ; snit 2017-18 = 0,66 % svarer til 2019-listens grænse 1,98 % (3 x)",
    2018: "Illustrativ; snit 2017-18 = 0,66 % svarer til 2019-listens grænse 1,98 % (3 x)",
    2020: "Illustrativ; snit 2020-21 = 0,725 % svarer til 2022-listens grænse 1,45 % (2 x)",
    2021: "Illustrativ; snit 2020-21 = 0,725 % svarer til 2022-listens grænse 1,45 % (2 x)",
    2022: "Illustrativ; snit 2021-22 = 0,783 % svarer til 2023-listens grænse 2,35 % (3 x)",
}
REGION_INCOME = {y: round(338_000 * 1.022 ** (y - 2014), -2) for y in range(2014, 2026)}


def _fmt(x: float, decimals: int) -> str:
    return f"{x:.{decimals}f}".replace(".", ",")


def reference_tables() -> dict[str, pl.DataFrame]:
    crime = pl.DataFrame(
        {
            "AAR": [str(y) for y in NATIONAL_CRIME_PCT],
            "ANDEL_DOEMTE_PCT": [_fmt(v, 3) for v in NATIONAL_CRIME_PCT.values()],
            "ILLUSTRATIV": ["J"] * len(NATIONAL_CRIME_PCT),
            "KILDE": [_CRIME_NOTE.get(y, "Illustrativ værdi (ikke offentliggjort i verificerbar form)")
                      for y in NATIONAL_CRIME_PCT],
        }
    )
    income = pl.DataFrame(
        {
            "AAR": [str(y) for y in REGION_INCOME],
            "GNS_BRUTTOINDK": [_fmt(v, 0) for v in REGION_INCOME.values()],
            "ILLUSTRATIV": ["J"] * len(REGION_INCOME),
            "KILDE": ["Illustrativ værdi for Region Midtjylland (den officielle værdi er ikke tilgængelig offline)"]
            * len(REGION_INCOME),
        }
    )
    return {"landstal_kriminalitet": crime, "regionsindkomst": income}
