"""Scenarios of the project's own (scenarios/*.yml at the project root) join the shipped ones."""

import shutil

import pytest

from boligmonitor import config
from boligmonitor.criteria import scenarios
from boligmonitor.errors import InputError


def _root(tmp_path, monkeypatch):
    (tmp_path / "scenarios").mkdir()
    monkeypatch.setattr(scenarios, "user_scenario_dir", lambda: tmp_path / "scenarios")
    return tmp_path / "scenarios"


def test_a_user_scenario_is_loaded_next_to_the_shipped_ones(tmp_path, monkeypatch):
    d = _root(tmp_path, monkeypatch)
    text = (scenarios.SCENARIO_DIR / "example_moves.yml").read_text(encoding="utf-8")
    (d / "mine.yml").write_text(text.replace("id: example_moves", "id: mine"), encoding="utf-8")
    ids = [s.id for s in scenarios.shipped_scenarios()]
    assert "plan_targets" in ids and "mine" in ids


def test_two_scenarios_with_the_same_id_are_an_error_naming_the_file(tmp_path, monkeypatch):
    d = _root(tmp_path, monkeypatch)
    shutil.copy(scenarios.SCENARIO_DIR / "example_moves.yml", d / "copy.yml")
    with pytest.raises(InputError, match="copy.yml"):
        scenarios.shipped_scenarios()


def test_the_project_folder_is_the_default_place():
    assert scenarios.user_scenario_dir() == config.project_root() / "scenarios"
