"""The up-to-date check: a build with nothing changed skips the pipeline; any change to the raw
files, the outputs, the settings, the key or the package makes it build again."""

from __future__ import annotations

import os
import shutil

import polars as pl
import pytest

from boligmonitor import uptodate
from boligmonitor.pipeline import build


@pytest.fixture(scope="module")
def raw(tmp_path_factory):
    from boligmonitor.synth import load_addresses, write_extract

    a = load_addresses()
    addresses = pl.concat([a.filter(pl.col("area_id").is_not_null()),
                           a.filter(pl.col("area_id").is_null()).head(200)])
    out = tmp_path_factory.mktemp("uptodate") / "raw"
    write_extract(out, seed=5, scale=0.2, say=lambda m: None, addresses=addresses)
    return out


@pytest.fixture
def built(tmp_path, raw):
    r = tmp_path / "raw"
    shutil.copytree(raw, r)
    summary = build(r, tmp_path / "db.duckdb", tmp_path / "published", say=lambda m: None)
    assert not summary.up_to_date and summary.steps
    return tmp_path


def _again(tmp, lines=None, **kw):
    say = lines.append if lines is not None else (lambda m: None)
    return build(tmp / "raw", tmp / "db.duckdb", tmp / "published", say=say, **kw)


def test_nothing_changed_skips_every_step_and_says_so(built):
    db = built / "db.duckdb"
    before = db.stat().st_mtime_ns
    lines: list[str] = []
    s = _again(built, lines)
    assert s.up_to_date and s.steps == []
    assert any("up to date, nothing to do" in m for m in lines)
    assert "Up to date" in str(s)
    assert db.stat().st_mtime_ns == before  # the database was not rewritten


def test_touched_but_identical_file_is_unchanged(built):
    p = built / "raw" / "2020" / "indkomst.csv"
    st = p.stat()
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    assert _again(built).up_to_date


@pytest.mark.parametrize("change", ["edit", "add", "remove"])
def test_a_changed_raw_file_builds(built, change):
    p = built / "raw" / "2020" / "indkomst.csv"
    if change == "edit":
        data = p.read_bytes()
        p.write_bytes(data.replace(b";J", b";N", 1))
    elif change == "add":
        (built / "raw" / "2020" / "notes.txt").write_text("x")
    else:  # an optional register's file (elections are not every year)
        (built / "raw" / "2019" / "valgdeltagelse.csv").unlink()
    s = _again(built)
    assert not s.up_to_date and s.steps
    assert _again(built).up_to_date  # and the build after that has nothing to do


def test_changed_output_settings_key_or_full_builds(built, monkeypatch):
    (built / "published" / "extra.csv").write_text("a\n")
    assert not _again(built).up_to_date  # an output not as the build left it
    assert _again(built).up_to_date
    assert not _again(built, settings={"criteria": {"average_method": "pooled"}}).up_to_date
    assert not _again(built).up_to_date  # back to the default settings
    assert not _again(built, full=True).up_to_date
    monkeypatch.setenv("BOLIGMONITOR_HMAC_KEY", "another key")
    assert not _again(built).up_to_date
    monkeypatch.setattr(uptodate, "package_fingerprint", lambda: "other code")
    assert not _again(built).up_to_date


def test_no_stamp_for_other_steps_and_a_broken_stamp_means_build(built):
    stamp = uptodate.stamp_path(built / "db.duckdb")
    assert stamp.is_file()
    stamp.write_text("{not json")
    assert not _again(built).up_to_date
    assert _again(built).up_to_date  # the build wrote a good stamp again
    stamp.unlink()
    build(built / "raw", built / "db.duckdb", built / "published", say=lambda m: None,
          steps=["boligmonitor.ingest"])
    assert not stamp.exists()


def test_package_fingerprint_is_stable_and_covers_the_code():
    assert uptodate.package_fingerprint() == uptodate.package_fingerprint()
    assert len(uptodate.package_fingerprint()) == 64


def test_a_file_named_in_the_settings_is_watched(built):
    other = built / "ranges.csv"
    shutil.copy(__import__("boligmonitor").config.geo_dir() / "address_ranges.csv", other)
    settings = {"geo": {"ranges": str(other)}}
    assert not _again(built, settings=settings).up_to_date
    assert _again(built, settings=settings).up_to_date
    st = other.stat()
    other.write_bytes(other.read_bytes() + b"\n")
    os.utime(other, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert not _again(built, settings=settings).up_to_date
