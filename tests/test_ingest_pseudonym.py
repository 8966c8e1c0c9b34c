"""Person numbers: validity rule and keyed hashing."""

from __future__ import annotations

import polars as pl
import pytest

from boligmonitor.ingest import Pseudonymiser, hmac_id, is_valid_pnr


@pytest.mark.parametrize("pnr,ok", [
    ("0101801234", True), ("010180-1234", True), ("6101801234", True),  # day + 60: replacement number
    ("2902001234", True), ("8902001234", True),  # 29 February (2000)
    ("3002801234", False), ("3213801234", False), ("0100801234", False), ("123456789", False),
    ("01018012345", False), ("01-01-80-1234", False), ("abcdefghij", False), ("", False),
])
def test_valid_pnr(pnr, ok):
    assert is_valid_pnr(pnr) is ok


def test_pseudonyms_are_keyed_and_stable():
    p = Pseudonymiser(b"key-1")
    ids = p.ids(pl.Series(["0101801234", None, "0101801234", "6202851234"])).to_list()
    assert ids[0] == ids[2] == hmac_id(b"key-1", "0101801234")
    assert ids[1] is None and ids[3] != ids[0]
    assert "0101801234" not in str(ids[0])
    other = Pseudonymiser(b"key-2").ids(pl.Series(["0101801234"])).to_list()[0]
    assert other != ids[0]
    assert 0 <= ids[0] < 2**64 and p.ids(pl.Series(["0101801234"])).dtype == pl.UInt64
    # The documented definition: the first 8 bytes of HMAC-SHA256(key, ten digits), big-endian.
    import hashlib
    import hmac
    assert ids[0] == int.from_bytes(hmac.new(b"key-1", b"0101801234", hashlib.sha256).digest()[:8], "big")


def test_id_text_is_16_hex_digits():
    from boligmonitor.ingest.pseudonym import id_text
    assert id_text(pl.Series([255, None, 2**64 - 1], dtype=pl.UInt64)).to_list() == [
        "00000000000000ff", None, "ffffffffffffffff"]


def test_fast_pnr_rule_agrees_with_the_text_rule():
    """pnr_digits checks ten-digit values as numbers; the general text rule must agree on everything."""
    from boligmonitor.ingest.pseudonym import _pnr_digits_text, pnr_digits
    values = ["0101801234", "010180-1234", "6101801234", "2902001234", "8902001234", "2902011234", "3002801234",
              "3213801234", "0100801234", "123456789", "01018012345", "01-01-80-1234", "abcdefghij", "",
              None, " 0101801234", "0101801234 ", "+101801234", "-101801234", "0000000000", "9999999999",
              "3112991234", "3111991234", "0113801234", "9112991234", "6002801234", "1.01801234", "0x01801234",
              "0101801234\n", "٠١٠١٨٠١٢٣٤"]
    s = pl.Series("v", values * 2, dtype=pl.String)
    assert pnr_digits(s).to_list() == _pnr_digits_text(s).to_list()


def test_bulk_pseudonyms_equal_hmac_digest():
    """Many new numbers at once are hashed in DuckDB; every id must equal the documented HMAC."""
    import hashlib
    import hmac

    import numpy as np
    for key in (b"key-1", b"k" * 100):  # a key longer than the SHA-256 block is hashed first (RFC 2104)
        p = Pseudonymiser(key)
        nums = np.random.default_rng(7).integers(10**8, 10**10 - 1, 5000)
        ids = p.ids(pl.Series(nums, dtype=pl.Int64)).to_list()
        for n, i in list(zip(nums.tolist(), ids))[::97]:
            assert i == int.from_bytes(hmac.new(key, f"{n:010d}".encode(), hashlib.sha256).digest()[:8], "big")
