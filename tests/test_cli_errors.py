"""Every command ends in one sentence, never a traceback, with exit code 1 (problems found), 2 (could
not run) or 130 (interrupted) (issue 13, fault 5). Each command is started as a real subprocess.

Case 06 (tests/fixtures/geo/CASES.md): a second process holds the database read-write, as a notebook,
the DuckDB CLI or DBeaver does; ``check`` names it and exits 2. Failures that cannot be produced on
demand (a full disk, a denied permission when the tests run as root, a Ctrl-C at one exact point)
are raised inside the real command by a small launcher that wraps one library function
(:data:`LAUNCHER`): ``signal.raise_signal`` for a genuine SIGINT/SIGTERM, ``OSError`` with the
errno the operating system would give.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from boligmonitor.errors import EXIT_CANNOT_RUN, EXIT_INTERRUPTED, EXIT_PROBLEMS, translate

CRITERIA = Path(__file__).parent / "fixtures" / "criteria"
GEO = Path(__file__).parent / "fixtures" / "geo"

#: Runs ``module.main(argv)`` after wrapping ``target_module.function`` so that its first call raises
#: a signal or an OSError. argv: MODE TARGET_MODULE FUNCTION ENTRY_MODULE ARGS...
LAUNCHER = r"""
import errno, importlib, os, signal, sys
mode, tmod, fname, entry, *argv = sys.argv[1:]
m = importlib.import_module(tmod)
orig = getattr(m, fname)
def wrapped(*a, **k):
    path = next((str(x) for x in (*a, *k.values()) if isinstance(x, (str, os.PathLike))), "file")
    if mode in ("SIGINT", "SIGTERM"):
        signal.raise_signal(getattr(signal, mode))
    elif mode == "ENOSPC":
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), path)
    elif mode == "EACCES":
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
    elif mode == "DUCKDB_ENOSPC":
        import duckdb
        raise duckdb.IOException('IO Error: Could not write file "x.duckdb": No space left on device')
    return orig(*a, **k)
setattr(m, fname, wrapped)
sys.exit(importlib.import_module(entry).main(argv))
"""


def bm(*args, timeout=300, env=None):
    return subprocess.run([sys.executable, "-m", "boligmonitor.cli", *args], capture_output=True, text=True,
                          timeout=timeout, env=env)


def launch(mode, target, entry, *args, timeout=300):
    tmod, fname = target.rsplit(".", 1)
    return subprocess.run([sys.executable, "-c", LAUNCHER, mode, tmod, fname, entry, *args], capture_output=True,
                          text=True, timeout=timeout)


def assert_sentence(r, code, *needles):
    """Exit code ``code``; stderr ends in one line holding every needle; no traceback anywhere."""
    assert r.returncode == code, (r.returncode, r.stdout[-2000:], r.stderr[-2000:])
    assert "Traceback" not in r.stderr and "Traceback" not in r.stdout
    last = r.stderr.strip().splitlines()[-1]
    for n in needles:
        assert n in last, (n, last)
    return last


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A small synthetic extract and its database."""
    d = tmp_path_factory.mktemp("cli_errors")
    assert bm("-q", "synth", "--out", str(d / "raw"), "--scale", "0.1").returncode == 0
    r = bm("-q", "build", "--raw", str(d / "raw"), "--db", str(d / "bm.duckdb"))
    assert r.returncode == 0, r.stderr
    return d


HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])  # default access mode: read-write (exclusive lock)
print(con.execute("select count(*) from staging.population").fetchall(), flush=True)
time.sleep(float(sys.argv[2]))
"""


def test_case06_check_names_the_process_that_holds_the_database(built):
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(built / "bm.duckdb"), "120"], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout.readline().startswith("[(")  # the lock is held from here on
        r = bm("check", "--db", str(built / "bm.duckdb"))
        last = assert_sentence(r, EXIT_CANNOT_RUN, "boligmonitor check:", str(built / "bm.duckdb"),
                               f"PID {holder.pid}", "duckdb.connect(path, read_only=True)")
        assert "python" in last  # the holding program is named
        # A build works on a copy and replaces the file: it succeeds while the database is held.
        r = bm("-q", "build", "--raw", str(built / "raw"), "--db", str(built / "bm.duckdb"))
        assert r.returncode == 0, r.stderr
    finally:
        holder.kill()
        holder.wait()
    assert bm("check", "--db", str(built / "bm.duckdb")).returncode == 0


def test_a_read_only_reader_does_not_block_check(built):
    """Notebooks and report pages open the database read-only: check runs beside them."""
    code = ("import sys, time; from boligmonitor.db import connect; c = connect(sys.argv[1], read_only=True); "
            "print('open', flush=True); time.sleep(60)")
    reader = subprocess.Popen([sys.executable, "-c", code, str(built / "bm.duckdb")], stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "open"
        r = bm("check", "--db", str(built / "bm.duckdb"))
        assert r.returncode == 0, r.stderr
    finally:
        reader.kill()
        reader.wait()


def test_notebooks_open_the_database_read_only():
    root = Path(__file__).resolve().parents[1]
    for nb in sorted((root / "notebooks").glob("*.ipynb")):
        for cell in json.loads(nb.read_text(encoding="utf-8"))["cells"]:
            src = "".join(cell["source"])
            if "connect(" in src and "db_path" in src:
                assert "read_only=True" in src, nb.name


def test_build_interrupted_by_sigint_or_sigterm_exits_130_and_keeps_the_database(built, tmp_path):
    db = tmp_path / "bm.duckdb"
    shutil.copy(built / "bm.duckdb", db)
    before = db.read_bytes()
    for sig in (signal.SIGINT, signal.SIGTERM):
        p = subprocess.Popen([sys.executable, "-m", "boligmonitor.cli", "build", "--full", "--raw", str(built / "raw"),
                              "--db", str(db)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # Wait until the ingest is under way (its first progress line), then interrupt.
        deadline = time.monotonic() + 120
        line = ""
        while "ingest" not in line and time.monotonic() < deadline:
            line = p.stderr.readline()
        time.sleep(0.3)
        p.send_signal(sig)
        out, err = p.communicate(timeout=120)
        assert p.returncode == EXIT_INTERRUPTED, err[-2000:]
        assert "Traceback" not in err and err.strip().splitlines()[-1].startswith("boligmonitor build: interrupted")
        assert db.read_bytes() == before
        assert not list(tmp_path.glob("*.tmp-*")) and not list(tmp_path.glob(".*.tmp-*"))
    r = bm("check", "--db", str(db))
    assert r.returncode == EXIT_PROBLEMS and "the last build was interrupted" in r.stdout


@pytest.mark.parametrize(("mode", "target", "args", "code", "needle"), [
    ("SIGINT", "boligmonitor.synth.write_extract", ["synth", "--out", "{tmp}/raw"], 130, "interrupted"),
    ("SIGTERM", "boligmonitor.synth.write_extract", ["synth", "--out", "{tmp}/raw"], 130, "interrupted"),
    ("ENOSPC", "boligmonitor.synth.write_extract", ["synth", "--out", "{tmp}/raw"], 2, "no space left on the disk"),
    ("EACCES", "boligmonitor.synth.write_extract", ["synth", "--out", "{tmp}/raw"], 2, "permission denied"),
    ("SIGINT", "boligmonitor.pipeline.build", ["build", "--raw", "{raw}", "--db", "{tmp}/x.duckdb"], 130, "interrupted"),
    ("ENOSPC", "shutil.copyfile", ["build", "--raw", "{raw}", "--db", "{tmp}/db.duckdb"], 2, "no space left"),
    ("DUCKDB_ENOSPC", "boligmonitor.db.connect", ["build", "--raw", "{raw}", "--db", "{tmp}/y.duckdb"], 2,
     "no space left on the disk"),
    ("EACCES", "boligmonitor.db.connect", ["check", "--db", "{tmp}/db.duckdb"], 2, "permission denied"),
    ("SIGINT", "boligmonitor.db.frame", ["check", "--db", "{tmp}/db.duckdb"], 130, "interrupted"),
    ("SIGINT", "boligmonitor.criteria.classify_csv", ["classify", str(CRITERIA / "classify_input.csv"), "-o",
                                                      "{tmp}/out.csv"], 130, "interrupted"),
    ("ENOSPC", "boligmonitor.criteria.classify_csv", ["classify", str(CRITERIA / "classify_input.csv"), "-o",
                                                      "{tmp}/out.csv"], 2, "no space left"),
])
def test_each_command_through_its_error_paths(built, tmp_path, mode, target, args, code, needle):
    shutil.copy(built / "bm.duckdb", tmp_path / "db.duckdb")
    args = [a.format(tmp=tmp_path, raw=built / "raw") for a in args]
    r = launch(mode, target, "boligmonitor.cli", "-q", *args)
    assert_sentence(r, code, f"boligmonitor {args[0]}:", needle)
    if args[0] == "synth":
        assert not (tmp_path / "raw").exists() or not any((tmp_path / "raw").iterdir())
    if args[0] == "classify":
        assert not (tmp_path / "out.csv").exists() and not list(tmp_path.glob(".out.csv.tmp-*"))


def test_importer_and_site_commands_through_their_error_paths(tmp_path):
    from boligmonitor import config

    out = tmp_path / "areas.gpkg"
    shutil.copy(config.geo_dir() / "areas.gpkg", out)
    before = out.read_bytes()
    r = launch("SIGINT", "boligmonitor.geo.layers._read", "boligmonitor.geo.layers", "--polygons",
               str(GEO / "omraader.geojson"), "--out", str(out))
    assert_sentence(r, EXIT_INTERRUPTED, "python -m boligmonitor.geo.layers: interrupted")
    assert out.read_bytes() == before
    r = launch("EACCES", "boligmonitor.geo.layers.write_layers", "boligmonitor.geo.layers", "--polygons",
               str(GEO / "omraader.geojson"), "--out", str(out))
    assert_sentence(r, EXIT_CANNOT_RUN, "permission denied")
    assert out.read_bytes() == before
    r = subprocess.run([sys.executable, "-m", "boligmonitor.site", "check-offline", str(tmp_path / "no_site")],
                       capture_output=True, text=True)
    assert_sentence(r, EXIT_CANNOT_RUN, "python -m boligmonitor.site check-offline:", "no_site", "render the site")
    r = launch("SIGINT", "boligmonitor.site.project.pages", "boligmonitor.site.project", "list")
    assert_sentence(r, EXIT_INTERRUPTED, "interrupted")
    r = launch("ENOSPC", "boligmonitor.site.project.pages_to_notebooks", "boligmonitor.site.project",
               "pages-to-notebooks",
               str(tmp_path / "nb"))
    assert_sentence(r, EXIT_CANNOT_RUN, "no space left")


def test_input_errors_of_every_command_are_one_sentence_with_exit_2(built, tmp_path):
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    (tmp_path / "table.csv").write_text("vejnavn,husnr,postnr\nFlyvervej,5,8930\n", encoding="utf-8")
    cases = [
        (["synth", "--out", str(tmp_path / "afile")], "is a file, not a folder"),
        (["synth", "--out", str(tmp_path), "--scale", "0"], "--scale must be a positive number"),
        (["synth", "--out", str(built / "raw" / "2020")], "that this generator did not write"),
        (["build", "--raw", str(tmp_path / "none"), "--db", str(tmp_path / "x.duckdb")], "does not exist"),
        (["build", "--raw", str(built / "raw"), "--db", str(tmp_path / "afile")], "is not a DuckDB database"),
        (["build", "--raw", str(built / "raw"), "--db", str(tmp_path / "z.duckdb"), "--published", str(tmp_path)],
         "no manifest.json"),
        (["build", "--raw", str(built / "raw"), "--db", str(built / "raw" / "x.duckdb")], "inside the raw data folder"),
        (["check", "--db", str(tmp_path / "afile")], "afile"),
        # found by review: a CSV given as the database was "Cannot launch in-memory database in read-only mode"
        (["check", "--db", str(tmp_path / "table.csv")], "table.csv is not a DuckDB database"),
        (["check", "--db", str(tmp_path)], "is a folder, not a database file"),
        (["build", "--raw", str(tmp_path / "table.csv"), "--db", str(tmp_path / "x.duckdb")],
         "table.csv is a file; --raw needs the folder"),
        (["classify", str(tmp_path / "missing.csv"), "-o", str(tmp_path / "o.csv")], "missing.csv"),
        (["classify", str(CRITERIA / "classify_input.csv"), "-o", str(CRITERIA / "classify_input.csv")],
         "is the input file"),
    ]
    for args, needle in cases:
        r = bm("-q", *args)
        assert_sentence(r, EXIT_CANNOT_RUN, f"boligmonitor {args[0]}:", needle)
    assert (tmp_path / "afile").read_text(encoding="utf-8") == "x"


def test_translate_names_the_file_and_what_to_do():
    import errno

    import duckdb

    msg, code = translate(OSError(errno.ENOSPC, "No space left on device", "/data/x.duckdb"))
    assert code == 2 and msg.startswith("no space left on the disk while writing /data/x.duckdb")
    msg, code = translate(PermissionError(errno.EACCES, "Permission denied", "/data/raw"))
    assert code == 2 and "permission denied for /data/raw" in msg
    msg, code = translate(duckdb.IOException(
        'IO Error: Could not set lock on file "/d/bm.duckdb": Conflicting lock is held in /usr/bin/python3.11 '
        f'(PID {os.getpid()}). See also https://duckdb.org/docs/current/connect/concurrency'))
    assert code == 2 and msg.startswith("the database /d/bm.duckdb is open in another program (")
    assert f"PID {os.getpid()}" in msg
    msg, code = translate(BrokenPipeError(errno.EPIPE, "Broken pipe"))  # `boligmonitor check | head`
    assert code == 2 and "broken pipe" in msg and "a file" not in msg
    assert translate(KeyboardInterrupt())[1] == 130
    assert "a bug" in translate(ZeroDivisionError("x"))[0]
