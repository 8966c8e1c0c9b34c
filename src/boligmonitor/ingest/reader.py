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
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
import yaml

from boligmonitor.errors import InputError
from boligmonitor.ingest.rules import (
    BINARY_MAGIC,
    BINARY_NUL_SHARE,
    CONTROL_CHARS,
    binary_kind,
    has_control_bytes,
)
from boligmonitor.registers import Register

#: Separators tried, in order of preference when they fit equally well.
SEPARATORS = (";", ",", "\t", "|")
_UTF8_BOM = b"\xef\xbb\xbf"
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
    #: trailing NUL padding removed before reading: (line where it starts, NUL bytes, glued to the
    #: last row) -- reported as a quarantine entry on that line (``nul_padding``)
    nul_padding: tuple[int, int, bool] | None = None
    #: whether some value may hold a control character (checked on the whole file's bytes); the
    #: validation then checks every value of the file (:data:`~boligmonitor.ingest.rules.CONTROL_CHARS`)
    control_chars: bool = False

    @property
    def rows_read(self) -> int:
        """Data rows read, counting trailing NUL padding on a line of its own as one row."""
        pad = 1 if self.nul_padding and not self.nul_padding[2] else 0
        return self.frame.height + pad


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


#: Bytes 0x80-0x9f: printable in cp1252, control characters in Latin-1.
_C1_BYTES = bytes(range(0x80, 0xA0))


def _has_utf8_letters(data: bytes) -> bool:
    """Whether the bytes hold some valid UTF-8 multi-byte character (what is left after dropping
    the invalid bytes is not all ASCII). Plain decoding in C: much faster than a regex."""
    return not data.decode("utf-8", errors="ignore").isascii()


def _has_c1_bytes(data: bytes) -> bool:
    return len(data.translate(None, _C1_BYTES)) != len(data)


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
    or cp1252 with a byte cp1252 leaves undefined, decoded with U+FFFD in their place (the reader
    flags those lines). ``declared`` (the register's
    usual encoding) only names the result when Latin-1 and cp1252 read the bytes identically."""
    kind = None if data.startswith((b"\xff\xfe", b"\xfe\xff")) else binary_kind(data)
    if kind:  # decided from the whole file: a stray NUL byte is a row's problem, not the file's
        raise FileError(f"not a text file: binary data ({kind})", file=source_file, code="binary")
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
    if data.startswith(_UTF8_BOM):
        try:
            return data.decode("utf-8-sig"), "utf-8-sig", False
        except UnicodeDecodeError:
            return data.decode("utf-8-sig", errors="replace"), "utf-8-sig", True
    if data.isascii():  # every ASCII-based encoding reads it the same: name the declared one
        return data.decode("ascii"), (declared or "utf-8").replace("-sig", ""), False
    try:
        return data.decode("utf-8"), "utf-8", False
    except UnicodeDecodeError:
        pass
    if _has_utf8_letters(data):
        # Valid UTF-8 letters and invalid bytes in the same file: mixed encodings.
        return data.decode("utf-8", errors="replace"), "utf-8", True
    if _has_c1_bytes(data):
        try:
            return data.decode("cp1252"), "cp1252", False
        except UnicodeDecodeError:
            # cp1252 with a byte it leaves undefined (0x81, 0x8d, 0x8f, 0x90, 0x9d): still cp1252, the
            # line with that byte flagged (U+FFFD), never the whole file read as Latin-1 (where 0x80-0x9f
            # are control characters that would reach staging).
            return data.decode("cp1252", errors="replace"), "cp1252", True
    name = declared if declared in ("cp1252", "latin-1") and not _has_c1_bytes(data) else "latin-1"
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


def read_raw(path: Path, raw_root: Path, reg: Register, data: bytes | None = None, fast: bool = True,
             known: tuple[str, bool, str | None] | None = None) -> RawTable:
    """Read one file into string columns (see the module docstring). Raises :class:`FileError`.
    ``fast=False`` skips the byte-level split of clean files (tests compare the two paths).
    ``known`` (:func:`read_parts`): ``data`` is the header line and one part of a large file whose
    encoding was decided over the whole file: (encoding, mixed, the part decoded, or None for UTF-8
    bytes read as they are)."""
    source_file = path.relative_to(raw_root).as_posix() if path.is_relative_to(raw_root) else path.name
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as e:
            raise FileError(f"cannot read the file ({e.strerror})", file=source_file, code="unreadable") from None
    sidecar = read_sidecar(path)
    padding, original = None, data
    if known is not None:
        encoding, mixed, text = known
        if text is None:
            start = len(_UTF8_BOM) if data.startswith(_UTF8_BOM) else 0
            head = data[start:data.index(b"\n") + 1].decode("utf-8")
        else:
            bom = 1 if text.startswith("\ufeff") else 0
            head = text[bom:text.index("\n") + 1]
    elif data.endswith(b"\x00") and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Trailing NUL bytes (an interrupted copy leaves them): reported on their line, not read.
        body = data.rstrip(b"\x00")
        glued = bool(body) and not body.endswith(b"\n")
        padding = (_count_byte(body, b"\n") + 1, len(data) - len(body), glued)
        data = body
    # A UTF-8 file with a byte order mark, the usual export, is not decoded as a whole: only its
    # header line is, and polars' CSV reader checks the rest while it splits it (it refuses invalid
    # UTF-8 as Python's decoder does; then the whole file is decoded below, as any other).
    if known is None:
        head = _utf8_bom_header(data) if fast and not sidecar.get("encoding") else None
    if known is not None:
        pass
    elif head is not None:
        text, encoding, mixed = None, "utf-8-sig", False
    else:
        try:
            text, encoding, mixed = decode(data, source_file, sidecar.get("encoding"), reg.encoding)
        except FileError as e:
            e.file = source_file
            raise
        bom = 1 if text.startswith("\ufeff") else 0
        if len(text) == bom or (text[bom].isspace() and text[bom:].isspace()):
            raise FileError("the file is empty", file=source_file, code="empty")
        # The header line, with line ends made "\n" (the whole text only for a file with "\r" line ends).
        nl = text.find("\n")
        head = text[bom:] if nl < 0 else text[bom:nl + 1]
    if "\r" in head:
        head = _normalise_line_ends(head)
    header_line = head.split("\n", 1)[0]
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

    nh = len(header)
    split = None if mixed or not fast else _split_bytes(_body_bytes(data, text, encoding), sep, nh)
    if split is None and text is None and known is not None:  # a part of valid UTF-8: decode it
        text = data.decode("utf-8")
        bom = 1 if text.startswith("\ufeff") else 0
    elif split is None and text is None:  # not a simple file, or not valid UTF-8: decode it as a whole
        return read_raw(path, raw_root, reg, data=original, fast=False)
    if split is not None:  # the common, clean file: split from the bytes (see _split_bytes)
        frame, strip = split
    else:
        full = _normalise_line_ends(text[bom:])
        first_nl = full.find("\n")
        body = "" if first_nl < 0 else full[first_nl + 1:]
        frame = _split_records(body, sep, nh)
        strip = _field_names(nh)
    if frame.height == 0:
        raise FileError("the file has a header but no data rows", file=source_file, code="empty")

    def field(idx: int) -> pl.Expr:
        return pl.col(f"_f{idx}").str.strip_chars() if f"_f{idx}" in strip else pl.col(f"_f{idx}")

    cols = [pl.col("source_line"), pl.col("n_fields"), pl.col("bad_encoding")]
    for name, idx in found.items():
        cols.append(field(idx).alias(name))
    for nm, h in extra.items():
        cols.append(field(header.index(h)).alias(nm))
    frame = frame.select(cols)
    if not mixed:
        frame = frame.with_columns(pl.lit(False).alias("bad_encoding"))
    notes = []
    if extra:
        notes.append(f"extra column(s) kept: {', '.join(extra.values())}")
    if missing_optional:
        notes.append("optional column(s) not in the file: "
                     + ", ".join(reg.column(n).raw for n in missing_optional))
    if padding:
        notes.append(f"{padding[1]} NUL bytes of padding at the end of the file (line {padding[0]}) not read")
    control = has_control_bytes(data) if text is None or encoding not in ("utf-16",) else \
        any(ch in text for ch in CONTROL_CHARS)
    return RawTable(path, source_file, encoding, sep, header, {n: header[i] for n, i in found.items()},
                    missing_optional, extra, frame, nh, notes, padding, control)


def _normalise_line_ends(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _field_names(n: int) -> list[str]:
    return [f"_f{i}" for i in range(n)]


def _split_records(body: str, sep: str, nh: int, native: bool = True) -> pl.DataFrame:
    """Data lines -> frame(source_line, n_fields, bad_encoding, _f0.._f<nh-1>); the header is line 1.

    Fast path in polars: split on the separator (with polars' CSV reader when every line has
    exactly ``nh`` fields, see :func:`_split_plain`; else line by line); fields that are quoted as
    a whole (``"..."``, ``""`` inside) are unquoted. Lines where a quoted field holds the separator
    go through the csv module; if a quoted field spans lines, the whole body does.
    """
    names = _field_names(nh)
    if native and '"' in body:
        unquoted = _without_empty_quoted(body, sep)
        if '"' not in unquoted:  # the only quotes were empty fields written as "": plain split
            plain = _split_plain(unquoted, sep, nh)
            if plain is not None:
                return plain
    out = _split_plain(body, sep, nh) if native else None
    if out is None:
        lines = (
            pl.DataFrame({"line": pl.Series([body], dtype=pl.String).str.split("\n").explode()})
            .with_row_index("source_line", offset=2)
            .with_columns(pl.col("source_line").cast(pl.Int32))
            .filter(pl.col("line").str.strip_chars() != "")
        )
        out = lines.select(
            "source_line",
            (pl.col("line").str.count_matches(sep, literal=True) + 1).cast(pl.Int32).alias("n_fields"),
            pl.col("line").str.contains("\ufffd", literal=True).alias("bad_encoding"),
            pl.col("line").str.split_exact(sep, max(nh - 1, 0)).struct.rename_fields(names).alias("_s"),
            pl.col("line").str.contains('"', literal=True).alias("_q"),
            "line",
        ).unnest("_s")
    elif '"' in body:  # the line holds a quote exactly when one of its fields does
        out = out.with_columns(pl.any_horizontal([pl.col(n).str.contains('"', literal=True) for n in names])
                               .alias("_q"))
    if '"' not in body:
        return out.select("source_line", "n_fields", "bad_encoding", *names)
    # Empty fields written as "" are the common case: blank them first, cheaply.
    out = out.with_columns([pl.when(pl.col(n) == '""').then(pl.lit("")).otherwise(pl.col(n)).alias(n)
                            for n in names])
    quoted_cols = [n for n, any_q in zip(names, out.select(
        [pl.col(n).str.contains('"', literal=True).any() for n in names]).row(0)) if any_q]
    if not quoted_cols:
        return out.select("source_line", "n_fields", "bad_encoding", *names)
    odd, unquote = [], []
    for n in quoted_cols:
        x = pl.col(n)
        inner = x.str.slice(1, x.str.len_chars() - 2)
        w = (x.str.starts_with('"') & x.str.ends_with('"') & (x.str.len_chars() >= 2)
             & ~inner.str.replace_all('""', "", literal=True).str.contains('"', literal=True))
        odd.append(x.str.contains('"', literal=True) & ~w)
        unquote.append(pl.when(w).then(inner.str.replace_all('""', '"', literal=True)).otherwise(x).alias(n))
    out = out.with_columns(
        (pl.col("_q") & (pl.any_horizontal([pl.lit(False), *odd]) | (pl.col("n_fields") != nh))).alias("_complex"),
        *unquote,
    )
    complex_ = out.filter(pl.col("_complex"))
    out = out.filter(~pl.col("_complex"))
    if complex_.height:
        if "line" not in out.columns:  # split natively: the lines are not kept, split them again
            return _split_records(body, sep, nh, native=False)
        if (complex_["line"].str.count_matches('"', literal=True) % 2 == 1).any():
            return _split_records_slow(body, sep, nh)  # a quoted field spans lines
        recs = [next(csv.reader([ln], delimiter=sep)) for ln in complex_["line"].to_list()]
        fixed = _records_frame(complex_["source_line"].to_list(), recs, nh)
        out = pl.concat([out.select(fixed.columns), fixed]).sort("source_line")
    return out.select("source_line", "n_fields", "bad_encoding", *names)


def _without_empty_quoted(body: str, sep: str) -> str:
    """The body with every whole field ``""`` (an empty field, quoted) made empty; other quotes stay.

    Plain string replacements (fast): ``;"";`` twice, because a replacement consumes the
    separator after the field, which may start the next ``"";`` (so ``;"";"";`` needs two
    rounds), then the fields at the start and end of a line.
    """
    q = '""'
    for _ in range(2):
        body = body.replace(f"{sep}{q}{sep}", f"{sep}{sep}")
    body = body.replace(f"\n{q}{sep}", f"\n{sep}").replace(f"{sep}{q}\n", f"{sep}\n")
    if body.startswith(f"{q}{sep}"):
        body = body[2:]
    if body.endswith(f"{sep}{q}"):
        body = body[:-2]
    return body


def _split_plain(body: str, sep: str, nh: int) -> pl.DataFrame | None:
    """The common case, split by polars' native CSV reader (quotes left as they are, for the caller
    to unquote): no U+FFFD, no blank line, every line exactly ``nh`` fields. Then record *i* is
    file line *i* + 2 and the fields are those of a split on the separator, as in the line-by-line
    path, only much faster. Returns None when the body is not that simple.

    Every line has exactly ``nh`` fields when the body holds ``(nh - 1) x lines`` separators and no
    line has more than ``nh`` fields (polars refuses such a line when ``truncate_ragged_lines`` is
    off, and then we fall back); a blank or whitespace-only line would hold too few.
    """
    if nh < 2 or not body or "\ufffd" in body or "\n\n" in body or body.startswith("\n"):
        return None
    n_lines = body.count("\n") + (0 if body.endswith("\n") else 1)
    if body.count(sep) != (nh - 1) * n_lines:
        return None
    names = _field_names(nh)
    try:
        fields = pl.read_csv(body.encode("utf-8"), has_header=False, separator=sep, quote_char=None,
                             schema={n: pl.String for n in names}, empty_string_is_null=False,
                             truncate_ragged_lines=False, comment_prefix=None, eol_char="\n",
                             raise_if_empty=False)
    except pl.exceptions.PolarsError:
        return None
    if fields.height != n_lines or fields.width != nh:
        return None
    return fields.select(
        pl.int_range(2, n_lines + 2, dtype=pl.Int32).alias("source_line"),
        pl.lit(nh, pl.Int32).alias("n_fields"),
        pl.lit(False).alias("bad_encoding"),
        *names,
    )


#: Encodings whose bytes are UTF-8 as they stand (an ASCII file is named after the register's usual one).
_UTF8_AS_IS = ("utf-8", "utf-8-sig", "ascii")


def _body_bytes(data: bytes, text: str | None, encoding: str) -> bytes:
    """The data lines as UTF-8 bytes (everything after the header line, line ends as in the file).
    UTF-8 and ASCII files are sliced as they are (one copy; no decoding; ``text`` is None for a
    file :func:`_utf8_bom_header` read); others are encoded from the decoded text."""
    if encoding in _UTF8_AS_IS or data.isascii():
        raw = data
    else:
        raw = text.encode("utf-8")
    nl = raw.find(b"\n")
    return b"" if nl < 0 else raw[nl + 1:]


def _utf8_bom_header(data: bytes) -> str | None:
    """The header line (up to and with its ``\\n``) of a file that starts with a UTF-8 byte order
    mark, decoded; None for any other file (no mark, NUL bytes, a header that is not UTF-8, or no
    line end), which :func:`decode` then reads as a whole."""
    if not data.startswith(_UTF8_BOM):
        return None
    nl = data.find(b"\n")
    if nl < 0:
        return None
    try:
        head = data[3:nl + 1].decode("utf-8")
    except UnicodeDecodeError:
        return None
    # A blank first line (an empty file?), a second mark or a lone "\r": the general way decides.
    if not head.strip() or head.startswith("\ufeff") or "\r" in head.rstrip("\r\n"):
        return None
    return head


#: Whitespace that polars' strip_chars removes (Unicode White_Space): ASCII ones, and the lead bytes
#: of the others in UTF-8 (U+0085, U+00A0: C2; U+1680: E1; U+2000-U+205F: E2; U+3000: E3).
_ASCII_SPACE = (" ", "\t", "\x0b", "\x0c")
_UNICODE_SPACE_LEAD = (b"\xc2", b"\xe1", b"\xe2", b"\xe3")


def _columns_to_strip(body: bytes, fields: pl.DataFrame, sep: bytes) -> list[str]:
    """The columns in which some field has whitespace at an end (exactly those; the rest need no
    stripping): found by polars (outside the GIL, so the worker threads keep running), and only
    for the whitespace bytes the file holds at all (single-byte searches). Every column when the
    file holds non-ASCII whitespace, which register data rarely does (æøå are C3 xx)."""
    names = fields.columns
    if not body.isascii() and any(u in body for u in _UNICODE_SPACE_LEAD):
        return names
    present = [w for w in _ASCII_SPACE if w.encode() != sep and w.encode() in body]
    present = [w for w in present if _at_field_end(body, w.encode(), sep)]
    if not present:
        return []
    hit = fields.select(
        pl.any_horizontal(pl.col(n).str.starts_with(w) | pl.col(n).str.ends_with(w) for w in present).any().alias(n)
        for n in names).row(0)
    return [n for n, h in zip(names, hit) if h]


def _at_field_end(body: bytes, w: bytes, sep: bytes) -> bool:
    """Whether the one-byte ``w`` stands at the start or end of some field of a clean body: next to
    a separator or a line end (``\\r\\n`` too), or at the body's start or end. In numpy (outside
    the GIL): text with spaces inside fields, like street names, is then not searched column by
    column."""
    a = np.frombuffer(body, dtype=np.uint8)
    at = np.flatnonzero(a == w[0])
    if not at.size:
        return False
    if at[0] == 0 or at[-1] == a.size - 1:
        return True
    ends = np.array([sep[0], 10, 13], dtype=np.uint8)
    return bool(np.isin(a[at - 1], ends[:2]).any() or np.isin(a[at + 1], ends).any())


def _count_byte(data: bytes, byte: bytes) -> int:
    """``data.count(byte)`` for one byte, in numpy (which releases the GIL, so the other worker
    threads keep running; ``bytes.count`` holds it)."""
    return int(np.count_nonzero(np.frombuffer(data, dtype=np.uint8) == byte[0]))


def _every_cr_before_lf(data: bytes) -> bool:
    """Whether every ``\\r`` in ``data`` is followed by ``\\n`` (in numpy, outside the GIL: two
    ``bytes.count`` calls held it for the whole body)."""
    a = np.frombuffer(data, dtype=np.uint8)
    cr = np.flatnonzero(a == 13)
    if not cr.size:
        return True
    if cr[-1] == a.size - 1:
        return False
    return bool((a[cr + 1] == 10).all())


def _split_bytes(body: bytes, sep: str, nh: int) -> tuple[pl.DataFrame, list[str]] | None:
    """The clean file, split by polars' CSV reader straight from the bytes: (frame as
    :func:`_split_plain` returns it, the field columns that may need stripping). None when the
    body is not that simple, and the text path decides.

    Simple means: only ``\\r\\n`` (polars drops the ``\\r``) or ``\\n`` line ends, every line
    exactly ``nh`` fields (the body holds ``(nh - 1) x lines`` separators and polars refuses a
    longer line, so a blank line cannot hide either) and no quote except empty fields written
    ``""``. Only the columns that hold whitespace at a field end are stripped
    (:func:`_columns_to_strip`).
    """
    sb = sep.encode("utf-8")
    if len(sb) != 1 or sb in (b"\r", b"\n", b'"') or nh < 2 or not body:
        return None
    # polars drops the "\r" of a "\r\n" line end itself; any other "\r" is a line end of the text
    # path's kind (or data): counted, not replaced (a replace copies the whole body, holding the GIL).
    if b"\r" in body and not _every_cr_before_lf(body):
        return None
    n_lines = _count_byte(body, b"\n") + (0 if body.endswith(b"\n") else 1)
    if _count_byte(body, sb) != (nh - 1) * n_lines:
        return None
    names = _field_names(nh)
    try:
        fields = pl.read_csv(body, has_header=False, separator=sep, quote_char=None,
                             schema={n: pl.String for n in names}, empty_string_is_null=False,
                             truncate_ragged_lines=False, comment_prefix=None, eol_char="\n",
                             raise_if_empty=False)
    except pl.exceptions.PolarsError:
        return None
    if fields.height != n_lines or fields.width != nh:
        return None
    n_quotes = _count_byte(body, b'"')
    if n_quotes:  # empty fields written "" become empty; any other quote: the text path
        empty = fields.select((pl.col(n) == '""').sum() for n in names).row(0)
        # Every quote byte is one of the two of a "" field: nothing else is quoted.
        if 2 * sum(empty) != n_quotes:
            return None
        fields = fields.with_columns(pl.when(pl.col(n) == '""').then(pl.lit("")).otherwise(pl.col(n)).alias(n)
                                     for n, k in zip(names, empty) if k)
    frame = fields.select(
        pl.int_range(2, n_lines + 2, dtype=pl.Int32).alias("source_line"),
        pl.lit(nh, pl.Int32).alias("n_fields"),
        pl.lit(False).alias("bad_encoding"),
        *names,
    )
    return frame, _columns_to_strip(body, fields, sb)


def _records_frame(starts: list[int], recs: list[list[str]], nh: int) -> pl.DataFrame:
    cols = {n: [r[i] if i < len(r) else None for r in recs] for i, n in enumerate(_field_names(nh))}
    frame = pl.DataFrame({
        "source_line": pl.Series(starts, dtype=pl.Int32),
        "n_fields": pl.Series([len(r) for r in recs], dtype=pl.Int32),
        "bad_encoding": pl.Series(["\ufffd" in "".join(r) for r in recs], dtype=pl.Boolean),
        **{n: pl.Series(v, dtype=pl.String) for n, v in cols.items()},
    })
    return frame


def _split_records_slow(body: str, sep: str, nh: int) -> pl.DataFrame:
    reader = csv.reader(io.StringIO(body), delimiter=sep)
    starts, recs = [], []
    prev = 0
    for rec in reader:
        start = prev + 2  # body line 1 is file line 2
        prev = reader.line_num
        if len(rec) <= 1 and all(not f.strip() for f in rec):
            continue
        starts.append(start)
        recs.append(rec)
    return _records_frame(starts, recs, nh)


# --- Large files in parts (memory bounded by the part, not by the file) ------------------------


class ReadWhole(Exception):
    """A large file that cannot be read in parts with the same result as a whole (the reason is the
    message): the caller reads it whole (:func:`read_raw`)."""


@dataclass
class FileScan:
    """One streaming pass over a file's bytes (:func:`scan_file`): its sha256 and size, and the
    encoding :func:`decode` would decide for the whole file (``codec`` decodes it; ``encoding`` is
    the name recorded). ``whole``: why the file must be read whole instead (None: it can be read in
    parts)."""

    sha256: str
    size: int
    encoding: str = ""
    codec: str = ""
    mixed: bool = False
    whole: str | None = None


#: Bytes read at a time by :func:`scan_file`.
SCAN_BLOCK = 4 << 20


def _lines_blocks(f, block: int):
    """The file's bytes in pieces of about ``block`` bytes that end at a ``\\n`` (the last one
    maybe not): a UTF-8 character or a ``\\r\\n`` is never cut."""
    tail = b""
    while True:
        b = f.read(block)
        if not b:
            if tail:
                yield tail
            return
        b = tail + b
        nl = b.rfind(b"\n")
        if nl < 0:
            tail = b
            continue
        tail = b[nl + 1:]
        yield b[:nl + 1]


def scan_file(path: Path, reg: Register) -> FileScan:
    """sha256, size and the whole file's encoding in one pass of bounded memory, deciding as
    :func:`decode` does on the whole bytes. Raises ``OSError`` when the file cannot be read."""
    h = hashlib.sha256()
    size = nul = 0
    ascii_ = utf8_ok = cp1252_ok = True
    letters = c1 = lone_cr = False
    first = b""
    last = b""
    with open(path, "rb") as f:
        for piece in _lines_blocks(f, SCAN_BLOCK):
            h.update(piece)
            if not size:
                first = piece[:64]
            size += len(piece)
            last = piece
            nul += piece.count(b"\x00")
            if b"\r" in piece and not _every_cr_before_lf(piece):
                lone_cr = True
            if piece.isascii():
                continue
            ascii_ = False
            try:
                piece.decode("utf-8")
                letters = True
            except UnicodeDecodeError:
                utf8_ok = False
                letters = letters or _has_utf8_letters(piece)
            # Bytes 0x80-0x9f decide only when no piece is UTF-8 letters (see decode): looked for until one is.
            if not letters and _has_c1_bytes(piece):
                c1 = True
                try:
                    piece.decode("cp1252")
                except UnicodeDecodeError:
                    cp1252_ok = False
    out = FileScan(h.hexdigest(), size)
    sidecar = read_sidecar(path)
    if sidecar.get("encoding"):
        out.whole = "the encoding is stated in a sidecar"
    elif first.startswith((b"\xff\xfe", b"\xfe\xff")):
        out.whole = "UTF-16"
    elif any(first.startswith(m) for m in BINARY_MAGIC) or nul > BINARY_NUL_SHARE * size:
        out.whole = "binary"
    elif last.endswith(b"\x00"):
        out.whole = "NUL padding at the end"
    elif lone_cr:
        out.whole = "line ends written as a lone \\r"
    if out.whole:
        return out
    if first.startswith(_UTF8_BOM):
        out.encoding, out.codec, out.mixed = "utf-8-sig", "utf-8", not utf8_ok
    elif ascii_:
        out.encoding, out.codec = (reg.encoding or "utf-8").replace("-sig", ""), "utf-8"
    elif utf8_ok:
        out.encoding, out.codec = "utf-8", "utf-8"
    elif letters:
        out.encoding, out.codec, out.mixed = "utf-8", "utf-8", True
    elif c1:  # cp1252; a byte it leaves undefined flags its line (as decode does)
        out.encoding, out.codec, out.mixed = "cp1252", "cp1252", not cp1252_ok
    else:
        declared = reg.encoding
        out.encoding = declared if declared in ("cp1252", "latin-1") and not c1 else "latin-1"
        out.codec = "latin-1"
    return out


def _odd_quote_line(body: bytes) -> bool:
    """Whether some line of ``body`` holds an odd number of ``"`` (a quoted field may span lines:
    only the whole file's reading decides where its records end)."""
    a = np.frombuffer(body, dtype=np.uint8)
    quotes = np.flatnonzero(a == 34)
    if not quotes.size:
        return False
    line_of = np.searchsorted(np.flatnonzero(a == 10), quotes)
    return bool((np.bincount(line_of) % 2).any())


def read_parts(path: Path, raw_root: Path, reg: Register, scan: FileScan, part_bytes: int):
    """A large file as :class:`RawTable` parts of about ``part_bytes`` bytes each, cut at line ends
    (a generator; its parts together are exactly what :func:`read_raw` gives for the whole file:
    the same rows, fields and file line numbers, the encoding decided over the whole file by
    :func:`scan_file`). Raises :class:`ReadWhole` (already before the first part, or later) when
    the file must be read whole instead: a line with an odd number of quotes (a quoted field may
    span lines), or a part :func:`read_raw` refuses (its error is the whole file's to give)."""
    if scan.whole:
        raise ReadWhole(scan.whole)
    with open(path, "rb") as f:
        header = f.readline()
        if not header.endswith(b"\n") or not header.strip():
            raise ReadWhole("no header line")
        line = 1  # lines before the part
        tail = b""
        while True:
            b = f.read(part_bytes)
            if b:
                b = tail + b + f.readline()
            else:
                b = tail
            tail = b""
            if not b:
                return
            n_lines = _count_byte(b, b"\n")
            if b.strip():
                if b'"' in b and _odd_quote_line(b):
                    raise ReadWhole("a line with an odd number of quotes")
                data = header + b
                text = None
                if scan.codec != "utf-8" or scan.mixed:
                    text = data.decode(scan.codec, errors="replace" if scan.mixed else "strict")
                try:
                    part = read_raw(path, raw_root, reg, data=data, known=(scan.encoding, scan.mixed, text))
                except FileError as e:
                    raise ReadWhole(f"a part refused: {e}") from None
                if line > 1:
                    part.frame = part.frame.with_columns(pl.col("source_line") + (line - 1))
                yield part
            line += n_lines
