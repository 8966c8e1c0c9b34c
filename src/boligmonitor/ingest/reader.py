"""Read one raw register extract the way Danish exports come.

Habits handled (see ``docs/ingestion.md``):

* encodings UTF-8, UTF-8 with BOM, UTF-16 with BOM, Latin-1 and cp1252, detected from the bytes or
  stated in a sidecar file ``<file>.yml`` / ``<stem>.yml`` (``encoding: cp1252``); a UTF-8 file with
  stray Latin-1 lines ("mixed encodings") is read as UTF-8 and the lines that are not valid UTF-8
  are flagged, so validation can quarantine them;
* separator ``;``, ``,`` or tab, chosen as the one that makes the header line match the
  declaration (or stated in the sidecar as ``separator``);
* CRLF / CR / LF line ends, blank lines (skipped, not counted as rows);
* quoted fields (``"..."`` with ``""`` for a quote inside), also across line ends;
* header variants: case, surrounding spaces, ``æ/ø/å`` spelled ``ae/oe/aa``, spaces or hyphens
  for underscores, and the English staging name instead of the Danish header;
* extra columns: kept (returned as ``extra``) and reported.

The result is a polars frame with one row per data record: ``source_line`` (line number in the
file, header = 1), ``n_fields``, ``bad_encoding`` and one string column per declared column
(staging name) and per extra column. Nothing is typed or validated here.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import yaml

from boligmonitor.errors import InputError
from boligmonitor.registers import Register

#: Separators tried, in order of preference when they fit equally well.
SEPARATORS = (";", ",", "\t", "|")
_TRANSLATE = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "é": "e", "ü": "u", "ä": "ae", "ö": "oe"})


class FileError(InputError):
    """A problem that stops one file (unreadable, missing column, wrong year, empty)."""

    def __init__(self, message: str, file: str | Path | None = None, line: int | None = None,
                 column: str | None = None, code: str = "file_error"):
        super().__init__(message, file=file, line=line, column=column)
        self.code = code


def normalise_header(h: str) -> str:
    """``" Fød dag "`` -> ``foed_dag``: case, spaces, æøå spelled out, separators to ``_``."""
    h = h.replace("\ufeff", "").strip().strip('"').strip().lower().translate(_TRANSLATE)
    h = re.sub(r"[\s\-./]+", "_", h)
    return h.strip("_")


@dataclass
class RawTable:
    path: Path
    source_file: str  # relative to the raw folder, with "/"
    encoding: str
    separator: str
    header: list[str]  # as in the file
    columns: dict[str, str]  # staging name -> header as in the file (declared columns found)
    missing_optional: list[str]  # staging names of non-required declared columns not in the file
    extra: dict[str, str]  # extra column name (extra_<normalised>) -> header as in the file
    frame: pl.DataFrame  # source_line, n_fields, bad_encoding, <staging names...>, <extra names...>
    n_header_fields: int
    notes: list[str] = field(default_factory=list)


def read_sidecar(path: Path) -> dict:
    """Settings stated next to the file: ``<name>.csv.yml`` or ``<name>.yml``."""
    for cand in (path.with_name(path.name + ".yml"), path.with_suffix(".yml")):
        if cand.is_file():
            try:
                data = yaml.safe_load(cand.read_text(encoding="utf-8")) or {}
            except (yaml.YAMLError, UnicodeDecodeError) as e:
                raise FileError(f"the sidecar file {cand.name} is not valid YAML ({e.__class__.__name__})",
                                file=path, code="bad_sidecar") from None
            if not isinstance(data, dict):
                raise FileError(f"the sidecar file {cand.name} must be a mapping like 'encoding: cp1252'",
                                file=path, code="bad_sidecar")
            return data
    return {}


_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}")
_CP1252_ONLY = re.compile(rb"[\x80-\x9f]")


def _first_bad_line(data: bytes, encoding: str) -> int:
    for i, line in enumerate(data.split(b"\n"), start=1):
        try:
            line.decode(encoding)
        except UnicodeDecodeError:
            return i
    return 1


def decode(data: bytes, source_file: str, stated: str | None = None,
           declared: str | None = None) -> tuple[str, str, bool]:
    """Bytes -> (text, encoding name, mixed). ``mixed``: UTF-8 with some lines in another encoding,
    decoded with U+FFFD in their place (the reader flags those lines). ``declared`` (the register's
    usual encoding) only names the result when Latin-1 and cp1252 read the bytes identically."""
    if b"\x00" in data[:65536] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        kind = " (it looks like a zip/Excel file)" if data.startswith(b"PK\x03\x04") else ""
        raise FileError(f"not a text file: binary data (NUL bytes){kind}", file=source_file, code="binary")
    if stated:
        enc = str(stated).strip().lower().replace("_", "-")
        try:
            "".encode(enc)
        except LookupError:
            raise FileError(f"the sidecar states an unknown encoding {stated!r}", file=source_file,
                            code="bad_sidecar") from None
        try:
            return data.decode(enc), enc, False
        except UnicodeDecodeError:
            raise FileError(f"the file is not valid {enc} as its sidecar states",
                            file=source_file, line=_first_bad_line(data, enc), code="bad_encoding") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16", False
        except UnicodeDecodeError:
            raise FileError("the file starts with a UTF-16 mark but is not valid UTF-16",
                            file=source_file, code="bad_encoding") from None
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data.decode("utf-8-sig"), "utf-8-sig", False
        except UnicodeDecodeError:
            return data.decode("utf-8-sig", errors="replace"), "utf-8-sig", True
    try:
        return data.decode("utf-8"), "utf-8", False
    except UnicodeDecodeError:
        pass
    if _UTF8_MULTIBYTE.search(data):
        # Valid UTF-8 letters and invalid bytes in the same file: mixed encodings.
        return data.decode("utf-8", errors="replace"), "utf-8", True
    if _CP1252_ONLY.search(data):
        try:
            return data.decode("cp1252"), "cp1252", False
        except UnicodeDecodeError:
            pass
    name = declared if declared in ("cp1252", "latin-1") and not _CP1252_ONLY.search(data) else "latin-1"
    return data.decode("latin-1"), name, False


def _header_map(header: list[str], reg: Register) -> tuple[dict[str, int], list[int], list[str]]:
    """Declared staging name -> field index, the indices of extra columns, duplicate-column messages."""
    def key(h: str) -> str:
        return normalise_header(h).replace("_", "")

    lookup: dict[str, str] = {}
    for c in reg.columns:
        lookup[key(c.raw)] = c.name
        lookup.setdefault(key(c.name), c.name)
    found: dict[str, int] = {}
    extra: list[int] = []
    dups: list[str] = []
    for i, h in enumerate(header):
        name = lookup.get(key(h))
        if name is None:
            extra.append(i)
        elif name in found:
            dups.append(f"the column {reg.column(name).raw} appears twice in the header "
                        f"(fields {found[name] + 1} and {i + 1})")
        else:
            found[name] = i
    return found, extra, dups


def _split_header(line: str, sep: str) -> list[str]:
    return next(csv.reader([line], delimiter=sep))


def read_raw(path: Path, raw_root: Path, reg: Register, data: bytes | None = None) -> RawTable:
    """Read one file into string columns (see the module docstring). Raises :class:`FileError`."""
    source_file = path.relative_to(raw_root).as_posix() if path.is_relative_to(raw_root) else path.name
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as e:
            raise FileError(f"cannot read the file ({e.strerror})", file=source_file, code="unreadable") from None
    sidecar = read_sidecar(path)
    try:
        text, encoding, mixed = decode(data, source_file, sidecar.get("encoding"), reg.encoding)
    except FileError as e:
        e.file = source_file
        raise
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise FileError("the file is empty", file=source_file, code="empty")

    first_nl = text.find("\n")
    header_line = text if first_nl < 0 else text[:first_nl]
    stated_sep = sidecar.get("separator") or sidecar.get("delimiter")
    candidates = (str(stated_sep),) if stated_sep else SEPARATORS
    best = None
    for sep in candidates:
        header = _split_header(header_line, sep)
        found, extra, dups = _header_map(header, reg)
        score = len(found)
        if best is None or score > best[0]:
            best = (score, sep, header, found, extra, dups)
    _, sep, header, found, extra_idx, dups = best
    if dups:
        raise FileError(dups[0], file=source_file, line=1, code="duplicate_column")
    missing_required = [c for c in reg.columns if c.name not in found and c.required]
    if missing_required:
        names = ", ".join(c.raw for c in missing_required)
        hint = ""
        if not found:
            hint = (" (no declared column was recognised: wrong separator or not a "
                    f"{reg.name} file? header starts {header_line[:60]!r})")
        raise FileError(f"missing required column(s) {names}{hint}", file=source_file, line=1,
                        column=missing_required[0].raw, code="missing_column")
    missing_optional = [c.name for c in reg.columns if c.name not in found]

    extra: dict[str, str] = {}
    for i in extra_idx:
        nm = "extra_" + (normalise_header(header[i]) or f"field{i + 1}")
        nm = re.sub(r"[^a-z0-9_]", "_", nm)
        while nm in extra:
            nm += "_"
        extra[nm] = header[i]

    body = "" if first_nl < 0 else text[first_nl + 1:]
    frame = _split_records(body, sep)
    if frame.height == 0:
        raise FileError("the file has a header but no data rows", file=source_file, code="empty")
    nh = len(header)
    cols = [pl.col("source_line"), pl.col("n_fields"), pl.col("bad_encoding")]
    for name, idx in found.items():
        cols.append(pl.col("fields").list.get(idx, null_on_oob=True).str.strip_chars().alias(name))
    for nm, h in extra.items():
        idx = header.index(h)
        cols.append(pl.col("fields").list.get(idx, null_on_oob=True).str.strip_chars().alias(nm))
    frame = frame.select(cols)
    if not mixed:
        frame = frame.with_columns(pl.lit(False).alias("bad_encoding"))
    notes = []
    if extra:
        notes.append(f"extra column(s) kept: {', '.join(extra.values())}")
    if missing_optional:
        notes.append("optional column(s) not in the file: "
                     + ", ".join(reg.column(n).raw for n in missing_optional))
    return RawTable(path, source_file, encoding, sep, header, {n: header[i] for n, i in found.items()},
                    missing_optional, extra, frame, nh, notes)


def _split_records(body: str, sep: str) -> pl.DataFrame:
    """Data lines -> frame(source_line, n_fields, bad_encoding, fields: list[str]); header is line 1."""
    lines = (
        pl.DataFrame({"line": pl.Series([body], dtype=pl.String).str.split("\n").explode()})
        .with_row_index("source_line", offset=2)
        .with_columns(pl.col("source_line").cast(pl.Int32))
        .filter(pl.col("line").str.strip_chars() != "")
    )
    has_quote = pl.col("line").str.contains('"', literal=True)
    plain = lines.filter(~has_quote)
    quoted = lines.filter(has_quote)
    parts = [plain.select("source_line", pl.col("line").str.split(sep).alias("fields"),
                          pl.col("line").str.contains("\ufffd", literal=True).alias("bad_encoding"))]
    if quoted.height:
        odd = quoted["line"].str.count_matches('"', literal=True) % 2 == 1
        if odd.any():
            # A quoted field spans lines: parse the whole body with the csv module.
            return _split_records_slow(body, sep)
        recs = [next(csv.reader([ln], delimiter=sep)) for ln in quoted["line"].to_list()]
        parts.append(pl.DataFrame({
            "source_line": quoted["source_line"],
            "fields": pl.Series(recs, dtype=pl.List(pl.String)),
            "bad_encoding": quoted["line"].str.contains("\ufffd", literal=True),
        }))
    out = pl.concat(parts).sort("source_line")
    return out.with_columns(pl.col("fields").list.len().cast(pl.Int32).alias("n_fields"))


def _split_records_slow(body: str, sep: str) -> pl.DataFrame:
    reader = csv.reader(io.StringIO(body), delimiter=sep)
    starts, recs = [], []
    prev = 0
    for rec in reader:
        start = prev + 2  # body line 1 is file line 2
        prev = reader.line_num
        if not rec or all(not f.strip() for f in rec) and len(rec) <= 1:
            continue
        starts.append(start)
        recs.append(rec)
    fields = pl.Series(recs, dtype=pl.List(pl.String))
    return pl.DataFrame({
        "source_line": pl.Series(starts, dtype=pl.Int32),
        "fields": fields,
        "bad_encoding": fields.list.join("\x1f").str.contains("\ufffd", literal=True),
    }).with_columns(pl.col("fields").list.len().cast(pl.Int32).alias("n_fields"))
