"""The policies' section of the plan comment and their check run text: failures first, owners named, text inert."""

from __future__ import annotations

from markdown_safety import MARKDOWN, assert_renders_safely

from bot.domain.policies.render import policy_lines, set_summary, set_text
from bot.domain.policies.results import PolicyReport, SetOutcome, Violation

HOSTILE = "| x | `` ``` <img src=x onerror=alert(1)> @octo-org/admins [click](https://evil.example) \n## header"


def report() -> PolicyReport:
    failing = SetOutcome(
        "olympus",
        "dev",
        True,
        ("carol", "acme/platform"),
        (
            Violation("olympus", "deny", HOSTILE, "dev", 'aws_s3_bucket.b["|`"]'),
            Violation("olympus", "warn", "versioning is off", "dev", "aws_s3_bucket.b"),
        ),
    )
    advisory = SetOutcome("costs", "dev", False, (), (Violation("costs", "deny", "too large", "dev"),))
    broken = SetOutcome("security", "dev", True, (), error="policy/p.rego:3:1: unexpected token")
    passing = SetOutcome("tags", "dev", True)
    return PolicyReport((failing, advisory, broken, passing))


def test_the_section_lists_failures_first_with_who_can_approve() -> None:
    lines = policy_lines(report())
    text = "\n".join(lines)
    assert lines[0] == "#### Policies"
    assert "❌ **2 blocking failures**" in text and "⚠️ 1 advisory failure" in text and "⚠️ 1 warning" in text
    assert "could not be evaluated over `dev`: policy/p\\.rego\\:3\\:1\\: unexpected token" in text
    rows = [line for line in lines if line.startswith("| ❌") or line.startswith("| ⚠️")]
    assert rows[0].startswith("| ❌") and "`carol`, `acme/platform`" in rows[0]
    assert "`/infra approve_policies --policy-set olympus`" in rows[0]
    assert "advisory" in rows[1] and "warning" in rows[2]
    assert "Passed: `tags`." in text


def test_hostile_messages_and_addresses_stay_inside_their_cells() -> None:
    text = "\n".join(policy_lines(report()))
    assert_renders_safely(text, inert=True)
    table = [t for t in MARKDOWN.parse(text) if t.type == "tr_open"]
    assert len(table) == 4  # the header and three rows: nothing split a row or started another
    assert "@\u2060octo\\-org/admins" in text  # no mention


def test_nothing_is_shown_when_policies_are_off_or_judged_nothing() -> None:
    assert policy_lines(PolicyReport(off=True)) == []
    assert policy_lines(PolicyReport()) == []


def test_the_check_run_of_a_set_names_its_owners_and_command() -> None:
    (failing,) = report().of_set("olympus")
    assert set_summary([failing]).startswith("❌ 1 blocking failure")
    text = set_text([failing])
    assert "Approval: `carol`, `acme/platform` can comment `/infra approve_policies --policy-set olympus`." in text
    assert set_text([SetOutcome("tags", "dev", True)]) == "Every policy of the set passed."
