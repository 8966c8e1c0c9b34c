"""build, synth and check in any order on any folders: nothing lost, nothing mixed (issue 13, fault 7).

Published files belong to the database they came from (next to ``--db`` by default); the report
pages read the published files of the database they are told to use (``BOLIGMONITOR_DB`` /
``BOLIGMONITOR_PUBLISHED``); ``synth`` never writes into a folder that holds anything but its own
output unless told (``--force``, which moves the files aside); ``check`` after a failed build says
so, when and why, and whether the raw folder changed since the database was built.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from boligmonitor import buildrecord, config


def bm(*args, env=None):
    e = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "boligmonitor.cli", "-q", *args], capture_output=True, text=True,
                          timeout=600, env=e)


def tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with the hash of its bytes."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def manifest(pub: Path) -> dict:
    return json.loads((pub / "manifest.json").read_text(encoding="utf-8"))


def test_build_synth_check_in_any_order_lose_and_mix_nothing(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    # A "real" extract (no SYNTHETIC.json) and an unrelated file the user keeps in b.
    real = tmp_path / "real"
    (real / "2024").mkdir(parents=True)
    (real / "2024" / "befolkning.csv").write_text("PNR;FOED_DAG\n1;2\n", encoding="utf-8")
    real_before = tree(real)

    # 1. synth refuses the real extract, and a folder with anything else in it.
    r = bm("synth", "--out", str(real), "--scale", "0.1")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert f"{real} holds 1 file(s) that this generator did not write (2024/befolkning.csv)" in r.stderr
    assert "--force" in r.stderr and tree(real) == real_before
    b.mkdir()
    (b / "notes.txt").write_text("mine\n", encoding="utf-8")
    assert bm("synth", "--out", str(b), "--scale", "0.1").returncode == 2
    assert (b / "notes.txt").read_text(encoding="utf-8") == "mine\n" and len(tree(b)) == 1

    # 2. two synthetic extracts with different seeds; two databases in one folder.
    assert bm("synth", "--out", str(a), "--scale", "0.1", "--seed", "1").returncode == 0
    assert bm("synth", "--out", str(b), "--scale", "0.1", "--seed", "2", "--force").returncode == 0
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("b.before-synth-")]
    assert len(aside) == 1 and (aside[0] / "notes.txt").read_text(encoding="utf-8") == "mine\n"  # moved, not lost
    a_raw, b_raw = tree(a), tree(b)
    assert a_raw != b_raw and "notes.txt" not in b_raw
    dbs = tmp_path / "dbs"
    assert bm("build", "--raw", str(a), "--db", str(dbs / "a.duckdb")).returncode == 0
    assert bm("build", "--raw", str(b), "--db", str(dbs / "b.duckdb")).returncode == 0
    pa, pb = dbs / "a.published", dbs / "b.published"
    assert manifest(pa)["tables"] and manifest(pb)["tables"]
    assert (pa / "befolkning.csv").read_bytes() != (pb / "befolkning.csv").read_bytes()
    assert not (config.processed_dir() / "a.published").exists()
    pa_files, pb_files = tree(pa), tree(pb)
    pa_copy = tmp_path / "pa_copy"
    shutil.copytree(pa, pa_copy)

    # 3. check each; rebuilding one leaves the other's database and published files as they were.
    for db in ("a", "b"):
        r = bm("check", "--db", str(dbs / f"{db}.duckdb"))
        assert r.returncode == 0, r.stdout
        assert "database built" in r.stdout and f"{tmp_path / db} is unchanged" in r.stdout
    b_db = (dbs / "b.duckdb").read_bytes()
    assert bm("build", "--full", "--raw", str(a), "--db", str(dbs / "a.duckdb")).returncode == 0
    assert tree(pb) == pb_files and (dbs / "b.duckdb").read_bytes() == b_db
    assert tree(pa) == tree(pa_copy)  # same extract, same published bytes (sums are exact: test_determinism.py)

    # 4. synth over its own output (same folder, other seed) rewrites it cleanly; check sees the change.
    assert bm("synth", "--out", str(a), "--scale", "0.1", "--seed", "3").returncode == 0
    assert set(tree(a)) == set(a_raw) and tree(a) != a_raw
    r = bm("check", "--db", str(dbs / "a.duckdb"))
    assert r.returncode == 0 and f"{a} changed since the database was built" in r.stdout
    assert "run `boligmonitor build`" in r.stdout

    # 5. a failed build: previous database and published files kept; check says it failed, when and why.
    (a / "2024" / "befolkning.csv").write_text("foo;bar\n1;2\n", encoding="utf-8")
    a_db, pa_files = (dbs / "a.duckdb").read_bytes(), tree(pa)
    r = bm("build", "--raw", str(a), "--db", str(dbs / "a.duckdb"))
    assert r.returncode == 2 and "2024/befolkning.csv" in r.stderr
    assert (dbs / "a.duckdb").read_bytes() == a_db and tree(pa) == pa_files
    r = bm("check", "--db", str(dbs / "a.duckdb"))
    assert r.returncode == 1
    rec = buildrecord.read(dbs / "a.duckdb")
    line = next(x for x in r.stdout.splitlines() if "the last build failed" in x)
    assert f"started {rec['last_attempt']['started']}" in line and "2024/befolkning.csv" in line
    assert "missing required column" in line and f"the database is still the one built {rec['last_success']['finished']}" in line
    assert f"{a} changed since the database was built" in r.stdout

    # 6. the report pages read the published files of the database they are told to use.
    code = "from boligmonitor import config; from boligmonitor.site import published; print(config.published_dir()); print(published.load('befolkning').height)"
    for env, want in (({"BOLIGMONITOR_DB": str(dbs / "b.duckdb")}, pb),
                      ({"BOLIGMONITOR_PUBLISHED": str(pa)}, pa)):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             env={**os.environ, **env}, check=True).stdout.splitlines()
        assert Path(out[0]) == want
    # Nothing was lost on the way: the real extract is untouched, b's extract is what synth wrote.
    assert tree(real) == real_before and tree(b) == b_raw


def test_published_files_default_next_to_the_database(tmp_path, monkeypatch):
    monkeypatch.delenv("BOLIGMONITOR_DB", raising=False)
    monkeypatch.delenv("BOLIGMONITOR_PUBLISHED", raising=False)
    assert config.published_dir_for(config.default_db_path()) == config.processed_dir() / "published"
    assert config.published_dir() == config.processed_dir() / "published"
    assert config.published_dir_for(tmp_path / "x.duckdb") == tmp_path / "x.published"
    monkeypatch.setenv("BOLIGMONITOR_DB", str(tmp_path / "y.duckdb"))
    assert config.db_path() == tmp_path / "y.duckdb" and config.published_dir() == tmp_path / "y.published"
    monkeypatch.setenv("BOLIGMONITOR_PUBLISHED", str(tmp_path / "pub"))
    assert config.published_dir() == tmp_path / "pub"


def test_build_refuses_to_replace_a_folder_it_did_not_create(tmp_path):
    raw = tmp_path / "raw"
    assert bm("synth", "--out", str(raw), "--scale", "0.1").returncode == 0
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "report.docx").write_bytes(b"mine")
    r = bm("build", "--raw", str(raw), "--db", str(tmp_path / "x.duckdb"), "--published", str(docs))
    assert r.returncode == 2 and "no manifest.json" in r.stderr
    assert (docs / "report.docx").read_bytes() == b"mine" and not (tmp_path / "x.duckdb").exists()
    rec = buildrecord.read(tmp_path / "x.duckdb")
    assert rec["last_attempt"]["status"] == "failed" and "no manifest.json" in rec["last_attempt"]["error"]
    r = bm("check", "--db", str(tmp_path / "x.duckdb"))
    assert r.returncode == 1 and "the last build failed" in r.stdout and "no database from an earlier build" in r.stdout


@pytest.mark.parametrize("placeholder", ["README.md", ".gitkeep"])
def test_synth_writes_into_a_project_folder_holding_only_placeholders(tmp_path, placeholder):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / placeholder).write_text("kept\n", encoding="utf-8")
    assert bm("synth", "--out", str(raw), "--scale", "0.1").returncode == 0
    assert (raw / placeholder).read_text(encoding="utf-8") == "kept\n" and (raw / "SYNTHETIC.json").exists()
    # A file dropped into the synthetic extract makes it foreign: synth refuses, --if-needed leaves it.
    (raw / "2025" / "ekstra.csv").write_text("x\n", encoding="utf-8")
    r = bm("synth", "--out", str(raw), "--scale", "0.1")
    assert r.returncode == 2 and "2025/ekstra.csv" in r.stderr
    r = bm("synth", "--out", str(raw), "--if-needed")
    assert r.returncode == 0 and (raw / "2025" / "ekstra.csv").read_text(encoding="utf-8") == "x\n"


def test_raw_changes_compare_size_time_and_the_logged_hash(tmp_path):
    raw = tmp_path / "raw"
    (raw / "2024").mkdir(parents=True)
    f = raw / "2024" / "befolkning.csv"
    f.write_text("a\n", encoding="utf-8")
    (raw / "2024" / "old.csv").write_text("o\n", encoding="utf-8")
    before = buildrecord.raw_snapshot(raw)
    assert buildrecord.raw_changes(before, raw) == {"added": [], "changed": [], "removed": []}
    os.utime(f, ns=(1, 1))  # touched, same bytes: unchanged by the logged hash, changed without it
    sha = {"2024/befolkning.csv": hashlib.sha256(b"a\n").hexdigest()}
    assert buildrecord.raw_changes(before, raw, sha)["changed"] == []
    assert buildrecord.raw_changes(before, raw)["changed"] == ["2024/befolkning.csv"]
    f.write_text("b\n", encoding="utf-8")
    (raw / "2024" / "old.csv").unlink()
    (raw / "2025").mkdir()
    (raw / "2025" / "new.csv").write_text("n\n", encoding="utf-8")
    assert buildrecord.raw_changes(before, raw, sha) == {"added": ["2025/new.csv"], "changed": ["2024/befolkning.csv"],
                                                         "removed": ["2024/old.csv"]}


def test_synth_never_overwrites_a_file_of_its_own_extract_that_was_edited_or_replaced(tmp_path):
    """A file with a generator's name but other bytes (an analyst edited it, or dropped a real extract's
    file over it as the README's "Dropping in real extracts" says) is not synth's output any more:
    synth refuses, --if-needed leaves it, --force moves it aside. Found by review (issue 13, fault 7)."""
    raw = tmp_path / "raw"
    assert bm("synth", "--out", str(raw), "--scale", "0.05").returncode == 0
    f = raw / "2023" / "indkomst.csv"
    real = b"PNR;BRUTTOINDK;SKATTEPLIGTIG\r\n0101901234;299.220;J\r\n"
    f.write_bytes(real)
    r = bm("synth", "--out", str(raw), "--scale", "0.05")
    assert r.returncode == 2 and "2023/indkomst.csv (changed since synth wrote it)" in r.stderr
    assert "Traceback" not in r.stderr and f.read_bytes() == real
    r = bm("synth", "--out", str(raw), "--if-needed")
    assert r.returncode == 0 and f.read_bytes() == real
    r = bm("synth", "--out", str(raw), "--scale", "0.05", "--force")
    assert r.returncode == 0
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("raw.before-synth-")]
    assert len(aside) == 1 and (aside[0] / "2023" / "indkomst.csv").read_bytes() == real
    assert f.read_bytes() != real


def test_synth_checks_names_only_for_a_marker_without_digests(tmp_path):
    """A synthetic extract written before digests were recorded is still recognised as synth's own."""
    from boligmonitor.synth import foreign_content

    raw = tmp_path / "raw"
    (raw / "2020").mkdir(parents=True)
    (raw / "2020" / "befolkning.csv").write_text("x\n", encoding="utf-8")
    (raw / "SYNTHETIC.json").write_text(json.dumps({"fingerprint": "older"}), encoding="utf-8")
    assert foreign_content(raw) == []
    (raw / "SYNTHETIC.json").write_text(json.dumps({"files": {"2020/befolkning.csv": "0" * 32}}), encoding="utf-8")
    assert foreign_content(raw) == ["2020/befolkning.csv (changed since synth wrote it)"]
