"""Plan JSON → PlanSummary, checked against every real plan fixture and against Terraform's own plan text."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.plan_documents import PlanFormatError, load_plan_documents
from bot.domain.plan_values import MAX_VALUE_CHARS, display_value
from bot.domain.plans import SENSITIVE, UNKNOWN, PlanSummary, summarize

BASIC = "borchero-terraform-plan-comment/basic"
_PLAN_LINE = re.compile(
    r"^Plan: (?:(\d+) to import, )?(\d+) to add, (\d+) to change, (\d+) to destroy(?:, (\d+) to forget)?\.$"
)


def plan_files(fixtures_dir: Path) -> list[Path]:
    files = sorted((fixtures_dir / "terraform-plans").rglob("*.json"))
    assert len(files) >= 27, files  # the MANIFEST lists 27 plan JSON files; a lost one would go unnoticed
    return files


def text_of(fixtures_dir: Path, relative: str) -> str:
    return (fixtures_dir / "terraform-plans" / relative).read_text(encoding="utf-8")


def summaries(path: Path) -> list[PlanSummary]:
    return [summarize(d) for d in load_plan_documents(path.read_text(encoding="utf-8"))]


def fixture(fixtures_dir: Path, relative: str) -> PlanSummary:
    (only,) = summaries(fixtures_dir / "terraform-plans" / relative)
    return only


def test_every_fixture_plan_loads_and_summarizes(fixtures_dir: Path) -> None:
    for path in plan_files(fixtures_dir):
        documents = load_plan_documents(path.read_text(encoding="utf-8"))
        expected = 3 if "terragrunt-multiplan" in str(path) else 1
        assert len(documents) == expected, path
        for document in documents:
            summary = summarize(document)
            assert summary.counts.add >= summary.counts.replace, path
            assert summary.counts.destroy >= summary.counts.replace, path
            assert len(summary.changes) >= len(summary.destroys) + len(summary.replacements), path


def test_counts_equal_terraforms_own_plan_lines(fixtures_dir: Path) -> None:
    borchero = fixtures_dir / "terraform-plans" / "borchero-terraform-plan-comment"
    texts = sorted(borchero.glob("*/*/plan.txt"))
    assert len(texts) == 8
    for text_path in texts:
        expected: list[tuple[int, int, int, int]] = []
        for line in text_path.read_text(encoding="utf-8").splitlines():
            found = _PLAN_LINE.match(line.strip())
            if found:
                imports, add, change, destroy = (int(g or 0) for g in found.groups()[:4])
                expected.append((imports, add, change, destroy))
            elif line.startswith("No changes."):
                expected.append((0, 0, 0, 0))
        got = [
            (s.counts.imports, s.counts.add, s.counts.change, s.counts.destroy)
            for s in summaries(text_path.with_name("plan.json"))
        ]
        assert expected, text_path
        assert got == expected, text_path


def test_the_setup_terraform_wrapper_noise_is_ignored(fixtures_dir: Path) -> None:
    path = fixtures_dir / "terraform-plans/infracost/cmd/infracost/testdata/plan_with_terraform_wrapper.json"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("[command]") and "::set-output" in text  # the noise is really there
    (document,) = load_plan_documents(text)
    assert document["format_version"] == "0.2"
    assert summarize(document).counts.add == 2


def test_concatenated_plans_with_junk_around_them(fixtures_dir: Path) -> None:
    one = text_of(fixtures_dir, f"{BASIC}/0-create/plan.json")
    two = text_of(fixtures_dir, f"{BASIC}/2-delete/plan.json")
    text = "\ufeffsome log line {not json}\n" + one.strip() + two.strip() + "\n\n" + one + "\ntrailing junk }"
    documents = load_plan_documents(text)
    assert [summarize(d).counts.as_dict()["add"] for d in documents] == [3, 0, 3]
    assert summarize(documents[1]).counts.destroy == 2


def test_pretty_printed_plan_loads(fixtures_dir: Path) -> None:
    path = fixtures_dir / "terraform-plans/hashicorp-terraform-json/testdata/120_basic/plan.json"
    pretty = "[command]terraform show -json\n" + json.dumps(json.loads(path.read_text()), indent=2) + "\n%0A"
    (document,) = load_plan_documents(pretty)
    assert summarize(document).counts.add == 7


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "empty"),
        ("   \n", "empty"),
        ('{"format_version":"1.0","terraform_version":"1.9.0","values":{"root_module":{}}}', "state"),
        (
            '{"@level":"info","@message":"Terraform 1.9.0","type":"version"}\n'
            '{"@level":"info","@message":"Plan: 1 to add","type":"change_summary"}\n',
            "terraform plan -json",
        ),
        ('{"hello": "world"}', "hello"),
        ("[1, 2, 3]", "JSON array"),
        ('{"format_version": "1.2", "planned_values": {', "incomplete"),
        ("Error: Invalid reference", "starts with"),
    ],
)
def test_what_is_not_a_plan_is_named(text: str, says: str) -> None:
    with pytest.raises(PlanFormatError) as caught:
        load_plan_documents(text)
    assert says in caught.value.message
    assert "terraform show -json PLANFILE > plan.json" in caught.value.hint
    assert caught.value.reference == "plan-format"


def test_human_plan_text_is_recognised(fixtures_dir: Path) -> None:
    text = text_of(fixtures_dir, f"{BASIC}/1-modify/plan.txt")
    with pytest.raises(PlanFormatError, match="human-readable"):
        load_plan_documents(text)


def test_a_cut_short_plan_is_an_error_not_a_crash(fixtures_dir: Path) -> None:
    text = text_of(fixtures_dir, f"{BASIC}/7-create-hundreds/plan.json")
    with pytest.raises(PlanFormatError, match="incomplete"):
        load_plan_documents(text[: len(text) // 2])


def test_replacement_counts_in_add_and_destroy(fixtures_dir: Path) -> None:
    summary = fixture(fixtures_dir, f"{BASIC}/1-modify/plan.json")
    assert summary.counts.as_dict() == {
        "add": 2, "change": 0, "destroy": 2, "replace": 2, "import": 0, "move": 0, "forget": 0,
    }  # fmt: skip
    assert [r.address for r in summary.replacements] == ["local_file.test", "local_file.test3"]
    assert summary.destroys == ()
    assert summary.replacements[0].action_reason == "replace_because_cannot_update"
    assert summary.replacements[0].replace_paths == ("content",)


def test_create_before_destroy_replacement(fixtures_dir: Path) -> None:
    summary = fixture(fixtures_dir, "checkov/tests/terraform/runner/resources/plan_with_deleted_resources/tfplan.json")
    (replacement,) = summary.replacements
    assert replacement.actions == ("create", "delete")
    assert (summary.counts.add, summary.counts.destroy, summary.counts.replace) == (1, 1, 1)


def test_a_replacement_that_keeps_the_old_object_is_no_destroy() -> None:
    change = {"address": "a.b", "change": {"actions": ["create", "forget"]}}
    summary = summarize({"resource_changes": [change]})
    assert summary.counts.as_dict() == {
        "add": 1, "change": 0, "destroy": 0, "replace": 1, "import": 0, "move": 0, "forget": 1,
    }  # fmt: skip
    assert [r.address for r in summary.replacements] == ["a.b"]


def test_tainted_replacement_keeps_its_reason(fixtures_dir: Path) -> None:
    summary = fixture(fixtures_dir, "hashicorp-terraform-json/testdata/action_reason/plan.json")
    assert [r.action_reason for r in summary.replacements] == ["replace_because_tainted"]


def test_destroys_are_listed_with_their_reason(fixtures_dir: Path) -> None:
    summary = fixture(fixtures_dir, f"{BASIC}/2-delete/plan.json")
    assert summary.counts.destroy == 2 and len(summary.destroys) == 2
    assert {r.action_reason for r in summary.destroys} == {"delete_because_no_resource_config"}


def test_forget_is_counted_apart_from_destroy(fixtures_dir: Path) -> None:
    summary = fixture(fixtures_dir, f"{BASIC}/3-remove/plan.json")
    assert summary.counts.forget == 1 and summary.counts.destroy == 0
    assert [r.action for r in summary.changes] == ["forget"]


def test_import_is_counted_and_its_update_too(fixtures_dir: Path) -> None:
    summary = fixture(fixtures_dir, "hashicorp-terraform-json/testdata/identity/plan.json")
    assert (summary.counts.imports, summary.counts.change) == (1, 1)
    (resource,) = summary.changes
    assert resource.importing
    assert {a.name: (a.before, a.after) for a in resource.attributes} == {
        "age": ("null", "999"),
        "name": ("null", '"test"'),
    }


def test_a_move_is_counted_and_listed_but_not_as_a_change(fixtures_dir: Path) -> None:
    summary = fixture(fixtures_dir, "hashicorp-terraform-json/testdata/moved_block/plan.json")
    assert summary.counts.as_dict() == {
        "add": 0, "change": 0, "destroy": 0, "replace": 0, "import": 0, "move": 1, "forget": 0,
    }  # fmt: skip
    (moved,) = summary.changes
    assert (moved.previous_address, moved.address) == ("random_id.test", "random_id.test2")
    assert moved.action == "no-op"


def test_no_op_and_data_source_reads_are_not_counted(fixtures_dir: Path) -> None:
    no_op = fixture(fixtures_dir, "ovsds-tf-plan-format/tests/data/plans/no-op/terraform.tfplan.json")
    assert not no_op.counts.any and no_op.changes == () and not no_op.applyable
    reads = fixture(
        fixtures_dir,
        "checkov/tests/terraform/checks/data/aws/example_GithubActionsOIDCTrustPolicy/tfplan.json",
    )
    assert reads.counts.add == 5 and len(reads.changes) == 5
    assert all(not r.address.startswith("data.") and ".data." not in r.address for r in reads.changes)


def test_drift_is_reported_with_its_attributes(fixtures_dir: Path) -> None:
    summary = fixture(fixtures_dir, "opentofu/internal/command/testdata/show-json/drift/output.json")
    (drift,) = summary.drift
    assert drift.address == "test_instance.should_refresh" and drift.action == "update"
    assert [(a.name, a.before, a.after) for a in drift.attributes] == [("ami", '"refresh-me"', '"refreshed"')]
    deleted = fixture(fixtures_dir, "tf-summarize/example/tfplan.json").drift
    assert [r.action for r in deleted] == ["delete"] * 3


def test_errored_plan(fixtures_dir: Path) -> None:
    summary = fixture(fixtures_dir, "opentofu/internal/command/testdata/show-json/plan-error/output.json")
    assert summary.errored and not summary.applyable and not summary.complete


def test_empty_plan_is_not_applyable(fixtures_dir: Path) -> None:
    summary = fixture(fixtures_dir, f"{BASIC}/4-empty/plan.json")
    assert not summary.has_changes and not summary.applyable and not summary.errored


def test_check_results(fixtures_dir: Path) -> None:
    summary = fixture(fixtures_dir, "hashicorp-terraform-json/testdata/has_checks/plan.json")
    assert [(c.address, c.kind, c.status) for c in summary.checks] == [
        ("module.files.local_file.foo", "resource", "pass")
    ]
    assert summary.failed_checks == ()
    failing = summarize(
        {
            "format_version": "1.2",
            "planned_values": {},
            "checks": [
                {
                    "address": {"to_display": "check.health", "kind": "check"},
                    "status": "fail",
                    "instances": [{"status": "fail", "problems": [{"message": "status was 503"}]}],
                }
            ],
        }
    )
    assert [(c.address, c.problems) for c in failing.failed_checks] == [("check.health", ("status was 503",))]


def test_output_changes_mask_sensitive_and_unknown(fixtures_dir: Path) -> None:
    basic = fixture(fixtures_dir, "hashicorp-terraform-json/testdata/120_basic/plan.json")
    outputs = {o.name: o for o in basic.outputs}
    assert outputs["foo"].sensitive and outputs["foo"].after == SENSITIVE
    assert outputs["referenced"].after == UNKNOWN
    assert outputs["map"].after == '{"foo":"bar","number":42}'
    unknown = fixture(fixtures_dir, "opentofu/internal/command/testdata/show-json/unknown-output/output.json")
    partly = {o.name: o.after for o in unknown.outputs}
    assert partly["foo"] == '"hello"'
    assert partly["bar"].endswith("(partly known after apply)")


def test_sensitive_attributes_are_masked_on_both_sides(fixtures_dir: Path) -> None:
    summary = fixture(fixtures_dir, "ovsds-tf-plan-format/tests/data/plans/sensitive/terraform.tfplan.json")
    (replacement,) = summary.replacements
    shown = {a.name: (a.before, a.after) for a in replacement.attributes}
    assert shown["hex"] == (SENSITIVE, SENSITIVE) and shown["base64"] == (SENSITIVE, SENSITIVE)
    assert shown["length"] == ("4", "8")
    assert replacement.replace_paths == ("length",)


def test_a_wholly_sensitive_object_masks_every_attribute() -> None:
    change = {
        "address": "x.y",
        "mode": "managed",
        "change": {
            "actions": ["update"],
            "before": {"password": "hunter2", "user": "root"},
            "after": {"password": "hunter3", "user": "admin"},
            "before_sensitive": True,
            "after_sensitive": {"password": True},
        },
    }
    (resource,) = summarize({"resource_changes": [change]}).changes
    assert {a.before for a in resource.attributes} == {SENSITIVE}


def test_attribute_lists_and_values_are_bounded() -> None:
    before = {f"a{i}": "x" * 10_000 for i in range(100)}
    after = {f"a{i}": "y" * 10_000 for i in range(100)}
    change = {"actions": ["update"], "before": before, "after": after}
    (resource,) = summarize({"resource_changes": [{"address": "big.one", "change": change}]}).changes
    assert len(resource.attributes) == 20 and resource.more_attributes == 80
    assert all(len(a.before) <= MAX_VALUE_CHARS + 1 for a in resource.attributes)
    assert display_value([list(range(1000))] * 1000).endswith("…")
    assert len(display_value({"k": ["v" * 500] * 500})) == MAX_VALUE_CHARS + 1


def test_replace_paths_render_as_terraform_addresses() -> None:
    change = {
        "actions": ["delete", "create"],
        "before": {},
        "after": {},
        "replace_paths": [["tags", "Name"], ["ingress", 0, "cidr blocks"], ["ami"]],
    }
    (resource,) = summarize({"resource_changes": [{"address": "a.b", "change": change}]}).changes
    assert resource.replace_paths == ("tags.Name", 'ingress[0]["cidr blocks"]', "ami")


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20,
)
_action_lists = st.lists(
    st.sampled_from(["create", "delete", "update", "no-op", "read", "forget", "bogus"]), max_size=3
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {"address": _json, "mode": st.sampled_from(["managed", "data", None]), "change": _json},
            optional={"previous_address": _json, "action_reason": _json},
        )
        | st.fixed_dictionaries(
            {"address": st.text(max_size=10), "change": st.fixed_dictionaries({"actions": _action_lists})},
            optional={"before": _json, "after": _json, "after_unknown": _json, "after_sensitive": _json},
        ),
        max_size=6,
    ),
    _json,
    _json,
)
def test_summarize_never_crashes_on_odd_shapes(changes: list[Any], outputs: Any, checks: Any) -> None:
    plan = {"resource_changes": changes, "resource_drift": changes, "output_changes": outputs}
    counts = summarize({**plan, "checks": checks}).counts
    # Every replacement creates; the old object is destroyed, or forgotten (Terraform's CreateThenForget).
    assert counts.add >= counts.replace and counts.destroy + counts.forget >= counts.replace


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_loading_any_text_gives_plans_or_a_plan_format_error(text: str) -> None:
    try:
        documents = load_plan_documents(text)
    except PlanFormatError as error:
        assert error.message and error.hint
    else:
        assert documents and all(isinstance(d, dict) for d in documents)
