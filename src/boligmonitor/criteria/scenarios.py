"""Scenarios as data: changes to the criteria's counts, projected year by year to a classification.

A scenario file (YAML, ``boligmonitor/data/scenarios/*.yml``) has ``id``, ``title`` (Danish),
``description``, and two optional lists:

``changes`` -- a yearly change of a count, starting the year after the latest data::

    - component: employment        # employment | crime | education | nonwestern
      areas: [gl_jennumparken, glarbjergvej, hermann_stillingsvej]
      persons_per_year: -20        # split over the areas in proportion to their count
      source: "where the number comes from"

``moves`` -- people moving in or out each year with a profile (shares of the movers)::

    - area: glarbjergvej
      direction: in                # in | out
      persons_per_year: 25
      profile: {age_18_64: 0.6, outside_labour: 0.3, age_18_plus: 0.75, convicted: 0.01,
                age_30_59: 0.4, basic_education: 0.5, nonwestern: 0.2,
                income_earners: 0.5, mean_income: 250000}

``outside_labour`` is the share of the movers aged 18-64 who are outside the labour market
(full-time persons), ``convicted`` of those 18+, ``basic_education`` of those 30-59;
``income_earners`` is the share of movers who are taxable, 15-64 and not in education, with
``mean_income`` their mean gross income. Changes accumulate: year j after the base has j times
the yearly change. Everything else is carried forward from the latest data, so the scenario
``uaendret`` (no changes) is the reference every other scenario is compared with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from boligmonitor.criteria.engine import Classification, classify_series
from boligmonitor.criteria.listyear import list_year_figures
from boligmonitor.criteria.measures import Components
from boligmonitor.criteria.settings import CriteriaSettings
from boligmonitor.errors import InputError

SCENARIO_DIR = Path(__file__).resolve().parents[1] / "data" / "scenarios"
COMPONENT_ALIASES = {
    "employment": ("employment",),
    "crime": ("crime",),
    "education": ("education_2018", "education_2013"),
    "nonwestern": ("nonwestern",),
}
PROFILE_KEYS = ("age_18_64", "outside_labour", "age_18_plus", "convicted", "age_30_59", "basic_education",
                "nonwestern", "income_earners", "mean_income")
SCENARIO_COLUMNS = (
    "scenario_id", "scenario_title", "area_id", "list_year", "rule_version", "projected",
    "residents", "pct_nonwestern", "pct_outside_labour", "pct_convicted", "national_pct_convicted",
    "pct_basic_education", "pct_income_of_region", "crit_employment", "crit_crime", "crit_education",
    "crit_income", "n_criteria", "udsat", "parallelsamfund", "omdannelse", "forebyggelse",
)


@dataclass
class Scenario:
    id: str
    title: str
    description: str = ""
    changes: list[dict] = field(default_factory=list)
    moves: list[dict] = field(default_factory=list)
    source_file: str = ""


def load_scenario(path: Path) -> Scenario:
    """Read and validate a scenario file; errors name the file and the entry."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as e:
        raise InputError(f"not valid YAML: {e}", path) from None
    for key in ("id", "title"):
        if not data.get(key):
            raise InputError(f"scenario needs '{key}'", path, column=key)
    sc = Scenario(str(data["id"]), str(data["title"]), str(data.get("description", "")),
                  list(data.get("changes") or []), list(data.get("moves") or []), str(path))
    for i, ch in enumerate(sc.changes, start=1):
        where = f"changes[{i}]"
        if ch.get("component") not in COMPONENT_ALIASES:
            raise InputError(f"{where}: component must be one of {', '.join(COMPONENT_ALIASES)}", path,
                             column="component")
        if not ch.get("areas") or not isinstance(ch["areas"], list):
            raise InputError(f"{where}: 'areas' must be a list of area ids", path, column="areas")
        if not isinstance(ch.get("persons_per_year"), (int, float)):
            raise InputError(f"{where}: 'persons_per_year' must be a number", path, column="persons_per_year")
    for i, mv in enumerate(sc.moves, start=1):
        where = f"moves[{i}]"
        if mv.get("direction") not in ("in", "out"):
            raise InputError(f"{where}: direction must be 'in' or 'out'", path, column="direction")
        if not isinstance(mv.get("persons_per_year"), (int, float)) or mv["persons_per_year"] < 0:
            raise InputError(f"{where}: 'persons_per_year' must be a number >= 0", path,
                             column="persons_per_year")
        prof = mv.get("profile") or {}
        bad = sorted(set(prof) - set(PROFILE_KEYS))
        if bad:
            raise InputError(f"{where}: unknown profile key(s) {', '.join(bad)}", path, column="profile")
        for k, v in prof.items():
            if not isinstance(v, (int, float)) or v < 0 or (k != "mean_income" and v > 1):
                raise InputError(f"{where}: profile {k} must be a share between 0 and 1", path, column=k)
        if not mv.get("area"):
            raise InputError(f"{where}: 'area' is missing", path, column="area")
    return sc


def user_scenario_dir() -> Path:
    """The project's own scenarios (``scenarios/*.yml`` at the project root): what-ifs the monitoring unit
    writes and shares without touching the package."""
    from boligmonitor import config

    return config.project_root() / "scenarios"


def shipped_scenarios() -> list[Scenario]:
    """The package's scenarios (the plan's targets, an example) and the project's own, by file name.

    Two scenarios with the same id are an error naming both files."""
    paths = sorted(SCENARIO_DIR.glob("*.yml")) + sorted(user_scenario_dir().glob("*.yml"))
    seen: dict[str, Path] = {}
    out = []
    for p in paths:
        sc = load_scenario(p)
        if sc.id in seen:
            raise InputError(f"scenario id {sc.id!r} is also used by {seen[sc.id]}", p, column="id")
        seen[sc.id] = p
        out.append(sc)
    return out


def apply_scenario(comp: Components, sc: Scenario, until_list_year: int) -> tuple[Components, set]:
    """Carry every count forward to ``until_list_year`` and apply the scenario's yearly changes."""
    filled, projected = comp.carried_forward(until_list_year)
    values = dict(filled.values)
    base_stock = comp.data_years[-1]
    base_flow = comp.last_flow_year

    def base_year(c: str) -> int:
        return base_stock if c in Components.STOCKS else base_flow

    def add(group: str, c: str, d_num: float, d_den: float = 0.0) -> None:
        for (g, cc, y), (num, den) in list(values.items()):
            if g != group or cc != c or y <= base_year(c):
                continue
            j = y - base_year(c)
            new_den = None if den is None else max(0.0, den + j * d_den)
            new_num = max(0.0, num + j * d_num)
            if new_den is not None:
                new_num = min(new_num, new_den) if c != "income" else new_num
            values[(g, cc, y)] = (new_num, new_den)

    for ch in sc.changes:
        comps = COMPONENT_ALIASES[ch["component"]]
        weights = {}
        for a in ch["areas"]:
            v = comp.get(a, comps[0], base_year(comps[0]))
            weights[a] = v[0] if v else 0.0
        total = sum(weights.values())
        for a in ch["areas"]:
            share = (weights[a] / total) if total else 1.0 / len(ch["areas"])
            for c in comps:
                add(a, c, ch["persons_per_year"] * share)
    for mv in sc.moves:
        sign = 1.0 if mv["direction"] == "in" else -1.0
        n = sign * float(mv["persons_per_year"])
        p = {k: float(v) for k, v in (mv.get("profile") or {}).items()}
        a = mv["area"]
        add(a, "residents", n)
        add(a, "nonwestern", n * p.get("nonwestern", 0.0), n)
        add(a, "employment", n * p.get("age_18_64", 0.0) * p.get("outside_labour", 0.0), n * p.get("age_18_64", 0.0))
        add(a, "crime", n * p.get("age_18_plus", 0.0) * p.get("convicted", 0.0), n * p.get("age_18_plus", 0.0))
        for c in COMPONENT_ALIASES["education"]:
            add(a, c, n * p.get("age_30_59", 0.0) * p.get("basic_education", 0.0), n * p.get("age_30_59", 0.0))
        add(a, "income", n * p.get("income_earners", 0.0) * p.get("mean_income", 0.0), n * p.get("income_earners", 0.0))
    return Components(values, filled.national_crime, filled.region_income, filled.data_years,
                      filled.last_flow_year), projected


def run_scenario(comp: Components, sc: Scenario, areas: list[str], settings: CriteriaSettings) -> list[tuple]:
    """Rows for ``metrics.scenarios``: the latest actual list and each projected list year."""
    last = comp.data_years[-1]
    until = last + settings.scenario_horizon
    scen, projected = apply_scenario(comp, sc, until)
    rows = []
    for area in areas:
        figs = []
        for y in comp.data_years:
            figs.append(list_year_figures(comp, area, y, settings)[0])
        for y in range(last + 1, until + 1):
            figs.append(list_year_figures(scen, area, y, settings, projected)[0])
        for f, c in zip(figs, classify_series(figs, settings)):
            if f.list_year < last:
                continue
            rows.append(_row(sc, f, c, f.list_year > last))
    return rows


def _row(sc: Scenario, f, c: Classification, projected: bool) -> tuple:
    crit = {r.criterion: r.met for r in c.criteria if r.threshold_set == c.criteria[0].threshold_set}
    return (
        sc.id, sc.title, f.area, f.list_year, c.rule_version, projected,
        f.residents, f.pct_nonwestern, f.pct_outside_labour, f.pct_convicted, f.national_pct_convicted,
        f.pct_basic_education, f.pct_income_of_region,
        crit.get("employment"), crit.get("crime"), crit.get("education"), crit.get("income"),
        c.n_criteria, c.udsat, c.parallelsamfund, c.omdannelse, c.forebyggelse,
    )


STATUS_QUO = Scenario("uaendret", "Uændret udvikling", "Alle tal fremskrives uændret fra de seneste data.")

__all__ = ["Scenario", "load_scenario", "shipped_scenarios", "apply_scenario", "run_scenario", "STATUS_QUO"]
