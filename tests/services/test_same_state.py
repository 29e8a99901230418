"""A change planned on the sandbox is applied on the sandbox, and one planned on its backend on its backend."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain.records import LockRecord
from bot.errors import UserError
from bot.services.local_readiness import require_same_state

BRANCH = "infra/create-bucket-team-data-dev"
WHEN = datetime(2026, 12, 1, tzinfo=UTC)


def held(repo: str, holder: str = BRANCH) -> LockRecord:
    return LockRecord(repo, "infra/aws/envs/dev", "default", holder, WHEN)


def test_a_sandbox_change_applied_without_sandbox_is_told_to_add_it() -> None:
    with pytest.raises(UserError) as refused:
        require_same_state([held("infra-repo@sandbox")], "infra-repo", BRANCH, " --repo infra-repo")
    assert refused.value.reference == "other-state"
    assert f"{BRANCH} was planned on the sandbox" in refused.value.message
    assert refused.value.hint == f"add --sandbox: `olympus apply --repo infra-repo --sandbox --branch {BRANCH}`"


def test_a_backend_change_applied_with_sandbox_is_told_to_drop_it() -> None:
    with pytest.raises(UserError) as refused:
        require_same_state([held("infra-repo")], "infra-repo@sandbox", BRANCH, "")
    assert f"{BRANCH} was planned on its backend" in refused.value.message
    assert refused.value.hint.startswith("drop --sandbox: `olympus apply --branch")


@pytest.mark.parametrize(
    "locks",
    [
        [],  # nothing held: the gate says "plan again"
        [held("infra-repo")],  # held where the command runs
        [held("infra-repo"), held("infra-repo@sandbox")],  # planned on both: this state's plan is the one
        [held("infra-repo@sandbox", holder="infra/other")],  # another change's lock is not this change's state
    ],
)
def test_a_change_on_the_commands_own_state_passes(locks: list[LockRecord]) -> None:
    require_same_state(locks, "infra-repo", BRANCH, "")
