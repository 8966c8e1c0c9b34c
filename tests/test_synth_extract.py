"""The synthetic writer: determinism, declaration conformance, encodings, CPR form, leases, turnover.

Runs on a small address set (the five plan areas and Sjællandsgadekvarteret plus a slice of the
rest of the municipality) so it stays fast; the full default is exercised by the calibration test.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from boligmonitor import areas as A
from boligmonitor import config
from boligmonitor import registers as R
from boligmonitor.synth import CRLF_ENCODINGS, GENERATOR_VERSION, load_addresses, write_extract
from boligmonitor.synth.population import build_dwellings, simulate


@pytest.fixture(scope="module")
def small_addresses() -> pl.DataFrame:
    a = load_addresses()
    rest = a.filter(pl.col("area_id").is_null()).head(400)
    return pl.concat([a.filter(pl.col("area_id").is_not_null()), rest])


@pytest.fixture(scope="module")
def extract(tmp_path_factory, small_addresses):
    out = tmp_path_factory.mktemp("synth") / "raw"
    info = write_extract(out, seed=7, scale=0.5, say=lambda m: None, addresses=small_addresses)
    return out, info


def _digest(folder) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_seed_gives_byte_identical_files(tmp_path, extract, small_addresses):
    out, _ = extract
    again = tmp_path / "raw"
    write_extract(again, seed=7, scale=0.5, say=lambda m: None, addresses=small_addresses)
    assert _digest(out) == _digest(again)
    other = tmp_path / "other"
    write_extract(other, seed=8, scale=0.5, say=lambda m: None, addresses=small_addresses)
    assert _digest(out)["2020/befolkning.csv"] != _digest(other)["2020/befolkning.csv"]


def test_files_follow_the_declaration(extract):
    out, info = extract
    years = range(config.FIRST_DATA_YEAR, config.LAST_DATA_YEAR + 1)
    for reg in R.YEARLY_REGISTERS:
        for y in years:
            p = out / str(y) / reg.filename
            if reg.optional and not p.exists():
                continue
            assert p.exists(), p
            raw = p.read_bytes()
            assert raw.startswith(b"\xef\xbb\xbf") == (reg.encoding == "utf-8-sig"), p
            text = raw.decode(reg.encoding)
            if reg.encoding in CRLF_ENCODINGS:
                assert "\r\n" in text and text.count("\n") == text.count("\r\n"), p
            else:
                assert "\r" not in text, p
            header = text.lstrip("\ufeff").splitlines()[0].split(";")
            assert header == reg.raw_headers, (p, header)
    for reg in R.REFERENCE_REGISTERS:
        if reg.optional:  # not written by the synthetic writer (filled in by the unit)
            assert not (out / R.REFERENCE_DIR / reg.filename).exists()
            continue
        text = (out / R.REFERENCE_DIR / reg.filename).read_bytes().decode(reg.encoding)
        assert text.splitlines()[0].split(";") == reg.raw_headers
    meta = json.loads((out / "SYNTHETIC.json").read_text())
    assert meta["seed"] == 7 and meta["scale"] == 0.5 and "time" not in json.dumps(meta).lower()
    assert info["rows"]["befolkning"] > 0


def test_values_are_valid_codes_dates_and_numbers(extract):
    out, _ = extract
    for reg in R.YEARLY_REGISTERS:
        p = out / "2020" / reg.filename
        if not p.exists():
            continue
        df = pl.read_csv(p, separator=";", infer_schema_length=0, encoding="utf8-lossy"
                         if reg.encoding != "utf-8" else "utf8")
        df = df.rename({c: c.lstrip("\ufeff") for c in df.columns})
        for col in reg.columns:
            s = df[col.raw]
            s = s.set(s == "", None) if s.dtype == pl.Utf8 else s
            if col.required:
                assert s.null_count() == 0, (reg.name, col.raw)
            vals = s.drop_nulls()
            if col.codes:
                assert set(vals.unique()) <= set(col.codes), (reg.name, col.raw, set(vals.unique()) - set(col.codes))
            if col.dtype == "date":
                parsed = vals.str.strptime(pl.Date, "%d-%m-%Y", strict=False)
                assert parsed.null_count() == 0, (reg.name, col.raw)
            if col.dtype in ("int", "float"):
                num = vals.str.replace(",", ".").cast(pl.Float64, strict=False)
                assert num.null_count() == 0, (reg.name, col.raw)
                if col.min is not None:
                    assert num.min() >= col.min and num.max() <= col.max, (reg.name, col.raw)


def test_person_numbers_are_replacement_numbers(extract):
    out, _ = extract
    df = pl.read_csv(out / "2020" / "befolkning.csv", separator=";", infer_schema_length=0)
    df = df.rename({c: c.lstrip("\ufeff") for c in df.columns})
    pnr = df["PNR"]
    assert pnr.str.len_chars().eq(10).all() and pnr.is_unique().all()
    for p, born, sex in df.select("PNR", "FOED_DAG", "KOEN").iter_rows():
        d, m, yy = int(p[:2]), int(p[2:4]), int(p[4:6])
        assert 61 <= d <= 91, p  # day of birth + 60: no real person has it
        bd, bm, by = (int(x) for x in born.split("-"))
        assert (d - 60, m, yy) == (bd, bm, by % 100)
        date(by, bm, bd)
        assert (int(p[-1]) % 2 == 1) == (sex == "1")


def test_dwellings_per_area_are_the_plan_leases():
    dw = build_dwellings(load_addresses(), scale=1.0)
    from boligmonitor.synth.profiles import AREA_ORDER

    counts = np.bincount(dw.area, minlength=len(AREA_ORDER))
    for a in A.AREAS:
        if a.leases is not None:
            assert counts[AREA_ORDER.index(a.id)] == a.leases, a.id


def test_turnover_in_plan_areas_is_12_to_16_percent(small_addresses):
    pop, py, _ = simulate(small_addresses, seed=3, scale=1.0)
    hh = py.frame().group_by("year", "hh").agg(pl.col("dwelling").first(), pl.col("area").first())
    nxt = hh.select(pl.col("year") - 1, "hh", pl.col("dwelling").alias("dw_next"))
    j = hh.join(nxt, on=["year", "hh"], how="left").filter(pl.col("year") < config.LAST_DATA_YEAR)
    from boligmonitor.synth.profiles import AREA_ORDER

    plan = [AREA_ORDER.index(a) for a in A.PLAN_AREA_IDS]
    j = j.filter(pl.col("area").is_in(plan))
    moved = j.select((pl.col("dw_next").is_null() | (pl.col("dw_next") != pl.col("dwelling"))).mean()).item()
    assert 0.12 <= moved <= 0.17, moved


def test_scale_multiplies_the_population(small_addresses):
    py1 = simulate(small_addresses, seed=1, scale=1.0)[1].frame()
    py2 = simulate(small_addresses, seed=1, scale=2.0)[1].frame()
    ratio = py2.filter(pl.col("year") == 2016).height / py1.filter(pl.col("year") == 2016).height
    assert 1.8 < ratio < 2.2


# --- the streamed writer gives the same bytes as the in-memory writer it replaced ------------------------

GOLDEN = Path(__file__).parent / "fixtures" / "synth" / "golden-digests.json"


def _blake(path) -> str:
    return hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()


def test_streamed_writer_matches_the_recorded_digests(extract):
    """Every file of the small extract (seed 7, scale 0.5) has the digest recorded from the in-memory writer
    (tests/fixtures/synth/golden-digests.json), both as written on disk and as listed in SYNTHETIC.json."""
    out, _ = extract
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert golden["generator_version"] == GENERATOR_VERSION, (
        "GENERATOR_VERSION changed: regenerate the golden digests (python tests/test_synth_extract.py --write-golden)")
    assert (golden["seed"], golden["scale"]) == (7, 0.5)
    meta = json.loads((out / "SYNTHETIC.json").read_text(encoding="utf-8"))
    on_disk = {p.relative_to(out).as_posix(): _blake(p) for p in sorted(out.rglob("*.csv"))}
    assert on_disk == meta["files"]
    changed = sorted(k for k in golden["files"].keys() | on_disk.keys() if golden["files"].get(k) != on_disk.get(k))
    assert not changed, f"{len(changed)} file(s) differ from the recorded extract, e.g. {changed[:5]}"


def test_spell_runs_match_a_plain_loop():
    """_runs (benefit spells: runs of the same code in consecutive years) against a per-person loop."""
    from boligmonitor.synth.registers_gen import _runs

    rng = np.random.default_rng(5)
    rows_y, rows_p = np.meshgrid(np.arange(2016, 2026), np.arange(300), indexing="ij")
    year, pid = rows_y.ravel().astype(np.int16), rows_p.ravel().astype(np.int32)  # (year, pid) order
    code = rng.integers(0, 3, len(year)).astype(np.int8)
    has = np.flatnonzero(rng.random(len(year)) < 0.8)
    order, start, end, first = _runs(has, pid, year, code)
    expect = []
    for p in range(300):
        mine = [i for i in has if pid[i] == p]
        runs: list[list[int]] = []
        for i in mine:
            if runs and code[runs[-1][-1]] == code[i] and year[runs[-1][-1]] + 1 == year[i]:
                runs[-1].append(i)
            else:
                runs.append([i])
        for k, run in enumerate(runs):
            expect += [(i, int(year[run[0]]), int(year[run[-1]]), k == 0) for i in run]
    got = list(zip(order.tolist(), start.tolist(), end.tolist(), first.tolist(), strict=True))
    assert got == expect


def test_person_numbers_refuse_more_births_on_one_day_than_the_serial_holds():
    from boligmonitor.synth.registers_gen import pnr_numbers

    birth = np.full(3001, 11_000)  # 2000-02-13, all on one day
    ok = pnr_numbers({"birth": birth[:3000], "sex": np.ones(3000)})
    assert len(set(ok.tolist())) == 3000 and ok.min() >= 10**9 and ok.max() < 10**10
    with pytest.raises(ValueError, match="share a day of birth"):
        pnr_numbers({"birth": birth, "sex": np.ones(3001)})


def _write_golden() -> None:
    import tempfile

    a = load_addresses()
    small = pl.concat([a.filter(pl.col("area_id").is_not_null()), a.filter(pl.col("area_id").is_null()).head(400)])
    out = Path(tempfile.mkdtemp()) / "raw"
    write_extract(out, seed=7, scale=0.5, say=lambda m: None, addresses=small)
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    meta = json.loads((out / "SYNTHETIC.json").read_text(encoding="utf-8"))
    golden.update(generator_version=GENERATOR_VERSION, files=meta["files"])
    GOLDEN.write_text(json.dumps(golden, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["--write-golden"]:
        _write_golden()
