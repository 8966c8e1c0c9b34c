"""The number-format rule (ingest/numbers.py): decided once per file and column, wherever numbers
are read (ingest of yearly and reference registers, ``boligmonitor classify``). Case 01 of issue 13
(tests/fixtures/cases/01_excerpt_indkomst.csv) and the other float columns."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from boligmonitor.criteria.cli import read_figures
from boligmonitor.errors import InputError
from boligmonitor.ingest import numbers
from boligmonitor.ingest.load import read_file
from boligmonitor.ingest.reader import FileError
from boligmonitor.registers import register

CASES = Path(__file__).parent / "fixtures" / "cases"
KEY = b"test-key"


def S(*v):
    return pl.Series("v", list(v), dtype=pl.String)


def test_evidence_shapes():
    ev = numbers.evidence(S("299.220", "134.878", "-12.500", "1.079.571", "7"))
    assert ev["comma"] == 1 and ev["point"] == 0 and ev["ambiguous_point"] == 3
    assert numbers.evidence(S("12,5", "0,720"))["comma"] == 2
    assert numbers.evidence(S("12.5", "1,234.5", "1,079,571"))["point"] == 3
    assert numbers.evidence(S("1,500"))["ambiguous_comma"] == 1


@pytest.mark.parametrize(("values", "kw", "decimal"), [
    (["299.220", "134.878", "-12.500", "1.079.571"], {}, ","),  # two point groups: thousands
    (["299.220", "134.878", "-12.500"], {"lo": -5e6, "hi": 1e8, "typical": (1e4, 2e6)}, ","),  # unit decides
    (["1.500", "2.000", "12"], {"lo": 0, "hi": 120}, "."),  # 1500 absence days: out of range
    (["1,500", "2,000", "12"], {"lo": 0, "hi": 120}, ","),
    (["299,220", "134,878"], {"typical": (1e4, 2e6)}, "."),  # English thousands commas in kroner
    (["5,6", "7", "10,2"], {}, ","),
    (["5.6", "7", "10.2"], {}, "."),
    (["1.234", "2.500"], {"lo": 0, "hi": 1e6, "whole": True}, ","),  # persons are whole
    (["7", "12"], {}, ","),  # nothing to decide: the registers' convention
])
def test_decide(values, kw, decimal):
    assert numbers.decide(S(*values), **kw).decimal == decimal


def test_parse_applies_one_decision_to_every_value():
    v = S("299.220", "1.079.571", "-12.500", "1.234,5", "12.34,5", "1,2,3", "1e5", "inf", "", None)
    assert numbers.parse(v, ",").to_list() == [299220.0, 1079571.0, -12500.0, 1234.5, None, None, None, None,
                                                None, None]
    assert numbers.parse(S("1,079,571", "12.5", "1.234,5"), ".").to_list() == [1079571.0, 12.5, None]


@pytest.mark.parametrize("values", [
    ["1,5", "2.5", "3,5", "4.5"],  # decimal commas and points mixed
    ["411.100"],  # 411.1 or 411,100: both in range, no unit
    ["1.500", "2,500"],  # both marks before three digits
])
def test_ambiguous_columns_stop(values):
    with pytest.raises(numbers.NumberFormatError):
        numbers.decide(S(*values), lo=0, hi=1e7)


def _write(tmp: Path, name: str, text: str, year: str = "2023") -> Path:
    d = tmp / year
    d.mkdir(parents=True, exist_ok=True)
    p = d / name
    p.write_text(text, encoding="utf-8")
    return p


def test_case01_income_with_thousands_points_reads_as_kroner(tmp_path):
    """Case 01: ``299.220`` is 299,220 kr and ``1.079.571`` is 1,079,571 kr; nothing quarantined."""
    p = tmp_path / "2023" / "indkomst.csv"
    p.parent.mkdir()
    shutil.copy(CASES / "01_excerpt_indkomst.csv", p)
    v = read_file(p, register("indkomst"), 2023, KEY, tmp_path)
    assert v.quarantine.height == 0
    assert v.rows["gross_income"].to_list() == [299220.0, 134878.0, -12500.0, 1079571.0]


def test_case01_without_the_million_the_unit_decides(tmp_path):
    text = (CASES / "01_excerpt_indkomst.csv").read_text().replace("6404651230;1.079.571;J\n", "")
    p = _write(tmp_path, "indkomst.csv", text)
    v = read_file(p, register("indkomst"), 2023, KEY, tmp_path)
    assert v.quarantine.height == 0 and v.rows["gross_income"].to_list() == [299220.0, 134878.0, -12500.0]


def test_reference_region_income_with_thousands_points(tmp_path):
    text = ("AAR;GNS_BRUTTOINDK;ILLUSTRATIV;KILDE\n2021;411.100;J;x\n2022;420.350;J;x\n2023;1.002.000;J;x\n")
    p = _write(tmp_path, "regionsindkomst.csv", text, "reference")
    v = read_file(p, register("regionsindkomst"), None, KEY, tmp_path)
    assert v.rows["mean_gross_income"].to_list() == [411100.0, 420350.0, 1002000.0]
    # the same column with one value only: the unit (median 50,000-2,000,000 kr) decides
    p.write_text("AAR;GNS_BRUTTOINDK;ILLUSTRATIV;KILDE\n2021;411.100;J;x\n", encoding="utf-8")
    assert read_file(p, register("regionsindkomst"), None, KEY, tmp_path).rows["mean_gross_income"].to_list() == [
        411100.0]


def test_reference_national_crime_decimal_point_and_comma(tmp_path):
    for body, want in (("2021;0,720;J;x\n2022;1,5;J;x\n", [0.72, 1.5]), ("2021;0.720;J;x\n2022;1.5;J;x\n", [0.72, 1.5])):
        p = _write(tmp_path, "landstal_kriminalitet.csv", "AAR;ANDEL_DOEMTE_PCT;ILLUSTRATIV;KILDE\n" + body,
                   "reference")
        assert read_file(p, register("landstal_kriminalitet"), None, KEY, tmp_path).rows["pct_convicted"].to_list() \
            == want


def test_absence_days_and_marks(tmp_path):
    head = "PNR;SKOLEAAR;HALVAAR;KLASSETRIN;SKOLE;SKOLEDAGE;FRAVAERSDAGE\n"
    rows = "".join(f"61010{i}4001;2022/23;1;7;Vorup Skole;98;{v}\n" for i, v in enumerate(["1.500", "12.000", "4"]))
    p = _write(tmp_path, "fravaer.csv", head + rows)
    v = read_file(p, register("fravaer"), 2023, KEY, tmp_path)
    assert v.rows["absence_days"].to_list() == [1.5, 12.0, 4.0]  # 1,500 days would be out of range
    head = "PNR;SKOLEAAR;FAG;KARAKTER\n"
    rows = "".join(f"6101{i}44001;2022/23;DANSK;{m}\n" for i, m in enumerate(["7.5", "10.2", "-3"]))
    p = _write(tmp_path, "karakterer.csv", head + rows)
    assert read_file(p, register("karakterer"), 2023, KEY, tmp_path).rows["mark"].to_list() == [7.5, 10.2, -3.0]


def test_ambiguous_column_stops_the_file_naming_file_and_column(tmp_path):
    head = "PNR;SKOLEAAR;FAG;KARAKTER\n"
    rows = "".join(f"6101{i}44001;2022/23;DANSK;{m}\n" for i, m in enumerate(["7,5", "10.2", "4,2", "2.1"]))
    p = _write(tmp_path, "karakterer.csv", head + rows)
    with pytest.raises(FileError) as e:
        read_file(p, register("karakterer"), 2023, KEY, tmp_path)
    assert e.value.file == "2023/karakterer.csv" and e.value.column == "KARAKTER"
    assert e.value.code == "ambiguous_number" and "KARAKTER" in str(e.value)


def test_value_of_the_other_format_is_quarantined_not_guessed(tmp_path):
    """One stray ``12.34`` among 1,000 decimal-comma values: not a number in this column."""
    head = "PNR;SKOLEAAR;HALVAAR;KLASSETRIN;SKOLE;SKOLEDAGE;FRAVAERSDAGE\n"
    vals = [f"{i // 10},{i % 10}" for i in range(1000)] + ["12.34"]
    rows = "".join(f"610180{i:04d};2022/23;1;7;Vorup Skole;98;{v}\n" for i, v in enumerate(vals))
    p = _write(tmp_path, "fravaer.csv", head + rows)
    v = read_file(p, register("fravaer"), 2023, KEY, tmp_path)
    assert v.quarantine["reason_code"].to_list() == ["bad_number"] and v.quarantine["value"].to_list() == ["12.34"]


def test_whole_number_column_with_thousands_point(tmp_path):
    text = "SAGSNR;VEJNAVN;HUSNR;ETAGE;SIDEDOER;POSTNR;SAGSDATO;EFFEKTUERET;UDLEJER\n"
    p = _write(tmp_path, "udsaettelser.csv", text)
    reg = register("udsaettelser")
    heads = reg.raw_headers
    line = {h: "" for h in heads}
    line.update(SAGSNR="S1", KOM="730", VEJNAVN="Sivgade", HUSNR="4", POSTNR="8.940", SAGSDATO="01-02-2023",
                EFFEKTUERET="J", UDLEJER=next(iter(reg.column("UDLEJER").codes)))
    p.write_text(";".join(heads) + "\n" + ";".join(line[h] for h in heads) + "\n", encoding="utf-8")
    v = read_file(p, reg, 2023, KEY, tmp_path)
    assert v.quarantine.height == 0 and v.rows["postcode"].to_list() == [8940]


def test_classify_reads_numbers_by_the_same_rule(tmp_path):
    cols = "area;year;residents;pct_outside_labour;pct_convicted;national_pct_convicted;pct_basic_education;" \
           "pct_income_of_region;pct_nonwestern"
    p = tmp_path / "in.csv"
    p.write_text(cols + "\na;2024;1.234;41,2;2,1;0,7;55,0;48,5;60,1\nb;2024;2.500;10,0;1,0;0,7;20,0;90,0;20,0\n",
                 encoding="utf-8")
    _, _, figs = read_figures(p)
    assert [f.residents for f in figs] == [1234, 2500] and figs[0].pct_outside_labour == 41.2
    p.write_text(cols + "\na;2024;1234;41,2;2.1;0,7;55,0;48,5;60,1\nb;2024;2500;10,0;1,0;0,7;20,0;90,0;20,0\n",
                 encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_figures(p)
    assert e.value.column == "pct_convicted" and "in.csv" in str(e.value)


def test_address_importer_reads_coordinates_by_the_same_rule(tmp_path):
    """An importer reading numbers (DAWA addresses): a Danish export with decimal commas gives the
    same coordinates; a column mixing both marks stops, naming the file and column."""
    from boligmonitor.geo.layers import import_addresses

    fixture = Path(__file__).parent / "fixtures" / "geo" / "dawa_adresser.csv"
    lines = fixture.read_text(encoding="utf-8").splitlines()
    danish = tmp_path / "adresser.csv"
    danish.write_text("\n".join(ln.replace(",", ";").replace(".", ",") for ln in lines) + "\n", encoding="utf-8")
    a, b = import_addresses(fixture), import_addresses(danish)
    assert a.geometry.x.tolist() == b.geometry.x.tolist() and a.geometry.y.tolist() == b.geometry.y.tolist()
    mixed_lines = [ln.replace(",", ";").replace(".", ",") for ln in lines]
    half = len(mixed_lines) // 2
    mixed_lines[1:half] = [ln.replace(",", ".") for ln in mixed_lines[1:half]]
    mixed = tmp_path / "blandet.csv"
    mixed.write_text("\n".join(mixed_lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        import_addresses(mixed)
    assert "blandet.csv" in str(e.value) and e.value.column in ("x", "y") and "ambiguous" in str(e.value)
