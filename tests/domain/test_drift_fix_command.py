"""`/infra fix drift [restore|adopt]`: its grammar, its rendering, its help page and who may run it."""

from __future__ import annotations

import pytest

from bot.domain.commands import FixDrift, Help, Reply, help_text, parse, render_command
from bot.domain.permissions import Allowed, Refused, command_kind, may_run


@pytest.mark.parametrize(
    ("comment", "expected"),
    [
        ("/infra fix drift", FixDrift()),
        ("/infra fix drift restore", FixDrift("restore")),
        ("/infra fix drift adopt", FixDrift("adopt")),
        ("/infra FIX Drift ADOPT", FixDrift("adopt")),  # as any verb: in any case
        ("`/infra fix drift restore`", FixDrift("restore")),
    ],
)
def test_the_forms_it_takes(comment: str, expected: FixDrift) -> None:
    assert parse(comment) == expected
    assert parse(render_command(expected)) == expected


@pytest.mark.parametrize(
    ("comment", "said"),
    [
        ("/infra fix", "`/infra fix` needs what to fix: `/infra fix drift [restore|adopt]`"),
        ("/infra fix drfit restore", "did you mean `/infra fix drift restore`?"),
        ("/infra fix bucket", "Olympus fixes only drift; unexpected `bucket`"),
        ("/infra fix drift restor", "unknown way out `restor`; did you mean `/infra fix drift restore`?"),
        ("/infra fix drift sideways", "`restore` keeps the code and puts reality back, `adopt` changes the code"),
        ("/infra fix drift restore adopt", "takes one way out; unexpected `adopt`"),
        ("/infra fx drift", "did you mean `/infra fix drift`?"),
    ],
)
def test_mistakes_get_the_fix(comment: str, said: str) -> None:
    reply = parse(comment)
    assert isinstance(reply, Reply) and said in reply.text, reply


def test_a_comment_with_more_lines_is_not_run() -> None:
    reply = parse("/infra fix drift restore\nonce the freeze is over")
    assert isinstance(reply, Reply) and "comment `/infra fix drift restore` on its own" in reply.text


def test_it_has_a_help_page_listed_in_the_help_and_needs_write() -> None:
    assert parse("/infra fix drift --help") == Help("fix")
    page = help_text("app", "fix")
    assert "`/infra fix drift [restore|adopt]`" in page and "drift issue" in page
    assert "| `/infra fix drift [restore\\|adopt]` |" in help_text("app")
    assert "GitHub" in help_text("cli", "fix")
    kind = command_kind(FixDrift())
    assert may_run(kind, "write") == Allowed()
    refused = may_run(kind, "read")
    assert isinstance(refused, Refused) and refused.reason.startswith("`/infra fix drift` may be run by people with")
