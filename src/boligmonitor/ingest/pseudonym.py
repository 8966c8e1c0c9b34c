"""Pseudonymisation of person numbers (PNR / CPR) at ingest.

A valid PNR is ten digits, optionally written ``DDMMYY-SSSS``, whose date part is a real calendar
date either as written or with 60 subtracted from the day (replacement numbers, erstatningspersonnumre,
which the synthetic default uses). It is replaced by the first :data:`ID_BYTES` bytes of
``HMAC-SHA256(key, ten digits)`` read as an unsigned 64-bit integer (``person_id UBIGINT``: joins on
an integer are much cheaper than on a text; with 64 bits two of a million persons share an id with
probability about 3e-8). In text (quarantine values) an id is written as 16 hex digits
(:func:`id_text`). The key comes from ``BOLIGMONITOR_HMAC_KEY`` (see
``boligmonitor.pipeline.resolve_hmac_key``); without the key the pseudonyms cannot be linked back.
A value that is not a valid PNR is never stored: quarantine shows :data:`INVALID_PNR` instead.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import threading

import polars as pl

#: Bytes kept of the HMAC: a 64-bit id (no collisions at municipal scale).
ID_BYTES = 8
#: What quarantine shows instead of a value that is not a valid person number.
INVALID_PNR = "<ugyldigt personnummer>"
#: What quarantine shows instead of a PNR-looking string found in a non-PNR column.
HIDDEN_PNR = "<personnummer skjult>"
PNR_PATTERN = r"^\d{6}-?\d{4}$"
#: Anything that looks like a PNR inside a longer text.
PNR_SEARCH = r"\d{6}-?\d{4}"
_PNR_RE = re.compile(PNR_PATTERN)


def hmac_id(key: bytes, digits: str) -> int:
    return int.from_bytes(hmac.digest(key, digits.encode("ascii"), "sha256")[:ID_BYTES], "big")


def id_text(ids: pl.Series) -> pl.Series:
    """person_ids as text (16 hex digits; null stays null), for quarantine values and text columns.
    SQL: ``lower(lpad(hex(person_id), 16, '0'))``."""
    return pl.Series(ids.name, [None if v is None else f"{v:016x}" for v in ids.to_list()], dtype=pl.String)


def key_fingerprint(key: bytes) -> str:
    """Identifies the key (to notice a key change) without revealing it."""
    return hmac.new(key, b"boligmonitor key fingerprint", hashlib.sha256).hexdigest()[:16]


_DAYS_IN_MONTH = {1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}


def pnr_digits(values: pl.Series) -> pl.Series:
    """Normalised ten digits of each valid PNR, else null (vectorised).

    The usual value, exactly ten digits, is checked with integer arithmetic on the number (fast);
    anything else (``DDMMYY-SSSS``, spaces, invalid values) goes through :func:`_pnr_digits_text`."""
    s = values.cast(pl.String)
    num = s.cast(pl.Int64, strict=False)
    usual = (s.str.len_bytes() == 10) & num.is_not_null() & (num >= 0) & ~s.str.starts_with("+")
    f = pl.DataFrame({"s": s, "num": num, "usual": usual.fill_null(False)})
    dd = pl.col("num") // 100_000_000
    mm = (pl.col("num") // 1_000_000) % 100
    yy = (pl.col("num") // 10_000) % 100
    f = f.with_columns(pl.when(dd > 60).then(dd - 60).otherwise(dd).alias("dd"), mm.alias("mm"), yy.alias("yy"))
    f = f.with_columns(pl.col("mm").replace_strict(_DAYS_IN_MONTH, default=0, return_dtype=pl.Int64).alias("dim"))
    ok = ((pl.col("dd") >= 1) & (pl.col("dd") <= pl.col("dim"))
          & ((pl.col("mm") != 2) | (pl.col("dd") <= 28) | (pl.col("yy") % 4 == 0)))
    out = f.select(pl.when(pl.col("usual") & ok).then(pl.col("s")).alias(values.name)).to_series()
    other = ~f["usual"] & s.is_not_null()
    if other.any():
        idx = other.arg_true()
        out = out.scatter(idx, _pnr_digits_text(s.gather(idx)))
    return out


def _pnr_digits_text(values: pl.Series) -> pl.Series:
    """:func:`pnr_digits` for any text (the general rule, in string operations)."""
    f = pl.DataFrame({"s": values.cast(pl.String)}).with_columns(
        pl.col("s").str.strip_chars()).with_columns(
        pl.col("s").str.replace("-", "", literal=True).alias("d"),
        pl.col("s").str.len_chars().alias("n"))
    f = f.with_columns(
        pl.col("d").str.slice(0, 2).cast(pl.Int32, strict=False).alias("dd"),
        pl.col("d").str.slice(2, 2).cast(pl.Int32, strict=False).alias("mm"),
        pl.col("d").str.slice(4, 2).cast(pl.Int32, strict=False).alias("yy"),
        (((pl.col("n") == 10) & (pl.col("s") == pl.col("d")))
         | ((pl.col("n") == 11) & (pl.col("s").str.slice(6, 1) == "-"))).alias("shape"),
        (pl.col("d").str.len_chars() == 10).alias("ten"),
        pl.col("d").cast(pl.Int64, strict=False).is_not_null().alias("num"),
        pl.col("d").str.starts_with("+").alias("plus"),
    ).with_columns(
        pl.when(pl.col("dd") > 60).then(pl.col("dd") - 60).otherwise(pl.col("dd")).alias("dd"),
        pl.col("mm").replace_strict(_DAYS_IN_MONTH, default=0, return_dtype=pl.Int32).alias("dim"),
    )
    # 29 February only in years divisible by 4 (2000 was a leap year, so any century works).
    ok = (pl.col("shape") & pl.col("ten") & pl.col("num") & ~pl.col("plus") & (pl.col("dd") >= 1)
          & (pl.col("dd") <= pl.col("dim")) & ((pl.col("mm") != 2) | (pl.col("dd") <= 28) | (pl.col("yy") % 4 == 0)))
    return f.select(pl.when(ok).then(pl.col("d")).alias(values.name)).to_series()


def pnr_digits_expr(col: pl.Expr) -> pl.Expr:
    """Expression form of :func:`pnr_digits` (applied batch-wise)."""
    return col.map_batches(pnr_digits, return_dtype=pl.String)


def is_valid_pnr(value: str) -> bool:
    """Scalar version of the rule (for tests and messages)."""
    return pnr_digits(pl.Series([value], dtype=pl.String)).item() is not None


class Pseudonymiser:
    """Maps PNR digits to pseudonyms; computes each HMAC once per build.

    The digits are handled as integers (ten digits fit in 64 bits; the HMAC input is the number
    written with ten digits again), so looking up millions of rows is an integer join."""

    def __init__(self, key: bytes):
        if not key:
            raise ValueError("empty HMAC key")
        self.key = key
        self._lock = threading.Lock()
        self._map = pl.DataFrame(schema={"_digits": pl.Int64, "person_id": pl.UInt64})
        self._con = None  # in-memory DuckDB for hashing many numbers at once (see _hmac_frame)

    def _hmac_ids(self, values: list[int]) -> list[int]:
        """:func:`hmac_id` of each value (ten digits), twice as fast for many values: HMAC (RFC 2104)
        is ``H((K ^ opad) || H((K ^ ipad) || m))``, so the hash states after the two padded keys are
        computed once and copied per value (``hmac.digest`` starts from the key every time)."""
        key = self.key if len(self.key) <= 64 else hashlib.sha256(self.key).digest()  # 64: SHA-256 block
        key = key.ljust(64, b"\0")
        inner0 = hashlib.sha256(bytes(b ^ 0x36 for b in key))
        outer0 = hashlib.sha256(bytes(b ^ 0x5C for b in key))
        out = []
        for v in values:
            inner = inner0.copy()
            inner.update(b"%010d" % v)
            outer = outer0.copy()
            outer.update(inner.digest())
            out.append(int.from_bytes(outer.digest()[:ID_BYTES], "big"))
        if values and out[0] != hmac_id(self.key, f"{values[0]:010d}"):  # cheap guard: same as hmac.digest
            raise AssertionError("pseudonym shortcut disagrees with hmac.digest")
        return out

    def _hmac_frame(self, digits: pl.Series) -> pl.DataFrame:
        """(_digits, person_id) for new numbers. Many at once are hashed by DuckDB's sha256 on an
        in-memory connection of our own (outside the GIL, so the ingest's worker threads keep
        running: in Python the 170,000 persons of the default data held it for 0.5 s); the
        construction is HMAC's (RFC 2104) and the first result is checked against
        :func:`hmac_id`."""
        if digits.len() < 1000:
            vals = digits.to_list()
            return pl.DataFrame({"_digits": vals, "person_id": self._hmac_ids(vals)},
                                schema={"_digits": pl.Int64, "person_id": pl.UInt64})
        import duckdb

        key = self.key if len(self.key) <= 64 else hashlib.sha256(self.key).digest()
        key = key.ljust(64, b"\0")
        ipad, opad = bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)
        if self._con is None:
            self._con = duckdb.connect()
        self._con.register("_new_digits", pl.DataFrame({"_digits": digits}).to_arrow())
        try:
            out = self._con.sql(
                "select _digits, ('0x' || left(sha256($opad::blob || unhex(sha256($ipad::blob || "
                "encode(lpad(_digits::varchar, 10, '0'))))), 16))::ubigint as person_id from _new_digits",
                params={"ipad": ipad, "opad": opad}).pl()
        finally:
            self._con.unregister("_new_digits")
        first = out.row(0)
        if first[1] != hmac_id(self.key, f"{first[0]:010d}"):
            raise AssertionError("pseudonyms from DuckDB disagree with hmac.digest")
        return out.cast({"_digits": pl.Int64, "person_id": pl.UInt64})

    def ids(self, digits: pl.Series) -> pl.Series:
        """person_id for each element of ``digits`` (ten-digit strings from :func:`pnr_digits`, or
        those as integers; null stays null)."""
        if digits.dtype != pl.Int64:
            digits = digits.cast(pl.Int64, strict=True)
        with self._lock:
            return self._ids(digits)

    def _ids(self, digits: pl.Series) -> pl.Series:
        # Join first: after the population files nearly every number is known already, so the
        # numbers still to hash are found among the few rows the join left without an id.
        frame = pl.DataFrame({"_digits": digits})
        out = frame.join(self._map, on="_digits", how="left", maintain_order="left")
        new = out.filter(pl.col("person_id").is_null() & pl.col("_digits").is_not_null())["_digits"].unique()
        if new.len():
            add = self._hmac_frame(new)
            self._map = pl.concat([self._map, add])
            out = frame.join(self._map, on="_digits", how="left", maintain_order="left")
        return out["person_id"]
