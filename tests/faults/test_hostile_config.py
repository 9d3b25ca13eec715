"""Hostile checklists and platform configs: each is refused with FILE:LINE problems, quickly, never a crash."""
from __future__ import annotations

import functools
import re
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readiness.assessment import checklist_for
from readiness.auth import LOCAL_USER
from readiness.checklist import load_checklist, parse_checklist
from readiness.platform import REPO_ROOT, load_platform, parse_platform
from readiness.platform_editing import platform_from_yaml, save_platform_edit
from readiness.store import assessments as repo
from readiness.store import session_scope
from readiness.store.audit import event_count
from readiness.yamlsource import MAX_BYTES, MAX_VALUES, ConfigError, field_name

DEMO_PLATFORM = REPO_ROOT / "data" / "platforms" / "demo.yaml"
SHIPPED_CHECKLIST = REPO_ROOT / "data" / "checklists" / "fintech-portfolio.yaml"
PARSERS = {"checklist": parse_checklist, "platform": parse_platform}
LOADERS = {"checklist": load_checklist, "platform": load_platform}
FILE = "hostile.yaml"
LOCATED = re.compile(r"^(?P<file>.+?):(?P<line>\d+): \S")
QUICK = 2.0  # seconds: far above what a refusal takes, far below what an expansion or a blow-up would


def refusal(parse: Callable[[str, str], Any], text: str, file: str = FILE) -> ConfigError:
    """Parse `text`, which must be refused with problems that each name the file and a line inside it."""
    with pytest.raises(ConfigError) as caught:
        parse(text, file)
    assert_located(caught.value, text, file)
    return caught.value


def assert_located(error: ConfigError, text: str, file: str) -> None:
    assert error.problems, "a refusal must say what is wrong"
    last_line = text.count("\n") + 1
    for problem in error.problems:
        match = LOCATED.match(str(problem))
        assert match, str(problem)
        assert match["file"] == file and 1 <= int(match["line"]) <= last_line, str(problem)


def timed(action: Callable[[], Any]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def timed_refusal(parse: Callable[[str, str], Any], text: str) -> tuple[ConfigError, float]:
    started = time.perf_counter()
    error = refusal(parse, text)
    return error, time.perf_counter() - started


# ---- expansion and nesting ---------------------------------------------------------------

BILLION_LAUGHS = "\n".join(
    ['lol0: &lol0 "lol"'] + [f"lol{i}: &lol{i} [{', '.join([f'*lol{i - 1}'] * 10)}]" for i in range(1, 10)]
) + "\nname: *lol9\n"
QUADRATIC = 'big: &big "' + "x" * 100_000 + '"\nname: [' + ", ".join(["*big"] * 2_000) + "]\n"


@pytest.mark.parametrize("kind", PARSERS)
@pytest.mark.parametrize("text", [BILLION_LAUGHS, QUADRATIC], ids=["billion_laughs", "quadratic_blowup"])
def test_alias_bombs_are_refused_at_the_first_anchor_without_expanding(kind, text):
    error, elapsed = timed_refusal(PARSERS[kind], text)
    [problem] = error.problems
    assert (problem.line, problem.message) == (1, "not valid YAML: anchors and aliases are not allowed in this file")
    assert elapsed < QUICK


DEEP = 100_000
NESTINGS = {
    "flow_sequences": "name: " + "[" * DEEP + "]" * DEEP + "\n",
    "flow_mappings": "name: " + "{a: " * DEEP + "1" + "}" * DEEP + "\n",
    "block_sequences_on_one_line": "name:\n" + "- " * DEEP + "x\n",
    "block_mappings": "".join(" " * i + f"k{i}:\n" for i in range(1_500)) + " " * 1_500 + "end\n",
    "flow_sequences_one_per_line": "name:\n" + " [\n" * 20_000 + " ]\n" * 20_000,
}


@pytest.mark.parametrize("kind", PARSERS)
@pytest.mark.parametrize("shape", NESTINGS)
def test_deep_nesting_of_any_shape_is_refused_quickly_with_its_line(kind, shape):
    error, elapsed = timed_refusal(PARSERS[kind], NESTINGS[shape])
    assert any("nested deeper than 40 levels" in p.message for p in error.problems), str(error)
    assert elapsed < QUICK, f"{elapsed:.1f} s"


@pytest.mark.parametrize("kind", PARSERS)
def test_a_file_of_a_million_tiny_values_is_refused_once_it_passes_the_value_limit(kind):
    text = "name:\n" + "- 1\n" * 520_000  # just under the size limit
    error, elapsed = timed_refusal(PARSERS[kind], text)
    assert [p.message for p in error.problems] == [f"not valid YAML: more than {MAX_VALUES:,} values in one file"]
    assert elapsed < 3 * QUICK, f"{elapsed:.1f} s"  # parsing all of it took about a minute


def test_nesting_within_the_limit_is_still_located_by_field():
    text = "id: x\ntitle: t\nversion: '1'\nareas: " + "[" * 60 + "]" * 60 + "\n"
    problems = refusal(parse_checklist, text).problems
    assert [(p.line, p.field[:9], p.message) for p in problems] == [(4, "areas[0][", "nested deeper than 40 levels")]


# ---- size ---------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", LOADERS)
def test_a_3_mb_file_is_refused_before_it_is_parsed(kind, tmp_path):
    path = tmp_path / f"{kind}.yaml"
    path.write_text("name: x\ndescription: |\n" + ("  " + "y" * 98 + "\n") * 30_000)
    assert path.stat().st_size > 3_000_000
    with pytest.raises(ConfigError) as caught:
        LOADERS[kind](path)
    assert [str(p) for p in caught.value.problems] == [f"{path}:1: file is larger than {MAX_BYTES // 1024} KiB"]
    assert timed(lambda: pytest.raises(ConfigError, LOADERS[kind], path)) < 0.5


@pytest.mark.parametrize("kind", PARSERS)
def test_a_3_mb_text_is_refused_before_it_is_parsed(kind):
    text = "name: " + "y" * 3_000_000
    problems = refusal(PARSERS[kind], text).problems
    assert [p.message for p in problems] == [f"file is larger than {MAX_BYTES // 1024} KiB"]


@pytest.mark.parametrize("kind", PARSERS)
def test_a_very_long_string_is_refused_by_its_field_limit(kind):
    base = SHIPPED_CHECKLIST.read_text() if kind == "checklist" else DEMO_PLATFORM.read_text()
    field = "title" if kind == "checklist" else "name"
    text = re.sub(rf"^{field}: .*$", f"{field}: " + "z" * 1_500_000, base, count=1, flags=re.M)
    problems = refusal(PARSERS[kind], text).problems
    assert any(p.field == field and "at most" in p.message for p in problems), problems


@pytest.mark.parametrize("special", ["/dev/zero", "/dev/urandom", "/etc"])
def test_a_checklist_path_naming_a_device_or_a_folder_is_refused_not_read(special, tmp_path):
    if not Path(special).exists():
        pytest.skip(f"{special} does not exist here")
    platform_file = tmp_path / "platform.yaml"
    platform_file.write_text(DEMO_PLATFORM.read_text().replace(
        "checklist: data/checklists/fintech-portfolio.yaml", f"checklist: {special}"))
    platform = load_platform(platform_file)
    with pytest.raises(ConfigError) as caught:
        checklist_for(platform)
    [problem] = caught.value.problems
    assert problem.file == special and problem.message in ("is a directory, not a file", "is not a regular file")


# ---- characters -----------------------------------------------------------------------------

# (text, the line its problem is on)
CHARACTERS = {
    "raw_nul": ("name: ok\ntitle: a\x00b\n", 2),
    "raw_escape_sequence": ("name: ok\n\ntitle: \x1b[31mred\n", 3),
    "raw_bell": ("title: \x07\n", 1),
    "raw_unpaired_surrogate": ("name: ok\ntitle: \ud800\n", 2),
    "escaped_nul": ('name: ok\ntitle: "a\\0b"\n', 2),
    "escaped_escape_sequence": ('name: ok\ntitle: "\\e[2J"\n', 2),
    "escaped_surrogate": ('name: ok\nid: "\\ud800"\n', 2),
    "escaped_nul_in_a_key": ('name: ok\n"ti\\0tle": x\n', 2),
    "integer_of_100k_digits": ("name: ok\nweight: " + "9" * 100_000 + "\n", 2),
    "impossible_date": ("name: ok\nversion: 2025-13-45\n", 2),
}


@pytest.mark.parametrize("kind", PARSERS)
@pytest.mark.parametrize("case", CHARACTERS)
def test_control_characters_surrogates_and_impossible_values_are_refused_on_their_line(kind, case):
    text, line = CHARACTERS[case]
    problems = refusal(PARSERS[kind], text).problems
    assert any(p.line == line and ("character #x" in p.message or "unsupported value" in p.message)
               for p in problems), [str(p) for p in problems]


@pytest.mark.parametrize("kind", LOADERS)
def test_a_file_that_is_not_utf8_is_refused(kind, tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: Zürich\n".encode("latin-1"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        LOADERS[kind](path)


def test_unicode_names_are_kept_as_written():
    name = "Nörthwind \u202eWealth\u200b 💷 平台"
    text = DEMO_PLATFORM.read_text().replace("name: Northwind Wealth (demo)", f'name: "{name}"', 1)
    assert parse_platform(text, FILE).name == name


def test_a_hostile_platform_pasted_in_the_settings_never_reaches_the_store(store_engine):
    demo = DEMO_PLATFORM.read_text()
    with session_scope(store_engine) as session:
        row = repo.save_platform(session, platform=load_platform(DEMO_PLATFORM), actor=LOCAL_USER)
        stored, events = repo.platform_config(session, platform_id=row.id).to_yaml(), event_count(session)
    hostile = [BILLION_LAUGHS, NESTINGS["flow_mappings"], "name:\n" + "- 1\n" * 30_000,
               demo.replace("ssm_path: /northwind/staging/", 'ssm_path: "/northwind/\\0staging/"'),
               demo.replace("name: staging", "name: staging\x1b[2J"),
               demo.replace("timeout_seconds: 2", "timeout_seconds: 2025-02-30")]
    for text in hostile:
        with pytest.raises(ConfigError):
            with session_scope(store_engine) as session:
                save_platform_edit(session, platform=platform_from_yaml(text), actor=LOCAL_USER, editing=row.name)
    with session_scope(store_engine) as session:
        assert repo.platform_config(session, platform_id=row.id).to_yaml() == stored
        assert event_count(session) == events


# ---- wrong types at every field -----------------------------------------------------------------

MARKER = "wrong_type_marker"


def paths(value: Any, loc: tuple = ()) -> Iterator[tuple]:
    """The location of every value inside a parsed document, parents before children."""
    if loc:
        yield loc
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, (*loc, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from paths(item, (*loc, i))


def value_at(document: Any, loc: tuple) -> Any:
    for part in loc:
        document = document[part]
    return document


def wrong_shape(value: Any) -> Any:
    """A value of a shape the field holding `value` can never take, marked so its line can be found."""
    if isinstance(value, dict):
        return [MARKER, "list"]
    if isinstance(value, list):
        return {MARKER: 1}
    return {MARKER: [1]}


def replaced(document: Any, loc: tuple, value: Any) -> Any:
    """A copy of the document with `value` at `loc`."""
    if not loc:
        return value
    if isinstance(document, dict):
        return {k: replaced(v, loc[1:], value) if k == loc[0] else v for k, v in document.items()}
    return [replaced(v, loc[1:], value) if i == loc[0] else v for i, v in enumerate(document)]


@functools.cache
def full_platform() -> dict:
    """The demo platform with every optional section written out, so every field gets its turn."""
    return load_platform(DEMO_PLATFORM).model_dump(mode="json", exclude={"source"})


def small_checklist() -> dict:
    document = yaml.safe_load(SHIPPED_CHECKLIST.read_text())
    area = dict(document["areas"][0], controls=document["areas"][0]["controls"][:2])
    return dict(document, areas=[area])


@pytest.mark.parametrize("kind", ["platform", "checklist"])
def test_a_value_of_the_wrong_type_at_any_field_is_refused_on_its_line_with_its_name(kind):
    document = full_platform() if kind == "platform" else small_checklist()
    parse = PARSERS[kind]
    parse(yaml.safe_dump(document, sort_keys=False), FILE)  # the untouched document is valid
    checked = 0
    for loc in paths(document):
        text = yaml.safe_dump(replaced(document, loc, wrong_shape(value_at(document, loc))), sort_keys=False)
        problems = refusal(parse, text).problems
        marker_line = next(i for i, line in enumerate(text.splitlines(), 1) if MARKER in line)
        named = field_name(loc)
        assert any(p.field.startswith(named) and p.line in (marker_line - 1, marker_line) for p in problems), (
            named, [str(p) for p in problems])
        checked += 1
    assert checked > (100 if kind == "platform" else 25)


# ---- generated input ---------------------------------------------------------------------------

YAML_PIECES = ["name: ", "id: ", "areas:", "environments:", "\n", "  ", "- ", ": ", "? ", "[", "]", "{", "}", ", ",
               "&a ", "*a", "!!python/object/apply:os.system ", "!!binary ", "!custom ", "%YAML 1.1\n", "---\n",
               "...\n", '"', "'", "\\0", "\\x00", "\\ud800", "|\n", ">-\n", "#", "<script>", "~", "null", "true",
               "9" * 30, "1e9999", ".nan", "2025-13-45", "\t", "\x00", "\x1b", "\ufeff", "\u202e", "💣", "é"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(sorted(PARSERS)),
       text=st.one_of(st.text(st.characters(exclude_categories=()), max_size=300),
                      st.lists(st.sampled_from(YAML_PIECES), max_size=60).map("".join)))
def test_any_text_is_either_a_valid_config_or_refused_with_located_problems(kind, text):
    try:
        PARSERS[kind](text, FILE)
    except ConfigError as error:
        assert_located(error, text, FILE)


SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                    st.text(max_size=50), st.text(max_size=50).map(lambda s: "<script>" + s),
                    st.integers(min_value=10 ** 40, max_value=10 ** 60), st.dates())
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=10), inner, max_size=3), max_leaves=8)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), flow=st.booleans())
def test_a_platform_with_any_value_anywhere_loads_or_is_refused_with_located_problems(data, flow):
    document = full_platform()
    loc = data.draw(st.sampled_from(list(paths(document))), label="field")
    value = data.draw(VALUES, label="value")
    text = yaml.safe_dump(replaced(document, loc, value), sort_keys=False, default_flow_style=flow)
    try:
        parse_platform(text, FILE)
    except ConfigError as error:
        assert_located(error, text, FILE)

