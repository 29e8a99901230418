"""Project discovery, module graphs and changed-file mapping, over small in-memory repository trees."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bot.domain.projects as projects_module
from bot.domain.models import Project
from bot.domain.module_blocks import _scan_file
from bot.domain.projects import (
    ModuleCall,
    ModuleGraph,
    ProjectConfigError,
    affected_projects,
    build_module_graph,
    check_project_dirs,
    dir_of,
    discover_projects,
    glob_regex,
    module_calls,
    module_sources,
)
from bot.domain.repo_config import ProjectConfig, RepoConfig, parse_repo_config


def call(name: str, source: str) -> str:
    return f'module "{name}" {{\n  source = "{source}"\n}}\n'


# The layout of the brief: envs call shared modules, and logging calls s3_bucket (so s3_bucket is reached
# transitively), a team env calls a module outside infra/aws, and caches and hidden dirs must be ignored.
TREE = {
    "README.md": "# infra\n",
    "infra/aws/envs/dev/main.tf": call("logs", "../../modules/logging") + call("vpc", "terraform-aws-modules/vpc/aws"),
    "infra/aws/envs/dev/terraform.tfvars": 'region = "eu-west-1"\n',
    "infra/aws/envs/dev/.terraform.lock.hcl": "# lock\n",
    "infra/aws/envs/dev/files/userdata.sh": "#!/bin/sh\n",
    "infra/aws/envs/prod/main.tf": call("net", "../../modules/network"),
    "infra/aws/envs/prod/variables.tf": 'variable "region" {}\n',
    "infra/aws/envs/staging/main.tf": call("bucket", "../../modules/s3_bucket/"),
    "infra/aws/modules/logging/main.tf": call("bucket", "../s3_bucket"),
    "infra/aws/modules/s3_bucket/main.tf": 'resource "aws_s3_bucket" "this" {}\n',
    "infra/aws/modules/s3_bucket/templates/policy.json.tpl": "{}\n",
    "infra/aws/modules/s3_bucket/examples/basic/main.tf": call("bucket", "../.."),
    "infra/aws/modules/network/main.tf": 'resource "aws_vpc" "this" {}\n',
    "infra/shared/dns/main.tf": 'resource "aws_route53_zone" "z" {}\n',
    "infra/gcp/envs/dev/main.tf": call("dns", "../../../shared/dns"),
    "infra/aws/envs/dev/.terraform/modules/logs/main.tf": call("x", "./y"),
    ".github/terraform/main.tf": 'resource "null_resource" "x" {}\n',
}
FILES = sorted(TREE)


def read(path: str) -> str | None:
    return TREE.get(path)


def names(projects: list[Project]) -> list[str]:
    return [project.name for project in projects]


def affected(changed: list[str], projects: list[Project] | None = None) -> list[str]:
    chosen = projects if projects is not None else discover_projects(FILES, read)
    return names(affected_projects(chosen, changed, FILES, read))


# --- discovery --------------------------------------------------------------------------------------------


def test_discovery_finds_root_modules_and_skips_modules_caches_and_hidden_dirs() -> None:
    found = discover_projects(FILES, read)
    assert names(found) == ["infra/aws/envs/dev", "infra/aws/envs/prod", "infra/aws/envs/staging", "infra/gcp/envs/dev"]
    assert all(project.workspace == "default" and project.name == project.dir for project in found)


def test_a_called_directory_outside_modules_is_a_module_not_a_root() -> None:
    found = names(discover_projects(FILES, read))
    assert "infra/shared/dns" not in found  # only ever called, by infra/gcp/envs/dev


def test_discovery_is_sorted_and_returns_project_values() -> None:
    found = discover_projects(FILES, read)
    assert found == sorted(found, key=lambda p: (p.dir, p.workspace))
    assert found[0] == Project(name="infra/aws/envs/dev", dir="infra/aws/envs/dev")


def test_a_root_module_at_the_repository_root_is_named_dot() -> None:
    tree = {"main.tf": call("app", "./modules/app"), "modules/app/main.tf": "", "docs/x.md": ""}
    found = discover_projects(sorted(tree), tree.get)
    assert [(p.name, p.dir) for p in found] == [(".", ".")]


# A module's repository (the registry's layout): the module at the top, called by its examples; `modules/` and
# `wrappers/` are modules too, the wrappers called only from elsewhere, through the registry.
MODULE_REPO = {
    "main.tf": 'resource "aws_security_group" "this" {}\n',
    "versions.tf": 'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws" }\n  }\n}\n',
    "modules/ssh/main.tf": call("sg", "../../"),
    "examples/http/main.tf": 'provider "aws" {\n  region = "eu-west-1"\n}\n' + call("sg", "../../modules/ssh"),
    "examples/bare/main.tf": call("sg", "../../"),  # an example on the provider's default configuration
    "wrappers/main.tf": call("wrapper", "../"),
    "wrappers/ssh/main.tf": call("wrapper", "../../modules/ssh"),
    "tests/fixture/main.tf": 'terraform {\n  backend "local" {}\n}\n' + call("sg", "../.."),
    "tests/json/main.tf.json": '{"provider": {"aws": {"region": "eu-west-1"}}, "module": {"sg": {"source": "../.."}}}',
    "tests/vars/main.tf": call("sg", "../.."),
    "tests/vars/terraform.tfvars": 'name = "x"\n',
    "tools/lib/main.tf": '# provider "aws" {}\nresource "null_resource" "x" {\n  provider = aws.west\n}\n',
}


def test_a_module_repository_plans_its_examples_and_what_configures_a_root_not_its_wrappers() -> None:
    found = names(discover_projects(sorted(MODULE_REPO), MODULE_REPO.get))
    assert found == ["examples/bare", "examples/http", "tests/fixture", "tests/json", "tests/vars"]


def test_outside_a_module_repository_an_unconfigured_directory_is_still_a_root() -> None:
    tree = {key: text for key, text in MODULE_REPO.items() if not key.startswith(("main.tf", "versions.tf"))}
    tree["modules/ssh/main.tf"] = 'resource "aws_security_group" "this" {}\n'
    found = names(discover_projects(sorted(tree), tree.get))
    assert "tools/lib" in found and "wrappers" in found  # the top directory is no module: every uncalled dir counts


@pytest.mark.parametrize(
    ("repository", "roots"),
    [
        (
            "terraform-aws-security-group-v5.3.1",
            [f"examples/{name}" for name in ("complete", "computed", "disabled", "dynamic", "http", "rules-only")],
        ),
        ("terraform-aws-sqs-v3.1.0", ["examples/complete"]),
        ("terraform-aws-ec2-instance-v2.21.0", ["examples/basic", "examples/volume-attachment"]),
    ],
)
def test_the_public_module_repositories_are_planned_through_their_examples(
    fixtures_dir: Path, repository: str, roots: list[str]
) -> None:
    top = fixtures_dir / "terraform-repos" / repository
    files = sorted(path.relative_to(top).as_posix() for path in top.rglob("*") if path.is_file())
    found = discover_projects(files, lambda path: (top / path).read_text())
    assert names(found) == roots


def test_module_calls_carry_the_block_label() -> None:
    text = call("vpc", "terraform-aws-modules/vpc/aws") + 'module bare {\n  source = "./b"\n}\n'
    assert module_calls(text) == [ModuleCall("vpc", "terraform-aws-modules/vpc/aws"), ModuleCall("bare", "./b")]
    hidden = "/* a comment */\n" + text  # the full scan reads the labels too
    assert module_calls(hidden) == module_calls(text)


def test_json_and_opentofu_files_count_as_terraform() -> None:
    tree = {
        "stacks/a/main.tf.json": '{"module": {"shared": {"source": "../../lib/shared"}}}',
        "stacks/b/main.tofu": call("shared", "../../lib/other"),
        "lib/shared/main.tf": "",
        "lib/other/main.tofu.json": "{}",
    }
    assert names(discover_projects(sorted(tree), tree.get)) == ["stacks/a", "stacks/b"]


def test_discovery_reads_only_terraform_files() -> None:
    asked: list[str] = []

    def spy(path: str) -> str | None:
        asked.append(path)
        return TREE.get(path)

    discover_projects(FILES, spy)
    assert asked and all(path.endswith(".tf") for path in asked)
    assert not any("/." in path or path.startswith(".") for path in asked)


def test_configured_projects_are_used_exactly_with_their_workspaces() -> None:
    config = RepoConfig(
        projects=(
            ProjectConfig(dir="infra/aws/envs/dev", name="aws-dev", workspaces=("default", "staging")),
            ProjectConfig(dir="infra/aws/modules/network", name="net-only"),
        )
    )
    found = discover_projects(FILES, read, config)
    assert [(p.name, p.dir, p.workspace) for p in found] == [
        ("aws-dev", "infra/aws/envs/dev", "default"),
        ("aws-dev@staging", "infra/aws/envs/dev", "staging"),
        ("net-only", "infra/aws/modules/network", "default"),
    ]


def test_a_config_without_projects_falls_back_to_discovery() -> None:
    config = RepoConfig(apply_requirements=("approved",))
    assert discover_projects(FILES, read, config) == discover_projects(FILES, read)


def test_configured_dirs_that_are_missing_or_hold_no_terraform_are_clear_errors() -> None:
    config = RepoConfig(
        projects=(
            ProjectConfig(dir="infra/aws/envs/dve"),
            ProjectConfig(dir="infra/aws"),
            ProjectConfig(dir="infra/aws/envs/prod"),
        )
    )
    with pytest.raises(ProjectConfigError) as raised:
        discover_projects(FILES, read, config)
    errors = raised.value.errors.errors
    assert [(e.code, e.location) for e in errors] == [
        ("dir-not-found", "projects[0].dir"),
        ("dir-without-terraform", "projects[1].dir"),
    ]
    assert "did you mean `infra/aws/envs/dev`?" in errors[0].hint
    assert "`infra/aws/envs/dev`" in errors[1].hint and "root module" in errors[1].hint
    assert "projects[0].dir" in str(raised.value)


def test_check_project_dirs_is_empty_when_every_dir_holds_terraform() -> None:
    config = RepoConfig(projects=(ProjectConfig(dir="infra/aws/envs/dev"), ProjectConfig(dir="infra/gcp/envs/dev")))
    assert not check_project_dirs(config, FILES)


# --- module graph -----------------------------------------------------------------------------------------


def test_module_graph_resolves_local_sources_relative_to_the_caller() -> None:
    graph = build_module_graph(FILES, read)
    assert graph.calls["infra/aws/envs/dev"] == {"infra/aws/modules/logging"}  # the registry source is not local
    assert graph.calls["infra/aws/envs/staging"] == {"infra/aws/modules/s3_bucket"}  # trailing slash dropped
    assert graph.calls["infra/aws/modules/s3_bucket/examples/basic"] == {"infra/aws/modules/s3_bucket"}
    assert graph.modules_of("infra/aws/envs/dev") == {"infra/aws/modules/logging", "infra/aws/modules/s3_bucket"}
    assert "infra/aws/envs/dev/.terraform/modules/logs" not in graph.terraform_dirs


def test_module_cycles_terminate() -> None:
    graph = ModuleGraph(
        frozenset({"a", "b", "c"}), {"a": frozenset({"b"}), "b": frozenset({"c"}), "c": frozenset({"a", "b"})}
    )
    assert graph.modules_of("a") == {"b", "c"}


def test_sources_leaving_the_repository_are_ignored() -> None:
    tree = {"env/main.tf": call("x", "../../outside") + call("y", "./local"), "env/local/main.tf": ""}
    assert build_module_graph(sorted(tree), tree.get).calls == {"env": frozenset({"env/local"})}


# --- changed files ----------------------------------------------------------------------------------------


def test_a_shared_module_change_affects_every_env_calling_it_even_through_other_modules() -> None:
    # dev calls logging, which calls s3_bucket; staging calls s3_bucket directly; prod calls neither.
    assert affected(["infra/aws/modules/s3_bucket/main.tf"]) == ["infra/aws/envs/dev", "infra/aws/envs/staging"]


def test_a_module_that_calls_only_changes_its_own_callers() -> None:
    assert affected(["infra/aws/modules/logging/main.tf"]) == ["infra/aws/envs/dev"]
    assert affected(["infra/shared/dns/main.tf"]) == ["infra/gcp/envs/dev"]


def test_non_terraform_files_inside_a_module_count() -> None:
    changed = ["infra/aws/modules/s3_bucket/templates/policy.json.tpl"]
    assert affected(changed) == ["infra/aws/envs/dev", "infra/aws/envs/staging"]


def test_an_uncalled_nested_example_does_not_make_its_parent_module_users_plan() -> None:
    assert affected(["infra/aws/modules/s3_bucket/examples/basic/main.tf"]) == []


def test_a_projects_own_files_follow_its_when_modified_globs() -> None:
    assert affected(["infra/aws/envs/dev/terraform.tfvars"]) == ["infra/aws/envs/dev"]
    assert affected(["infra/aws/envs/dev/.terraform.lock.hcl"]) == ["infra/aws/envs/dev"]
    assert affected(["infra/aws/envs/dev/files/userdata.sh"]) == []  # `*.tf` does not reach subdirectories
    assert affected(["infra/aws/envs/dev/NOTES.md", "README.md"]) == []


def test_deleted_files_count_as_changed() -> None:
    gone = ["infra/aws/envs/prod/old.tf", "infra/aws/modules/network/removed.tf"]
    assert all(path not in TREE for path in gone)
    assert affected(gone[:1]) == ["infra/aws/envs/prod"]
    assert affected(gone[1:]) == ["infra/aws/envs/prod"]


def test_results_are_sorted_and_unique() -> None:
    changed = ["infra/gcp/envs/dev/main.tf", "infra/aws/modules/s3_bucket/main.tf", "infra/aws/envs/dev/main.tf"]
    assert affected(changed) == ["infra/aws/envs/dev", "infra/aws/envs/staging", "infra/gcp/envs/dev"]


def test_paths_with_a_leading_dot_slash_are_understood() -> None:
    assert affected(["./infra/aws/envs/prod/main.tf"]) == ["infra/aws/envs/prod"]


def test_config_when_modified_globs_reach_shared_files_with_double_star() -> None:
    config = parse_repo_config(
        "version: 1\n"
        "projects:\n"
        "  - name: aws-dev\n"
        "    dir: infra/aws/envs/dev\n"
        '    when_modified: ["*.tf", "../../../shared/**/*.tf", "files/**"]\n'
        "  - name: aws-prod\n"
        "    dir: infra/aws/envs/prod\n"
    )
    assert isinstance(config, RepoConfig)
    chosen = discover_projects(FILES, read, config)
    assert affected(["infra/shared/main.tf"], chosen) == ["aws-dev"]  # `**` matches zero directories
    assert affected(["infra/shared/dns/deep/x.tf"], chosen) == ["aws-dev"]
    assert affected(["infra/shared/dns/notes.md"], chosen) == []
    assert affected(["infra/aws/envs/dev/files/a/userdata.sh"], chosen) == ["aws-dev"]
    assert affected(["infra/aws/envs/dev/terraform.tfvars"], chosen) == []  # the config replaced the default
    assert affected(["infra/aws/envs/prod/terraform.tfvars"], chosen) == ["aws-prod"]  # the default globs


def test_every_workspace_of_a_directory_is_affected() -> None:
    config = RepoConfig(projects=(ProjectConfig(dir="infra/aws/envs/dev", workspaces=("default", "eu")),))
    chosen = discover_projects(FILES, read, config)
    assert affected(["infra/aws/modules/s3_bucket/main.tf"], chosen) == ["infra/aws/envs/dev", "infra/aws/envs/dev@eu"]


def test_a_shared_graph_gives_the_same_answer_as_building_it_twice() -> None:
    graph = build_module_graph(FILES, read)
    chosen = discover_projects(FILES, read, graph=graph)
    changed = ["infra/aws/modules/s3_bucket/main.tf", "infra/gcp/envs/dev/main.tf"]
    assert affected_projects(chosen, changed, FILES, read, graph=graph) == affected_projects(
        chosen, changed, FILES, read
    )


def test_dir_of() -> None:
    assert (dir_of("main.tf"), dir_of("a/b/main.tf")) == (".", "a/b")


@pytest.mark.parametrize(
    ("glob", "path", "matches"),
    [
        ("a/*.tf", "a/main.tf", True),
        ("a/*.tf", "a/b/main.tf", False),
        ("a/**/*.tf", "a/main.tf", True),
        ("a/**/*.tf", "a/b/c/main.tf", True),
        ("a/**", "a/b/c.txt", True),
        ("a/**", "b/c.txt", False),
        ("a/?.tf", "a/x.tf", True),
        ("a/[!m]*.tf", "a/main.tf", False),
        ("a/[!m]*.tf", "a/vars.tf", True),
        ("a/x+y.tf", "a/x+y.tf", True),
        ("a/x+y.tf", "a/xxy.tf", False),
    ],
)
def test_glob_semantics(glob: str, path: str, matches: bool) -> None:
    assert bool(glob_regex(glob).fullmatch(path)) is matches


# --- reading module blocks --------------------------------------------------------------------------------


def test_module_blocks_in_comments_strings_and_heredocs_are_not_calls() -> None:
    text = """
# module "a" { source = "./commented" }
// module "b" {
/* module "c" {
  source = "./block-comment"
} */
resource "aws_iam_policy" "p" {
  description = "module \\"d\\" { source = \\"./in-string\\" }"
  policy = <<-EOT
    module "e" {
      source = "./heredoc"
    }
  EOT
}
locals {
  s = <<EOF
module "f" {
  source = "./heredoc-2"
}
EOF
}
module "real" {
  source = "./real"
}
"""
    assert module_sources(text) == ["./real"]


def test_only_the_blocks_own_source_is_taken() -> None:
    text = """module "x" {
  tags = {
    source = "./not-this"
  }
  name = "${lookup(var.names, "x", "{")}"
  source = "../modules/x" # the real one
  other_source = "./nor-this"
}
"""
    assert module_sources(text) == ["../modules/x"]


@pytest.mark.parametrize(
    "text",
    [
        'module x {\n  source = "./m"\n}\n',  # an unquoted label
        'module "x" { source = "./m" }\n',  # a one-line block
        'module "x" {\r\n  source = "./m"\r\n}\r\n',  # CRLF
        '\ufeffmodule "x" {\n  source = "./m"\n}\n',  # a byte-order mark
        'module "x" {\n  source="./m"\n  count = 2\n}\n',
        'resource "a" "b" { p = "arn:aws:s3:::b/*" }\nmodule "x" {\n  source = "./m"\n}\n',
    ],
)
def test_module_block_spellings(text: str) -> None:
    assert module_sources(text) == ["./m"]


def test_references_to_modules_are_not_blocks() -> None:
    text = 'output "id" {\n  value = module.x.id\n}\nmoved {\n  from = module.a\n  to   = module.b\n}\n'
    assert module_sources(text) == []


@pytest.mark.parametrize(
    "text",
    [
        'module "x" {\n  source = "./m',  # unterminated string
        'module "x" {\n  source = "./m"\n',  # unterminated block: the source is still read
        'locals {\n  a = <<EOT\nmodule "x" {\n',  # unterminated heredoc
        '/* module "x" {',
        'module "x" {\n  a = "${',
        '"\\',
    ],
)
def test_malformed_files_do_not_raise(text: str) -> None:
    assert module_sources(text) in ([], ["./m"])


@pytest.mark.parametrize(
    "tail",
    [
        '"${' * 20_000,  # interpolations nested far deeper than the stack allows
        "{" * 50_000,
        'x = "' + "/*" * 50_000,  # block-comment markers inside one long string
        'module "y" {}' * 20_000,  # many heads on one line
    ],
)
def test_hostile_files_are_scanned_without_exhausting_the_stack(tail: str) -> None:
    text = 'module "x" {\n  source = "./m"\n}\n' + tail
    assert module_sources(text) == ["./m"]


def test_module_source_must_be_a_literal() -> None:
    assert module_sources('module "x" {\n  source = "${path.module}/m"\n}\n') == []


# --- properties -------------------------------------------------------------------------------------------

_ident = st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True)
_plain = st.text(alphabet="abc/.*-_ {}#$:", max_size=12).map(lambda s: s.replace("${", "$${"))
_value = st.one_of(
    _plain.map(lambda s: f'"{s}"'),
    _ident.map(lambda s: f'"${{var.{s}}}"'),
    _ident.map(lambda s: f'"${{lookup(var.m, "{s}", "}}")}}"'),
    st.just("[1, 2]"),
    _ident.map(lambda s: f"var.{s}"),
)
_attribute = st.builds(lambda k, v: f"  {k} = {v}\n", _ident, _value)
_nested = st.builds(
    lambda k, attrs: f"  {k} = {{\n" + "".join("  " + a for a in attrs) + "  }\n",
    _ident,
    st.lists(_attribute, max_size=2),
)
_comment = st.sampled_from(['  # source = "./c"\n', '  // module "z" {\n', "\n"])
_body_line = st.one_of(_attribute, _nested, _comment)


@st.composite
def _hcl_file(draw: st.DrawFn) -> tuple[str, list[str]]:
    text = ""
    expected = []
    for _ in range(draw(st.integers(0, 4))):
        lines = draw(st.lists(_body_line, max_size=4))
        if draw(st.booleans()):
            source = "./" + draw(_ident)
            lines.insert(draw(st.integers(0, len(lines))), f'  source = "{source}"\n')
            expected.append(source)
        kind = draw(st.sampled_from(["module", "resource", "locals"]))
        head = {"module": f'module "{draw(_ident)}" {{\n', "resource": 'resource "a" "b" {\n', "locals": "locals {\n"}
        if kind != "module" and expected and lines and f'  source = "{expected[-1]}"\n' in lines:
            expected.pop()
        text += head[kind] + "".join(lines) + "}\n"
    return text, expected


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(_hcl_file())
def test_the_fast_path_agrees_with_the_full_scan(case: tuple[str, list[str]]) -> None:
    text, expected = case
    assert module_sources(text) == _scan_file(text) == expected


@settings(max_examples=300)
@given(st.text(alphabet='module source{}"#/*<-=$%\\\n abc.', max_size=120))
def test_scanning_arbitrary_text_never_raises(text: str) -> None:
    found = module_sources(text)
    assert isinstance(found, list) and all(isinstance(source, str) for source in found)
    assert isinstance(_scan_file(text), list)


_paths = st.lists(
    st.from_regex(
        r"(infra/aws/(envs/(dev|prod)|modules/(s3|net))|infra/gcp/envs/dev)/[a-z]{1,3}\.(tf|md)", fullmatch=True
    ),
    max_size=6,
)


@settings(max_examples=100)
@given(_paths, _paths)
def test_more_changed_files_never_affect_fewer_projects(first: list[str], more: list[str]) -> None:
    chosen = discover_projects(FILES, read)
    some = affected_projects(chosen, first, FILES, read)
    all_of_them = affected_projects(chosen, first + more, FILES, read)
    assert set(some) <= set(all_of_them)
    assert all_of_them == sorted(set(all_of_them), key=lambda p: (p.dir, p.workspace, p.name))


def test_public_surface() -> None:
    assert set(projects_module.__all__) == {
        "ROOT_DIR",
        "TERRAFORM_SUFFIXES",
        "ModuleCall",
        "ModuleGraph",
        "ProjectConfigError",
        "Reader",
        "affected_projects",
        "build_module_graph",
        "check_project_dirs",
        "dir_of",
        "discover_projects",
        "glob_regex",
        "module_calls",
        "module_sources",
    }


def test_an_applications_files_change_no_terraform_project_of_a_module_repository() -> None:
    # A module repository: its root is the module, examples/ call it; a Helm release added beside it is Argo CD's.
    tree = {
        "main.tf": 'resource "aws_instance" "this" {}\n',
        "examples/basic/main.tf": call("ec2", "../../"),
        "helm/charts/web/templates/deployment.yaml": "kind: Deployment\n",
        "helm/values/prod/web.yaml": "replicaCount: 2\n",
        "argocd/apps/prod/web.yaml": "kind: Application\n",
        "argocd/projects/data-apps.yaml": "kind: AppProject\n",
        "docs/usage.md": "# usage\n",
    }
    files = sorted(tree)
    projects = discover_projects(files, tree.get)
    app_files = [path for path in files if path.startswith(("helm/", "argocd/"))]
    assert affected_projects(projects, app_files, files, tree.get) == []
    # any other file below the module still belongs to it, and so to the examples that call it
    assert names(affected_projects(projects, ["docs/usage.md"], files, tree.get)) == ["examples/basic"]
