"""pyproject.toml (the pip path) and environment.yml (the conda path) list the same libraries."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
# conda-forge package name -> PyPI name, where they differ
CONDA_TO_PYPI = {"python-duckdb": "duckdb", "quarto": "quarto-cli"}


def _name(spec: str) -> str:
    return re.split(r"[<>=!~ \[]", spec.strip(), maxsplit=1)[0].lower()


def pip_libraries() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {_name(d) for d in project["dependencies"]}
    for extra in ("dev", "site"):
        names |= {_name(d) for d in project["optional-dependencies"][extra]}
    return names


def conda_libraries() -> set[str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    names = set()
    for dep in env["dependencies"]:
        if isinstance(dep, str):
            n = _name(dep)
            if n not in ("python", "pip"):
                names.add(CONDA_TO_PYPI.get(n, n))
    return names


def test_pip_and_conda_list_the_same_libraries():
    pip, conda = pip_libraries(), conda_libraries()
    assert pip - conda == set(), f"in pyproject.toml but not environment.yml: {sorted(pip - conda)}"
    assert conda - pip == set(), f"in environment.yml but not pyproject.toml: {sorted(conda - pip)}"


def test_conda_environment_brings_quarto_and_installs_the_package():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "conda-forge" in env["channels"]
    assert any(isinstance(d, str) and _name(d) == "quarto" for d in env["dependencies"])
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_section
