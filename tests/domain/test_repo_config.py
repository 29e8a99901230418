"""`.olympus.yaml`: the valid form, and one clear, located error for every kind of mistake."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

import bot.domain.repo_config as repo_config_module
from bot.domain.models import Project
from bot.domain.repo_config import (
    MAX_CONFIG_CHARS,
    REPO_CONFIG_SCHEMA,
    ConfigError,
    ConfigErrors,
    ProjectConfig,
    RepoConfig,
    dir_problem,
    load_repo_config,
    normalize_dir,
    parse_repo_config,
)

EXAMPLE = """\
version: 1
projects:
  - name: aws-dev
    dir: infra/aws/envs/dev
    workspace: default        # or: workspaces: [default, staging]
    when_modified: ["*.tf", "../../modules/**/*.tf"]
    terraform_version: "1.15.5"   # optional
  - dir: ./infra/aws/envs/prod/
    workspaces: [default, staging]
apply_requirements: [approved]   # optional
"""


def errors_of(text: str) -> tuple[ConfigError, ...]:
    result = parse_repo_config(text)
    assert isinstance(result, ConfigErrors), result
    return result.errors


def only_error(text: str) -> ConfigError:
    errors = errors_of(text)
    assert len(errors) == 1, errors
    return errors[0]


def project_yaml(*lines: str) -> str:
    return "version: 1\nprojects:\n  - dir: infra/dev\n" + "".join(f"    {line}\n" for line in lines)


# --- the valid form ---------------------------------------------------------------------------------------


def test_the_documented_example_parses() -> None:
    config = parse_repo_config(EXAMPLE)
    assert config == RepoConfig(
        version=1,
        projects=(
            ProjectConfig(
                dir="infra/aws/envs/dev",
                name="aws-dev",
                workspaces=("default",),
                when_modified=("*.tf", "../../modules/**/*.tf"),
                terraform_version="1.15.5",
            ),
            ProjectConfig(dir="infra/aws/envs/prod", workspaces=("default", "staging")),
        ),
        apply_requirements=("approved",),
    )


def test_listed_projects_expand_workspaces_and_keep_the_default_globs() -> None:
    config = parse_repo_config(EXAMPLE)
    assert isinstance(config, RepoConfig)
    assert config.listed_projects() == (
        Project("aws-dev", "infra/aws/envs/dev", "default", ("*.tf", "../../modules/**/*.tf")),
        Project("infra/aws/envs/prod", "infra/aws/envs/prod", "default"),
        Project("infra/aws/envs/prod@staging", "infra/aws/envs/prod", "staging"),
    )
    assert config.terraform_version_for(config.listed_projects()[0]) == "1.15.5"
    assert config.terraform_version_for(config.listed_projects()[2]) is None


def test_a_named_entry_with_several_workspaces_suffixes_all_but_default() -> None:
    entry = ProjectConfig(dir="a", name="app", workspaces=("default", "eu"))
    assert [p.name for p in entry.projects()] == ["app", "app@eu"]
    assert [p.name for p in ProjectConfig(dir="a", name="app", workspaces=("eu",)).projects()] == ["app"]
    assert [p.name for p in ProjectConfig(dir="a", workspaces=("eu",)).projects()] == ["a@eu"]


def test_the_minimal_file_is_just_the_version() -> None:
    assert parse_repo_config("version: 1\n") == RepoConfig()


def test_the_repository_root_is_a_valid_dir() -> None:
    config = parse_repo_config("version: 1\nprojects:\n  - dir: .\n")
    assert isinstance(config, RepoConfig)
    assert config.projects[0].dir == "."


def test_the_schema_is_valid_draft_2020_12_and_catches_typos() -> None:
    Draft202012Validator.check_schema(REPO_CONFIG_SCHEMA)
    assert REPO_CONFIG_SCHEMA["additionalProperties"] is False
    assert REPO_CONFIG_SCHEMA["$defs"]["project"]["additionalProperties"] is False


# --- every kind of mistake --------------------------------------------------------------------------------


def test_a_misspelt_project_key_suggests_the_right_one() -> None:
    error = only_error(project_yaml('when_modifed: ["*.tf"]'))
    assert (error.code, error.location, error.line) == ("unknown-key", "projects[0].when_modifed", 4)
    assert error.message == "unknown key `when_modifed`"
    assert error.hint == "did you mean `when_modified`?"


def test_a_misspelt_top_level_key_suggests_the_right_one() -> None:
    error = only_error("version: 1\napply_requirement: [approved]\n")
    assert (error.location, error.hint) == ("apply_requirement", "did you mean `apply_requirements`?")


def test_keys_at_the_wrong_level_say_where_they_belong() -> None:
    top = only_error("version: 1\ndir: infra/dev\n")
    assert "belongs inside a project" in top.hint
    inner = only_error(project_yaml("apply_requirements: [approved]"))
    assert "top level" in inner.hint


def test_an_unknown_key_without_a_near_match_lists_the_accepted_ones() -> None:
    error = only_error(project_yaml("colour: blue"))
    assert "`dir`" in error.hint and "`when_modified`" in error.hint


def test_missing_version_and_missing_dir() -> None:
    errors = errors_of("projects:\n  - name: x\n")
    assert {(e.code, e.location) for e in errors} == {("missing-key", "version"), ("missing-key", "projects[0].dir")}
    assert all("add it" in e.hint for e in errors)


@pytest.mark.parametrize(
    ("version", "hint"),
    [('"1"', "without quotes"), ("2", "Olympus reads version 1"), ("true", "Olympus reads version 1")],
)
def test_unsupported_versions(version: str, hint: str) -> None:
    error = only_error(f"version: {version}\n")
    assert (error.code, error.location) == ("unsupported-version", "version")
    assert hint in error.hint


@pytest.mark.parametrize(
    ("line", "location", "hint"),
    [
        ("workspace: no", "projects[0].workspace", "booleans"),
        ("terraform_version: 1.15", "projects[0].terraform_version", 'e.g. "1.15"'),
        ("when_modified: '*.tf'", "projects[0].when_modified", 'make it a list: `when_modified: ["*.tf"]`'),
        ("name: [a, b]", "projects[0].name", "write it as text"),
    ],
)
def test_wrong_types_explain_the_yaml_pitfall(line: str, location: str, hint: str) -> None:
    error = only_error(project_yaml(line))
    assert (error.code, error.location) == ("wrong-type", location)
    assert hint in error.hint


def test_a_project_written_as_a_bare_string() -> None:
    error = only_error("version: 1\nprojects:\n  - infra/dev\n")
    assert (error.code, error.location, error.line) == ("wrong-type", "projects[0]", 3)
    assert "- dir: path/to/root" in error.hint


def test_a_file_that_is_not_a_mapping() -> None:
    error = only_error("- version: 1\n")
    assert (error.code, error.location) == ("wrong-type", "")
    assert "version: 1" in error.hint


@pytest.mark.parametrize(
    ("value", "location", "code"),
    [
        ("/etc", "projects[0].dir", "dir-absolute"),
        ("~/infra", "projects[0].dir", "dir-absolute"),
        ("C:/infra", "projects[0].dir", "dir-absolute"),
        ("../..", "projects[0].dir", "dir-outside-repo"),
        ("infra/../../etc", "projects[0].dir", "dir-outside-repo"),
        ("infra\\dev", "projects[0].dir", "dir-backslash"),
        ("//etc", "projects[0].dir", "dir-absolute"),
        ("a/\x00", "projects[0].dir", "dir-control-character"),
    ],
)
def test_dirs_outside_the_repository(value: str, location: str, code: str) -> None:
    error = only_error(f"version: 1\nprojects:\n  - dir: {json.dumps(value)}\n")
    assert (error.code, error.location, error.line) == (code, location, 3)
    assert error.hint


def test_dir_problem_accepts_dirs_inside_the_repository() -> None:
    assert dir_problem(" /etc") is None and normalize_dir(" /etc") == " /etc"  # a folder named " ", not /etc
    assert dir_problem("infra/aws/envs/dev") is None
    assert dir_problem("./infra/../infra/dev/") is None
    assert dir_problem(".") is None


def test_duplicate_names() -> None:
    text = "version: 1\nprojects:\n  - name: app\n    dir: a\n  - name: app\n    dir: b\n"
    error = only_error(text)
    assert (error.code, error.location, error.line) == ("duplicate-name", "projects[1].name", 5)
    assert "projects[0]" in error.message and "unique" in error.hint


def test_duplicate_dir_and_workspace() -> None:
    text = "version: 1\nprojects:\n  - dir: a\n    workspaces: [default, eu]\n  - dir: ./a/\n    workspace: eu\n"
    error = only_error(text)
    assert (error.code, error.location) == ("duplicate-project", "projects[1].dir")
    assert "`a` in workspace `eu`" in error.message and "workspaces: [default, staging]" in error.hint


def test_the_same_dir_in_other_workspaces_is_fine() -> None:
    text = "version: 1\nprojects:\n  - dir: a\n  - dir: a\n    workspace: eu\n"
    config = parse_repo_config(text)
    assert isinstance(config, RepoConfig)
    assert [p.name for p in config.listed_projects()] == ["a", "a@eu"]


def test_workspace_and_workspaces_together() -> None:
    error = only_error(project_yaml("workspace: a", "workspaces: [b]"))
    assert (error.code, error.location) == ("workspace-and-workspaces", "projects[0].workspaces")
    assert "keep one" in error.hint


@pytest.mark.parametrize(
    ("line", "code", "location"),
    [
        ("workspaces: []", "empty-list", "projects[0].workspaces"),
        ("when_modified: []", "empty-list", "projects[0].when_modified"),
        ("workspaces: [a, a]", "duplicate-item", "projects[0].workspaces"),
        ("workspace: 'has space'", "invalid-value", "projects[0].workspace"),
        ("name: '-x'", "invalid-value", "projects[0].name"),
        ("terraform_version: latest", "invalid-value", "projects[0].terraform_version"),
        ("when_modified: ['']", "empty-value", "projects[0].when_modified[0]"),
    ],
)
def test_bad_values(line: str, code: str, location: str) -> None:
    error = only_error(project_yaml(line))
    assert (error.code, error.location) == (code, location)
    assert error.hint


def test_an_empty_projects_list_says_how_to_get_discovery() -> None:
    error = only_error("version: 1\nprojects: []\n")
    assert (error.code, error.location) == ("empty-list", "projects")
    assert "remove `projects`" in error.hint


def test_unknown_apply_requirement_suggests_the_nearest() -> None:
    error = only_error("version: 1\napply_requirements: [approve]\n")
    assert (error.code, error.location) == ("unknown-value", "apply_requirements[0]")
    assert error.hint.startswith("did you mean `approved`?")


@pytest.mark.parametrize(
    ("glob", "code"),
    [("/etc/*.tf", "glob-absolute"), ("../../../x/*.tf", "glob-outside-repo"), ("..\\m\\*.tf", "glob-backslash")],
)
def test_when_modified_globs_stay_inside_the_repository(glob: str, code: str) -> None:
    error = only_error(project_yaml(f"when_modified: ['{glob}']"))
    assert (error.code, error.location) == (code, "projects[0].when_modified[0]")


def test_a_glob_may_climb_to_the_repository_root() -> None:
    assert isinstance(parse_repo_config(project_yaml("when_modified: ['../modules/**/*.tf']")), RepoConfig)


def test_a_repeated_yaml_key_is_caught() -> None:
    error = only_error(project_yaml("dir: infra/other"))
    assert (error.code, error.location, error.line) == ("duplicate-key", "projects[0].dir", 4)


def test_invalid_yaml_has_line_and_column() -> None:
    error = only_error("version: 1\nprojects:\n  - dir: [a\n")
    assert error.code == "invalid-yaml"
    assert (error.line, error.column) == (4, 1)
    assert re.search(r"line 4, column 1", error.message)


def test_tabs_are_invalid_yaml_with_a_location() -> None:
    error = only_error("version: 1\nprojects:\n\t- dir: a\n")
    assert error.code == "invalid-yaml" and error.line == 3


def test_several_documents_are_rejected() -> None:
    assert only_error("version: 1\n---\nversion: 1\n").code == "invalid-yaml"


def test_python_tags_are_rejected_not_executed() -> None:
    assert only_error("version: !!python/object/apply:os.system ['true']\n").code == "invalid-yaml"


@pytest.mark.parametrize("text", ["", "# only a comment\n", "---\n"])
def test_an_empty_file(text: str) -> None:
    assert only_error(text).code == "empty-config"


def test_alias_bombs_are_refused() -> None:
    text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for name, prev in zip("bcdefg", "abcdef", strict=True):
        text += f"{name}: &{name} [{', '.join(['*' + prev] * 10)}]\n"
    assert only_error(text).code == "config-too-large"


def test_a_recursive_alias_is_refused() -> None:
    assert only_error("a: &a [*a]\nversion: 1\n").code == "config-too-large"


def test_an_oversized_file_is_refused() -> None:
    assert only_error("#" * (MAX_CONFIG_CHARS + 1)).code == "config-too-large"


def test_every_mistake_is_listed_with_its_location_in_line_order() -> None:
    text = """\
version: 2
projects:
  - name: aws-dev
    dir: /etc
    when_modifed: ["*.tf"]
  - name: aws-dev
    dir: infra/b
    workspace: yes
  - dir: ../..
apply_requirements: [approve]
"""
    errors = errors_of(text)
    assert [(e.line, e.location, e.code) for e in errors] == [
        (1, "version", "unsupported-version"),
        (4, "projects[0].dir", "dir-absolute"),
        (5, "projects[0].when_modifed", "unknown-key"),
        (6, "projects[1].name", "duplicate-name"),
        (8, "projects[1].workspace", "wrong-type"),
        (9, "projects[2].dir", "dir-outside-repo"),
        (10, "apply_requirements[0]", "unknown-value"),
    ]
    rendered = parse_repo_config(text)
    assert isinstance(rendered, ConfigErrors)
    assert rendered.render().splitlines()[2] == (
        ".olympus.yaml:5 projects[0].when_modifed: unknown key `when_modifed` (unknown-key). "
        "did you mean `when_modified`?"
    )


# --- loading ----------------------------------------------------------------------------------------------


def test_load_reads_the_config_through_the_reader() -> None:
    files = {".olympus.yaml": "version: 1\n"}
    assert load_repo_config(files.get) == RepoConfig()
    nothing: dict[str, str] = {}
    assert load_repo_config(nothing.get) is None


def test_a_misnamed_config_file_is_pointed_out() -> None:
    result = load_repo_config({".olympus.yml": "version: 1\n"}.get)
    assert isinstance(result, ConfigErrors)
    assert result.errors[0].code == "misnamed-config"
    assert "rename `.olympus.yml` to `.olympus.yaml`" in result.errors[0].hint


# --- properties -------------------------------------------------------------------------------------------

_keys = st.sampled_from(
    ["version", "projects", "apply_requirements", "dir", "name", "workspace", "workspaces", "when_modified", "x"]
)
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["infra/dev", "/etc", "../..", "default", "approved", "*.tf", "1.15.5", ""]),
    st.text(max_size=8),
)
_documents = st.recursive(
    _scalars,
    lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(_keys, children, max_size=4)),
    max_leaves=12,
)

_KEBAB = re.compile(r"^[a-z]+(-[a-z0-9]+)*$")


@settings(max_examples=300)
@given(st.dictionaries(_keys, _documents, max_size=4))
def test_any_document_gives_a_config_or_located_fixable_errors(document: dict[str, object]) -> None:
    result = parse_repo_config(yaml.safe_dump(document))
    if isinstance(result, RepoConfig):
        assert result.version == 1
        return
    assert result.errors
    for error in result.errors:
        assert _KEBAB.match(error.code), error
        assert error.message and error.hint, error
        assert error.line is None or error.line >= 1


@settings(max_examples=200)
@given(st.text(alphabet="version:1 projects-dir&*[]{}\n\t'\"#!", max_size=80))
def test_arbitrary_text_never_raises(text: str) -> None:
    assert isinstance(parse_repo_config(text), RepoConfig | ConfigErrors)


def test_public_surface() -> None:
    assert set(repo_config_module.__all__) == {
        "ALLOWABLE_COMMANDS",
        "APPLY_REQUIREMENTS",
        "CONFIG_PATH",
        "CONFIG_VERSION",
        "DEFAULT_WORKSPACE",
        "MAX_CONFIG_CHARS",
        "REPO_CONFIG_SCHEMA",
        "ConfigError",
        "ConfigErrors",
        "ProjectConfig",
        "RepoConfig",
        "dir_problem",
        "load_repo_config",
        "normalize_dir",
        "parse_repo_config",
    }


def test_import_and_state_rm_are_off_unless_listed() -> None:
    assert not parse_repo_config("version: 1\n").allows("import")  # type: ignore[union-attr]
    config = parse_repo_config("version: 1\nallow_commands: [import, state_rm]\n")
    assert isinstance(config, RepoConfig)
    assert config.allow_commands == ("import", "state_rm") and config.allows("state_rm")


def test_an_unknown_allowed_command_is_named_with_the_nearest() -> None:
    error = only_error("version: 1\nallow_commands: [state]\n")
    assert (error.code, error.location, error.line) == ("unknown-value", "allow_commands[0]", 2)
    assert error.hint == "did you mean `state_rm`? use one of: import, state_rm"
    assert only_error("version: 1\nallow_commands: import\n").code == "wrong-type"


def test_the_drift_schedule_is_on_unless_the_repository_turns_it_off() -> None:
    assert parse_repo_config("version: 1\n").drift_schedule  # type: ignore[union-attr]
    for off in ("false", "off"):  # YAML 1.1 reads off as false, as PyYAML does
        config = parse_repo_config(f"version: 1\ndrift:\n  schedule: {off}\n")
        assert isinstance(config, RepoConfig) and not config.drift_schedule
    errors = parse_repo_config("version: 1\ndrift:\n  schedule: weekly\n")
    assert isinstance(errors, ConfigErrors) and "must be true or false" in errors.render()


def test_the_fix_loop_runs_by_itself_only_where_the_repository_turns_it_on() -> None:
    assert parse_repo_config("version: 1\n").fixes_auto is False  # type: ignore[union-attr]
    for on, expected in (("true", True), ("on", True), ("false", False)):
        config = parse_repo_config(f"version: 1\nfixes:\n  auto: {on}\n")
        assert isinstance(config, RepoConfig) and config.fixes_auto is expected
    wrong = only_error("version: 1\nfixes:\n  auto: always\n")
    assert (wrong.code, wrong.location, wrong.line) == ("wrong-type", "fixes.auto", 3)
    assert "must be true or false" in wrong.message + wrong.hint
    typo = only_error("version: 1\nfixes:\n  atuo: true\n")
    assert (typo.code, typo.location, typo.line) == ("unknown-key", "fixes.atuo", 3) and "`auto`" in typo.hint
