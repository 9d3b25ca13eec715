"""The checklist loader: the shipped checklist loads, and every malformed file is located precisely."""
from __future__ import annotations

from pathlib import Path

import pytest

from readiness.checklist import AREA_IDS, load_checklist, parse_checklist, pending_checks
from readiness.yamlsource import ConfigError

MALFORMED = Path(__file__).parent / "malformed"
SHIPPED = Path(__file__).resolve().parents[2] / "data" / "checklists"


def problems_of(name: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_checklist(MALFORMED / name)
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize("path", sorted(SHIPPED.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_checklist_loads_with_all_areas(path):
    checklist = load_checklist(path)
    assert [a.id for a in checklist.areas] == list(AREA_IDS)
    controls = checklist.controls()
    assert len(controls) >= 56
    assert all(6 <= len(a.controls) <= 10 for a in checklist.areas)
    assert 3 <= sum(c.blocker for c in controls) <= len(controls) // 4
    assert all(c.links and c.guidance and c.why for c in controls)
    assert len(checklist.digest) == 64


def test_unknown_key_is_named_with_its_line():
    assert problems_of("unknown_key.yaml") == [
        f"{MALFORMED / 'unknown_key.yaml'}:15: areas[0].controls[0].colour: unknown key"
    ]


def test_duplicate_control_id_points_at_the_second_one_and_the_first():
    [problem] = problems_of("duplicate_id.yaml")
    assert problem.endswith(":15: areas[0].controls[1].id: duplicate control id 'ARC-01' (first on line 9)")


def test_unknown_area_is_refused():
    [problem] = problems_of("unknown_area.yaml")
    assert ":5: areas[0].id: unknown area 'marketing'" in problem


def test_non_positive_weights_and_empty_question_are_each_reported():
    found = problems_of("bad_weight_and_empty_question.yaml")
    assert any(":7: areas[0].weight: Input should be greater than 0" in p for p in found)
    assert any(":11: areas[0].controls[0].question: String should have at least 1 character" in p for p in found)
    assert any(":14: areas[0].controls[0].weight: Input should be greater than 0" in p for p in found)


def test_object_constructing_tags_are_refused_not_run(tmp_path, capfd):
    found = problems_of("python_tag.yaml")
    assert any(":2: title: unsupported value: tag tag:yaml.org,2002:python/object/apply" in p for p in found)
    assert "owned" not in capfd.readouterr().out


def test_broken_yaml_names_the_line():
    [problem] = problems_of("not_yaml.yaml")
    assert "not_yaml.yaml:3: not valid YAML" in problem or "not_yaml.yaml:4: not valid YAML" in problem


def test_anchor_bomb_is_refused_before_expansion():
    [problem] = problems_of("bomb.yaml")
    assert "bomb.yaml:1: not valid YAML: anchors and aliases are not allowed" in problem


def test_empty_file_is_reported():
    assert problems_of("empty.yaml") == [f"{MALFORMED / 'empty.yaml'}:1: the file is empty"]


def test_missing_file_is_reported_not_raised(tmp_path):
    with pytest.raises(ConfigError, match="file not found"):
        load_checklist(tmp_path / "nope.yaml")


def test_duplicate_mapping_keys_are_refused():
    text = "id: a\nid: b\ntitle: t\nversion: '1'\nareas: []\n"
    with pytest.raises(ConfigError) as caught:
        parse_checklist(text, "dup.yaml")
    assert str(caught.value.problems[0]) == "dup.yaml:2: id: duplicate key"


def test_deep_nesting_is_refused():
    text = "id: x\ntitle: t\nversion: '1'\nareas: " + "[" * 60 + "]" * 60 + "\n"
    with pytest.raises(ConfigError, match="nested deeper"):
        parse_checklist(text, "deep.yaml")


def test_digest_changes_with_the_file_content():
    base = (SHIPPED / "fintech-portfolio.yaml").read_text()
    assert parse_checklist(base).digest != parse_checklist(base + "\n# edited\n").digest


def test_pending_checks_name_the_controls_that_use_them():
    checklist = load_checklist(SHIPPED / "fintech-portfolio.yaml")
    every = checklist.check_ids()
    assert pending_checks(checklist, every) == {}
    some = sorted(every)[0]
    pending = pending_checks(checklist, every - {some})
    assert list(pending) == [some]
    assert pending[some] == [c.id for c in checklist.controls() if some in c.checks]
