"""Pseudonymisation of person numbers (PNR / CPR) at ingest.

A valid PNR is ten digits, optionally written ``DDMMYY-SSSS``, whose date part is a real calendar
date either as written or with 60 subtracted from the day (replacement numbers, erstatningspersonnumre,
which the synthetic default uses). It is replaced by ``HMAC-SHA256(key, ten digits)``, hex, first
:data:`ID_LENGTH` characters. The key comes from ``BOLIGMONITOR_HMAC_KEY`` (see
``boligmonitor.pipeline.resolve_hmac_key``); without the key the pseudonyms cannot be linked back.
A value that is not a valid PNR is never stored: quarantine shows :data:`INVALID_PNR` instead.
"""

from __future__ import annotations

import hashlib
import hmac
import re

import polars as pl

#: Hex characters kept of the HMAC (80 bits: no collisions at municipal scale).
ID_LENGTH = 20
#: What quarantine shows instead of a value that is not a valid person number.
INVALID_PNR = "<ugyldigt personnummer>"
#: What quarantine shows instead of a PNR-looking string found in a non-PNR column.
HIDDEN_PNR = "<personnummer skjult>"
PNR_PATTERN = r"^\d{6}-?\d{4}$"
#: Anything that looks like a PNR inside a longer text.
PNR_SEARCH = r"\d{6}-?\d{4}"
_PNR_RE = re.compile(PNR_PATTERN)


def hmac_id(key: bytes, digits: str) -> str:
    return hmac.new(key, digits.encode("ascii"), hashlib.sha256).hexdigest()[:ID_LENGTH]


def key_fingerprint(key: bytes) -> str:
    """Identifies the key (to notice a key change) without revealing it."""
    return hmac.new(key, b"boligmonitor key fingerprint", hashlib.sha256).hexdigest()[:16]


def pnr_digits_expr(col: pl.Expr) -> pl.Expr:
    """Normalised ten digits of a valid PNR, else null (vectorised)."""
    s = col.str.strip_chars()
    digits = pl.when(s.str.contains(PNR_PATTERN)).then(s.str.replace("-", "", literal=True))
    dd = digits.str.slice(0, 2).cast(pl.Int32, strict=False)
    dd = pl.when(dd > 60).then(dd - 60).otherwise(dd)
    mm = digits.str.slice(2, 2).cast(pl.Int32, strict=False)
    yy = digits.str.slice(4, 2).cast(pl.Int32, strict=False)
    # 2000-2099: leap years are exactly yy % 4 == 0, which allows 29 February for any century.
    datestr = pl.format("{}-{}-{}", (2000 + yy).cast(pl.String), mm.cast(pl.String).str.zfill(2),
                        dd.cast(pl.String).str.zfill(2))
    ok = datestr.str.to_date("%Y-%m-%d", strict=False).is_not_null()
    return pl.when(ok).then(digits)


def is_valid_pnr(value: str) -> bool:
    """Scalar version of the rule (for tests and messages)."""
    s = pl.DataFrame({"v": [value]}).select(pnr_digits_expr(pl.col("v")))
    return s.item() is not None


class Pseudonymiser:
    """Maps PNR digits to pseudonyms; computes each HMAC once per build."""

    def __init__(self, key: bytes):
        if not key:
            raise ValueError("empty HMAC key")
        self.key = key
        self._map = pl.DataFrame({"_digits": [], "person_id": []},
                                 schema={"_digits": pl.String, "person_id": pl.String})

    def ids(self, digits: pl.Series) -> pl.Series:
        """person_id for each element of ``digits`` (null stays null)."""
        frame = pl.DataFrame({"_digits": digits}).with_row_index("_i")
        new = (frame.select("_digits").drop_nulls().unique()
               .join(self._map, on="_digits", how="anti"))
        if new.height:
            vals = new["_digits"].to_list()
            add = pl.DataFrame({"_digits": vals, "person_id": [hmac_id(self.key, v) for v in vals]},
                               schema={"_digits": pl.String, "person_id": pl.String})
            self._map = pl.concat([self._map, add])
        out = frame.join(self._map, on="_digits", how="left").sort("_i")
        return out["person_id"]
