"""The command line as a user starts it: help for every subcommand, clear errors, no tracebacks."""

import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures" / "criteria"


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "boligmonitor.cli", *args], capture_output=True, text=True,
                          cwd=cwd)


@pytest.mark.parametrize("sub", ["synth", "build", "classify", "check"])
def test_every_subcommand_has_help(sub):
    r = run(sub, "--help")
    assert r.returncode == 0
    assert "usage: boligmonitor " + sub in r.stdout


def test_top_level_help_lists_the_subcommands():
    r = run("--help")
    assert r.returncode == 0
    for sub in ("synth", "build", "classify", "check"):
        assert sub in r.stdout


def test_check_without_a_database_is_a_blocking_problem(tmp_path):
    r = run("check", "--db", str(tmp_path / "missing.duckdb"))
    assert r.returncode == 1
    assert "no database" in r.stdout


def test_classify_error_names_the_file_and_shows_no_traceback(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("area,year,residents\nx,notayear,1200\n", encoding="utf-8")
    r = run("classify", str(bad), "-o", str(tmp_path / "out.csv"))
    assert r.returncode == 2
    assert "bad.csv" in r.stderr
    assert "Traceback" not in r.stderr


def test_build_with_an_empty_raw_folder_fails_cleanly(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    db = tmp_path / "out" / "bm.duckdb"
    r = run("-q", "build", "--raw", str(raw), "--db", str(db), "--published", str(tmp_path / "out" / "pub"))
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert not db.exists()


def test_synth_if_needed_never_touches_a_real_extract(tmp_path):
    raw = tmp_path / "raw"
    (raw / "2020").mkdir(parents=True)
    (raw / "2020" / "befolkning.csv").write_text("PNR;FOED_DAG\n", encoding="utf-8")
    r = run("synth", "--out", str(raw), "--if-needed")
    assert r.returncode == 0
    assert "left untouched" in r.stderr
    assert (raw / "2020" / "befolkning.csv").read_text(encoding="utf-8") == "PNR;FOED_DAG\n"
    assert not (raw / "SYNTHETIC.json").exists()


def test_a_synthetic_extract_from_another_generator_is_stale(tmp_path):
    import json

    from boligmonitor.synth import extract_state

    raw = tmp_path / "raw"
    (raw / "2020").mkdir(parents=True)
    (raw / "SYNTHETIC.json").write_text(json.dumps({"fingerprint": "older"}), encoding="utf-8")
    assert extract_state(raw) == "synthetic-stale"
    assert extract_state(tmp_path / "nothing") == "empty"
