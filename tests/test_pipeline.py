"""pipeline.build with the ingest step on small generated data: reconciliation, pseudonymisation,
idempotence, incremental = full, atomic swap on error / interrupt / kill, key handling."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from boligmonitor import config
from boligmonitor.errors import BuildError
from boligmonitor.pipeline import STEPS, build, resolve_hmac_key

sys.path.insert(0, str(Path(__file__).parent))
from ingest_helpers import write_raw  # noqa: E402

INGEST = ["boligmonitor.ingest"]


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("BOLIGMONITOR_HMAC_KEY", "test-key-for-pipeline-tests")


def _build(tmp: Path, raw: Path, lines: list | None = None, **kw):
    say = lines.append if lines is not None else (lambda m: None)
    return build(raw, tmp / "db.duckdb", tmp / "published", say=say, steps=kw.pop("steps", INGEST), **kw)


def _contents(db: Path, schemas=("staging",)) -> dict[str, list]:
    con = duckdb.connect(str(db), read_only=True)
    out = {}
    try:
        tables = con.execute("select table_schema, table_name from information_schema.tables "
                             "where table_schema in (select unnest(?)) order by 1, 2", [list(schemas)]).fetchall()
        for s, t in tables:
            cols = [c for (c,) in con.execute(
                "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
                "order by ordinal_position", [s, t]).fetchall() if c not in ("started_at", "finished_at")]
            sel = ", ".join(f'"{c}"' for c in cols)
            out[f"{s}.{t}"] = (cols, sorted(con.execute(f'select {sel} from {s}."{t}"').fetchall(), key=repr))
    finally:
        con.close()
    return out


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.fixture
def raw(tmp_path):
    folder = tmp_path / "raw"
    write_raw(folder, years=(2019, 2020), persons=24)
    return folder


def test_build_loads_every_register_and_reconciles(tmp_path, raw):
    summary = _build(tmp_path, raw)
    con = duckdb.connect(str(tmp_path / "db.duckdb"), read_only=True)
    log = con.execute("select source_file, rows_read, rows_loaded, rows_quarantined, status from staging.load_log"
                      ).fetchall()
    files = {p.relative_to(raw).as_posix() for p in raw.rglob("*.csv")}
    assert {r[0] for r in log} == files
    for sf, read, loaded, quarantined, status in log:
        assert read == loaded + quarantined, sf
        assert read > 0 and status == "ok"
    n = con.execute("select count(*) from staging.population").fetchone()[0]
    assert n == 48 and summary.tables["staging.population"] == 48
    cols = [r[0] for r in con.execute("describe staging.population").fetchall()]
    assert cols[:3] == ["year", "person_id", "birth_date"] and cols[-2:] == ["source_file", "source_line"]
    assert con.execute("select min(source_line), max(source_file) from staging.population").fetchone() == (
        2, "2020/befolkning.csv")
    assert "ingest" in str(summary)


def test_no_raw_pnr_anywhere(tmp_path, raw):
    # Add a row with an invalid PNR and a person outside the population, so quarantine has both kinds.
    with open(raw / "2020" / "afgoerelser.csv", "a", encoding="utf-8") as f:
        f.write("6101451234;01-03-2020;;STRFL;BOEDE\n3213801234;01-03-2020;;STRFL;BOEDE\n")
    lines: list[str] = []
    _build(tmp_path, raw, lines)
    pnrs = set()
    for p in raw.rglob("*.csv"):
        pnrs |= set(re.findall(r"(?<!\d)\d{6}-?\d{4}(?!\d)", p.read_bytes().decode("latin-1")))
    pnrs |= {x.replace("-", "") for x in pnrs} | {x[:6] + "-" + x[6:] for x in pnrs if "-" not in x}
    assert len(pnrs) > 40
    con = duckdb.connect(str(tmp_path / "db.duckdb"), read_only=True)
    cols = con.execute("select table_schema, table_name, column_name from information_schema.columns "
                       "where data_type = 'VARCHAR'").fetchall()
    for s, t, c in cols:
        values = {v for (v,) in con.execute(f'select distinct "{c}" from {s}."{t}"').fetchall() if v}
        for v in values:
            for hit in re.findall(r"\d{6}-?\d{4}", v):
                assert hit not in pnrs, f"raw PNR in {s}.{t}.{c}"
    for m in lines:
        assert not any(p in m for p in pnrs)
    reasons = dict(con.execute("select reason_code, count(*) from staging.quarantine group by 1").fetchall())
    assert reasons == {"person_not_in_population": 1, "bad_pnr": 1}


def test_person_in_any_year_is_enough(tmp_path, raw):
    pop19 = (raw / "2019" / "befolkning.csv").read_bytes().decode("utf-8-sig").splitlines()
    pop20 = (raw / "2020" / "befolkning.csv").read_bytes().decode("utf-8-sig")
    # Remove one person from 2020; their 2020 conviction stays valid through 2019.
    moved = pop19[1].split(";")[0]
    kept = [ln for ln in pop20.splitlines() if not ln.startswith(moved)]
    (raw / "2020" / "befolkning.csv").write_bytes(("\n".join(kept) + "\n").encode("utf-8-sig"))
    with open(raw / "2020" / "afgoerelser.csv", "a", encoding="utf-8") as f:
        f.write(f"{moved};02-03-2020;;VAABENL;BET\n")
    _build(tmp_path, raw)
    con = duckdb.connect(str(tmp_path / "db.duckdb"), read_only=True)
    assert con.execute("select count(*) from staging.quarantine").fetchone()[0] == 0
    assert con.execute("select count(*) from staging.convictions where law = 'VAABENL'").fetchone()[0] >= 1


def test_two_builds_give_identical_tables(tmp_path, raw):
    _build(tmp_path, raw, full=True)
    first = _contents(tmp_path / "db.duckdb")
    _build(tmp_path, raw, full=True)
    assert _contents(tmp_path / "db.duckdb") == first
    _build(tmp_path, raw)  # incremental, nothing changed
    assert _contents(tmp_path / "db.duckdb") == first


def test_incremental_year_equals_full_rebuild(tmp_path):
    raw = tmp_path / "raw"
    write_raw(raw, years=(2019, 2020, 2021), persons=20)
    held = tmp_path / "held"
    shutil.move(raw / "2021", held)
    inc, full = tmp_path / "inc", tmp_path / "full"
    inc.mkdir()
    full.mkdir()
    _build(inc, raw)
    shutil.move(held, raw / "2021")
    lines: list[str] = []
    _build(inc, raw, lines)
    read = [m for m in lines if m.startswith("ingest: read ")]
    assert read and all("2021/" in m for m in read), "only the new year is read"
    _build(full, raw, full=True)
    assert _contents(inc / "db.duckdb") == _contents(full / "db.duckdb")


def test_changed_file_is_reread(tmp_path, raw):
    _build(tmp_path, raw)
    p = raw / "2019" / "indkomst.csv"
    p.write_bytes(p.read_bytes() + b"6101801234;-9999999;J\n")
    lines: list[str] = []
    _build(tmp_path, raw, lines)
    assert [m for m in lines if m.startswith("ingest: read ")] == [
        m for m in lines if "read 2019/indkomst.csv" in m]
    con = duckdb.connect(str(tmp_path / "db.duckdb"), read_only=True)
    assert con.execute("select reason_code from staging.quarantine").fetchall() == [("out_of_range",)]


def test_file_error_fails_build_and_keeps_previous_database(tmp_path, raw):
    _build(tmp_path, raw)
    db = tmp_path / "db.duckdb"
    before = _sha(db)
    broken = Path(__file__).parent / "broken"
    shutil.copy(broken / "wrong_year.csv", raw / "2020" / "afgoerelser.csv")
    shutil.copy(broken / "binary.csv", raw / "2019" / "ssp.csv")
    (raw / "2019" / "jobparate.csv").unlink()
    with pytest.raises(BuildError) as exc:
        _build(tmp_path, raw)
    msg = str(exc.value)
    assert "2020/afgoerelser.csv" in msg and "wrong year" in msg
    assert "2019/ssp.csv" in msg and "binary" in msg
    assert "2019/jobparate.csv" in msg and "missing file" in msg
    assert "Traceback" not in msg
    assert _sha(db) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["db.duckdb", "db.duckdb.build.json", "published", "raw"]


def test_cycle_collector_paused_during_the_build_only(tmp_path, raw):
    import gc

    seen = []

    def check(con, ctx):
        from boligmonitor.steps import StepResult
        seen.append(gc.isenabled())
        return StepResult("check")

    def failing(con, ctx):
        seen.append(gc.isenabled())
        raise KeyboardInterrupt

    assert gc.isenabled()
    _build(tmp_path, raw, steps=[*INGEST, check])
    with pytest.raises(KeyboardInterrupt):
        _build(tmp_path, raw, steps=[failing])
    assert seen == [False, False] and gc.isenabled()
    gc.disable()  # a caller that paused it itself keeps it paused
    try:
        _build(tmp_path, raw, steps=[check])
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_interrupt_keeps_previous_database_and_published(tmp_path, raw):
    def publish_marker(con, ctx):
        from boligmonitor.steps import StepResult
        (ctx.published_dir / "marker.csv").write_text("x\n1\n")
        return StepResult("marker")

    _build(tmp_path, raw, steps=[*INGEST, publish_marker])
    assert (tmp_path / "published" / "marker.csv").is_file()
    before = _sha(tmp_path / "db.duckdb")

    def interrupted(con, ctx):
        (ctx.published_dir / "half.csv").write_text("x\n")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _build(tmp_path, raw, steps=[*INGEST, interrupted])
    assert _sha(tmp_path / "db.duckdb") == before
    assert sorted(p.name for p in (tmp_path / "published").iterdir()) == ["marker.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["db.duckdb", "db.duckdb.build.json", "published", "raw"]


def test_killed_build_leaves_previous_database_usable(tmp_path, raw):
    _build(tmp_path, raw)
    db = tmp_path / "db.duckdb"
    before = _sha(db)
    script = tmp_path / "slow_build.py"
    script.write_text(textwrap.dedent(f"""
        import time
        from pathlib import Path
        from boligmonitor.pipeline import build
        def slow(con, ctx):
            print("started", flush=True)
            time.sleep(60)
        build(Path({str(raw)!r}), Path({str(db)!r}), Path({str(tmp_path / 'published')!r}), full=True,
              say=lambda m: None, steps=["boligmonitor.ingest", slow])
    """))
    for sig in (signal.SIGTERM, signal.SIGKILL):
        proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True,
                                env={**os.environ, "BOLIGMONITOR_HMAC_KEY": "test-key-for-pipeline-tests"})
        assert proc.stdout.readline().strip() == "started"
        assert any(p.name.startswith("db.duckdb.tmp-") for p in tmp_path.iterdir())
        proc.send_signal(sig)
        proc.wait(timeout=30)
        assert _sha(db) == before
        con = duckdb.connect(str(db), read_only=True)
        assert con.execute("select count(*) from staging.population").fetchone()[0] == 48
        con.close()
        if sig == signal.SIGTERM:  # cleaned up on the way out
            assert not any(".tmp-" in p.name for p in tmp_path.iterdir())
    time.sleep(0.1)
    _build(tmp_path, raw)  # the next build removes the killed build's leftovers
    assert sorted(p.name for p in tmp_path.iterdir()) == ["db.duckdb", "db.duckdb.build.json", "published", "raw",
                                                         "slow_build.py"]


def test_missing_step_is_an_error(tmp_path, raw):
    with pytest.raises(BuildError, match="boligmonitor.no_such_step is missing"):
        _build(tmp_path, raw, steps=[*INGEST, "boligmonitor.no_such_step"])
    assert not (tmp_path / "db.duckdb").exists()
    assert STEPS[0] == "boligmonitor.ingest" and STEPS[-1] == "boligmonitor.publish"


def test_hmac_key_resolution(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    raw.mkdir()
    monkeypatch.setenv("BOLIGMONITOR_HMAC_KEY", "from-env")
    assert resolve_hmac_key(raw, tmp_path) == (b"from-env", "environment variable BOLIGMONITOR_HMAC_KEY")
    monkeypatch.delenv("BOLIGMONITOR_HMAC_KEY")
    with pytest.raises(BuildError, match="BOLIGMONITOR_HMAC_KEY"):
        resolve_hmac_key(raw, tmp_path)
    (raw / "SYNTHETIC.json").write_text("{}")
    assert resolve_hmac_key(raw, tmp_path)[0] == config.DEMO_HMAC_KEY.encode()
    (tmp_path / ".env").write_text("# local secrets\nBOLIGMONITOR_HMAC_KEY='from-dotenv'\n")
    key, source = resolve_hmac_key(raw, tmp_path)
    assert key == b"from-dotenv" and "from-dotenv" not in source


def test_key_change_rereads_person_files(tmp_path, raw, monkeypatch):
    _build(tmp_path, raw)
    con = duckdb.connect(str(tmp_path / "db.duckdb"), read_only=True)
    ids1 = {r[0] for r in con.execute("select person_id from staging.population").fetchall()}
    con.close()
    monkeypatch.setenv("BOLIGMONITOR_HMAC_KEY", "another-key")
    _build(tmp_path, raw)
    con = duckdb.connect(str(tmp_path / "db.duckdb"), read_only=True)
    ids2 = {r[0] for r in con.execute("select person_id from staging.population").fetchall()}
    assert ids1.isdisjoint(ids2) and len(ids1) == len(ids2)


def test_summaries_for_the_notebook(tmp_path, raw):
    from boligmonitor.ingest import load_summary, quarantine_summary, reconciliation_problems

    with open(raw / "2020" / "indkomst.csv", "a", encoding="utf-8") as f:
        f.write("6101801234;abc;J\n")
    _build(tmp_path, raw)
    con = duckdb.connect(str(tmp_path / "db.duckdb"), read_only=True)
    s = load_summary(con)
    inc = s.filter(s["register"] == "indkomst").row(0, named=True)
    assert (inc["files"], inc["rows_quarantined"]) == (2, 1)
    assert inc["rows_read"] == inc["rows_loaded"] + 1
    qs = quarantine_summary(con)
    assert qs.select("register", "column_name", "reason_code", "entries").rows() == [
        ("indkomst", "BRUTTOINDK", "bad_number", 1)]
    assert reconciliation_problems(con).height == 0


def test_a_second_build_of_the_same_database_waits_for_none_and_mixes_nothing(tmp_path):
    """Two builds of one database at once (two people running make report on a shared drive) would each
    swap in their database and published folder: the second stops with a sentence naming the first's
    PID, changes nothing and records no attempt. Found by review (issue 13, fault 7)."""
    import fcntl

    from boligmonitor.errors import BuildError
    from boligmonitor.pipeline import build, build_lock_path

    db = tmp_path / "x.duckdb"
    lock = build_lock_path(db)
    with open(lock, "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        f.write("4242\n")
        f.flush()
        with pytest.raises(BuildError, match=r"another build of .*x.duckdb is running \(PID 4242\)"):
            build(raw_dir=tmp_path, db_path=db, say=lambda m: None, steps=[])
    assert not db.exists() and not (tmp_path / "x.duckdb.build.json").exists()
    # Released: the next build gets past the lock (and stops at its own first check here: no raw folder).
    with pytest.raises(BuildError, match="does not exist"):
        build(raw_dir=tmp_path / "none", db_path=db, say=lambda m: None, steps=[])
