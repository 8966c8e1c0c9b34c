"""The plan's address ranges: notation parser, street-name normalisation, range membership.

The plan (*Den boligsociale Helhedsplan Randers 2021-25*, the address lists before the section
"DE FEM OMRÅDER BOLIGOMRÅDERNE") writes its address lists in free Danish notation, e.g.::

    Flyvervej (lige numre 2-26 + 5)
    Garnisonsvej 1-3 (ulige numre), 7-19, 31-35(ulige numre) og 30-40 (lige numre)
    Energivej (4-18 (lige numre), 22, 38-72)
    Vidarsvej 1-16 +18-30 (Lige numre)

:func:`parse_notation` turns one such entry into :class:`RangeSpec` rows. The rules (see
``docs/geography.md``, listed there for the user to confirm):

* A parity word *before* a range (``lige numre 2-26``) covers that one range only.
* A parity note in parentheses *after* a range (``1-3 (ulige numre)``) covers that one range only
  (``postfix_scope="item"``, the default). With ``postfix_scope="list"`` it covers every earlier
  range of the entry that has no parity of its own (the alternative reading, kept for the user).
* A range or number without any parity note covers all numbers (odd and even).
* Separators ``,``, ``+`` and ``og`` only separate; parentheses around the list only group.

House numbers may carry a letter (``12A``); the letter is ignored for range membership
(``12A`` lies in ``2-40`` even) and kept in the address key.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from boligmonitor.errors import InputError

PARITIES = ("all", "odd", "even")

#: Spelling variants that normalisation alone cannot unify: normalised variant -> normalised official.
#: (Normalisation already removes case, spaces, dots and hyphens, writes "Gl." as "Gammel" and
#: transliterates æ/ø/å; see :func:`normalise_street`.)
STREET_ALIASES: dict[str, str] = {
    # The plan writes "Herman Stillingsvej" / "Herman Stillings vej"; the street is "Hermann Stillings Vej".
    "hermanstillingsvej": "hermannstillingsvej",
    # Short forms seen in registers for the two streets named after persons.
    "peterknudsensvej": "pknudsensvej",
    "maersksandersensvej": "maerskandersensvej",
    # Frequent misspelling of Stadfeldtsvej.
    "stadfeldsvej": "stadfeldtsvej",
    "stadfeltsvej": "stadfeldtsvej",
}

_TRANSLIT = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ä": "ae", "ö": "oe", "ü": "u", "é": "e"})


@lru_cache(maxsize=65536)
def normalise_street(name: str) -> str:
    """Normalised street name for matching.

    Case-folded; ``Gl.``/``Gl`` as a word becomes ``gammel``; æ/ø/å transliterated to ae/oe/aa;
    everything but letters and digits removed (so ``Herman Stillings vej``, ``Hermann Stillingsvej``
    and ``HERMANN STILLINGS VEJ`` meet); finally the alias table :data:`STREET_ALIASES`.
    """
    if name is None:
        return ""
    s = unicodedata.normalize("NFKC", str(name)).casefold().strip()
    s = re.sub(r"\bgl\b\.?", "gammel ", s)
    s = s.translate(_TRANSLIT)
    s = re.sub(r"[^a-z0-9]", "", s)
    return STREET_ALIASES.get(s, s)


_HOUSE_RE = re.compile(r"^\s*0*(\d{1,4})\s*([A-Za-zÆØÅæøå]?)\s*$")


@lru_cache(maxsize=65536)
def parse_house_number(value: str | int | None) -> tuple[int, str] | None:
    """``"12A"`` -> ``(12, "A")``, ``"7"`` -> ``(7, "")``; ``None`` when it is not a house number."""
    if value is None:
        return None
    m = _HOUSE_RE.match(str(value))
    if not m:
        return None
    return int(m.group(1)), m.group(2).upper()


def normalise_house_number(value: str | int | None) -> str:
    """``" 012 a"`` -> ``"12A"``; text that is not a house number is returned stripped and upper-cased."""
    p = parse_house_number(value)
    if p is None:
        return "" if value is None else re.sub(r"\s+", "", str(value)).upper()
    return f"{p[0]}{p[1]}"


def normalise_postcode(value: str | int | None) -> str:
    if value is None:
        return ""
    s = str(value).strip()
    try:
        return str(int(float(s)))
    except ValueError:
        return s


def address_key(street: str, house_number: str | int, postcode: str | int) -> str:
    """The address key: normalised street, house number (letter upper-cased), postcode.

    >>> address_key("Herman Stillings vej", "12a", 8930)
    'hermannstillingsvej|12A|8930'
    """
    return f"{normalise_street(street)}|{normalise_house_number(house_number)}|{normalise_postcode(postcode)}"


def parity_matches(number: int, parity: str) -> bool:
    if parity == "all":
        return True
    if parity == "odd":
        return number % 2 == 1
    if parity == "even":
        return number % 2 == 0
    raise ValueError(f"unknown parity {parity!r}; known: {', '.join(PARITIES)}")


def in_range(house_number: str | int, from_number: int, to_number: int, parity: str) -> bool:
    """Whether a house number (letters allowed, ignored) lies in ``from-to`` with that parity."""
    p = parse_house_number(house_number)
    if p is None:
        return False
    n = p[0]
    return from_number <= n <= to_number and parity_matches(n, parity)


# --- the notation parser -----------------------------------------------------------------------


class NotationError(InputError):
    """An address-list entry in the plan's notation that cannot be parsed."""


@dataclass(frozen=True)
class RangeSpec:
    street: str  # as written in the entry
    from_number: int
    to_number: int
    parity: str  # all / odd / even

    def contains(self, house_number: str | int) -> bool:
        return in_range(house_number, self.from_number, self.to_number, self.parity)

    def numbers(self) -> list[int]:
        return [n for n in range(self.from_number, self.to_number + 1) if parity_matches(n, self.parity)]


_TOKEN_RE = re.compile(
    r"""
      (?P<postfix>\(\s*(?P<ppar>u?lige)\s*(?:numre|nr\.?|husnumre)?\s*\))
    | (?P<prefix>(?P<par>u?lige)\s*(?:numre|nr\.?|husnumre)?)
    | (?P<range>(?P<a>\d+)\s*[-–]\s*(?P<b>\d+))
    | (?P<num>\d+)
    | (?P<sep>[,+]|\bog\b)
    | (?P<open>\()
    | (?P<close>\))
    | (?P<space>\s+)
    """,
    re.VERBOSE | re.IGNORECASE,
)


def _parity_word(word: str) -> str:
    return "odd" if word.lower().startswith("u") else "even"


def split_street(entry: str) -> tuple[str, str]:
    """``"Falkevej 1-41 (ulige numre)"`` -> ``("Falkevej", "1-41 (ulige numre)")``."""
    text = re.sub(r"\s+", " ", entry).strip()
    m = re.search(r"\s*[\d(]", text)
    if not m or m.start() == 0:
        raise NotationError(f"no street name before the house numbers in {entry!r}")
    return text[: m.start()].strip(), text[m.start():].strip()


def parse_notation(entry: str, postfix_scope: str = "item") -> list[RangeSpec]:
    """Parse one entry of the plan's address lists into ranges (see the module docstring for the rules).

    Line breaks inside the entry are allowed (the plan wraps long entries). Raises
    :class:`NotationError` for anything it does not understand.
    """
    if postfix_scope not in ("item", "list"):
        raise ValueError("postfix_scope must be 'item' or 'list'")
    street, rest = split_street(entry)
    items: list[list] = []  # [from, to, parity or None]
    pending: str | None = None
    pos = 0
    depth = 0
    while pos < len(rest):
        m = _TOKEN_RE.match(rest, pos)
        if not m:
            raise NotationError(f"cannot read {rest[pos:]!r} in the address entry {entry!r}")
        pos = m.end()
        kind = m.lastgroup
        if m.group("postfix"):
            par = _parity_word(m.group("ppar"))
            if not items or items[-1][2] not in (None, par):
                raise NotationError(f"parity note {m.group('postfix')!r} follows no range in {entry!r}")
            if postfix_scope == "list":
                for it in items:
                    if it[2] is None:
                        it[2] = par
            else:
                items[-1][2] = par
        elif m.group("prefix"):
            if pending is not None:
                raise NotationError(f"two parity words in a row in {entry!r}")
            pending = _parity_word(m.group("par"))
        elif m.group("range") or m.group("num"):
            if m.group("range"):
                a, b = int(m.group("a")), int(m.group("b"))
            else:
                a = b = int(m.group("num"))
            if a > b:
                raise NotationError(f"range {a}-{b} runs backwards in {entry!r}")
            items.append([a, b, pending])
            pending = None
        elif kind == "open":
            depth += 1
        elif kind == "close":
            depth -= 1
            if depth < 0:
                raise NotationError(f"unbalanced ')' in {entry!r}")
        # separators and spaces carry no meaning
        if pending is not None and kind in ("sep", "close"):
            raise NotationError(f"parity word without a range after it in {entry!r}")
    if depth != 0:
        raise NotationError(f"unbalanced '(' in {entry!r}")
    if pending is not None:
        raise NotationError(f"parity word without a range after it in {entry!r}")
    if not items:
        raise NotationError(f"no house numbers in {entry!r}")
    return [RangeSpec(street, a, b, par or "all") for a, b, par in items]


# --- the transcribed range table -------------------------------------------------------------

RANGE_COLUMNS = ("area_id", "street", "from_number", "to_number", "parity", "original_text", "note")


@dataclass(frozen=True)
class RangeRow:
    area_id: str
    street: str  # official spelling
    from_number: int
    to_number: int
    parity: str
    original_text: str
    note: str
    line: int  # line in the CSV file (header = 1)


def read_range_table(path: Path) -> list[RangeRow]:
    """Read and validate ``geo/address_ranges.csv``; errors name file, line and column."""
    import csv

    from boligmonitor.areas import AREA_IDS

    path = Path(path)
    if not path.is_file():
        raise InputError("address range table not found", file=path)
    rows: list[RangeRow] = []
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in RANGE_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise InputError(f"missing columns: {', '.join(missing)}", file=path, line=1)
        for i, rec in enumerate(reader, start=2):
            if rec["area_id"] not in AREA_IDS:
                raise InputError(f"unknown area id {rec['area_id']!r}", file=path, line=i, column="area_id")
            if not (rec["street"] or "").strip():
                raise InputError("street is empty", file=path, line=i, column="street")
            nums = {}
            for col in ("from_number", "to_number"):
                try:
                    nums[col] = int(rec[col])
                except (TypeError, ValueError):
                    raise InputError(f"not a whole number: {rec[col]!r}", file=path, line=i, column=col) from None
            if nums["from_number"] > nums["to_number"]:
                raise InputError("from_number is larger than to_number", file=path, line=i, column="to_number")
            if rec["parity"] not in PARITIES:
                raise InputError(
                    f"parity must be one of {', '.join(PARITIES)}, not {rec['parity']!r}",
                    file=path, line=i, column="parity",
                )
            rows.append(RangeRow(rec["area_id"], rec["street"].strip(), nums["from_number"], nums["to_number"],
                                 rec["parity"], rec["original_text"], rec["note"] or "", i))
    if not rows:
        raise InputError("the address range table is empty", file=path)
    return rows


class RangeIndex:
    """Fast lookup of the area of an address by the range table (street normalised, letters ignored)."""

    def __init__(self, rows: Iterable[RangeRow]):
        self.rows = list(rows)
        self._by_street: dict[str, list[RangeRow]] = {}
        for r in self.rows:
            self._by_street.setdefault(normalise_street(r.street), []).append(r)

    def areas(self, street: str, house_number: str | int) -> set[str]:
        rows = self._by_street.get(normalise_street(street))
        if not rows:
            return set()
        p = parse_house_number(house_number)
        if p is None:
            return set()
        n = p[0]
        return {r.area_id for r in rows if r.from_number <= n <= r.to_number and parity_matches(n, r.parity)}

    def area(self, street: str, house_number: str | int) -> str | None:
        """The area of the address by the ranges, ``None`` outside; two areas is an input error."""
        if normalise_street(street) not in self._by_street:
            return None
        found = self.areas(street, house_number)
        if len(found) > 1:
            raise InputError(f"{street} {house_number} lies in the ranges of several areas: {sorted(found)}")
        return next(iter(found), None)

    def assign(self, streets: Sequence[str], numbers: Sequence[str | int]) -> list[str | None]:
        return [self.area(s, h) for s, h in zip(list(streets), list(numbers))]

    def streets(self) -> set[str]:
        """Normalised names of every street that occurs in the ranges."""
        return set(self._by_street)

    def overlaps(self) -> list[tuple[RangeRow, RangeRow]]:
        """Pairs of rows whose number sets intersect (a range table should have none)."""
        out = []
        for rows in self._by_street.values():
            for i, a in enumerate(rows):
                for b in rows[i + 1:]:
                    if set(RangeSpec(a.street, a.from_number, a.to_number, a.parity).numbers()) & set(
                        RangeSpec(b.street, b.from_number, b.to_number, b.parity).numbers()
                    ):
                        out.append((a, b))
        return out
