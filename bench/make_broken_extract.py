"""A copy of a raw extract with faults put into its files, for ``compare_builds.py`` between two
versions of the ingest (issue 17: reading large files in parts must give what reading them whole
gives, faults included). Every fault is one a row can carry (the build still succeeds); the
file-level faults are compared file by file in ``tests/test_ingest_parts.py``.

``.venv/bin/python bench/make_broken_extract.py data/raw /tmp/broken-raw`` then build both versions
on ``/tmp/broken-raw`` (with ``PART_BYTES`` small enough that the files are read in parts, e.g. by
``bench/bench_ingest_ab.py``'s way or a script setting ``boligmonitor.ingest.load.PART_BYTES``).

Faults (line numbers are file lines, the header is line 1):

* ``2020/befolkning.csv``: line 3 repeated at the end (a key repeated across parts), three blank
  lines after line 100, a NUL byte in line 5,000, a field missing in line 8,000, an impossible date
  in line 12,000, line 10 repeated right after it (a key repeated within a part);
* ``2021/ydelser.csv``: a quoted field spanning two lines after line 500 (the file is read whole);
* ``2019/uddannelse.csv``: a line with a Latin-1 byte before the last line (mixed encodings);
* ``2018/indkomst.csv``: an unknown code and a value out of range near the end.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path


def _lines(p: Path) -> list[bytes]:
    return p.read_bytes().split(b"\n")


def main(src: Path, dst: Path) -> None:
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst)
    p = dst / "2020" / "befolkning.csv"
    ls = _lines(p)
    ls[4999] = ls[4999][:7] + b"\x00" + ls[4999][7:]
    ls[7999] = ls[7999].rsplit(b";", 1)[0]
    ls[11999] = re.sub(rb"\d\d-\d\d-(\d{4})", rb"31-02-\1", ls[11999], count=1)
    ls = ls[:10] + [ls[9]] + ls[10:100] + [b"", b"  ", b""] + ls[100:-1] + [ls[2], b""]
    p.write_bytes(b"\n".join(ls))
    p = dst / "2021" / "ydelser.csv"
    ls = _lines(p)
    ls = ls[:500] + [ls[500].rstrip(b"\r") + b';"over\r', b'to linjer"\r'] + ls[501:]
    p.write_bytes(b"\n".join(ls))
    p = dst / "2019" / "uddannelse.csv"
    ls = _lines(p)
    ls[-3] = ls[-3] + b"\xe6"
    p.write_bytes(b"\n".join(ls))
    p = dst / "2018" / "indkomst.csv"
    ls = _lines(p)
    f = ls[-5].split(b";")
    f[-1] = b"ZZ" + f[-1]
    ls[-5] = b";".join(f)
    f = ls[-7].split(b";")
    f[1] = b"-999999999999"
    ls[-7] = b";".join(f)
    p.write_bytes(b"\n".join(ls))
    print(f"wrote {dst} with faults in 4 files")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
