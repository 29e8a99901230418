"""The failure corpus, for real: each case's failing step run by Terraform and HashiCorp's AWS provider on the
emulator, and classify() naming its class and its site as the case says.

One emulator serves every case (each has its own state key); the cases share a plugin cache, and each is
initialised once (tests/failure_corpus.py runs the steps).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from failure_corpus import CASES, SETUPS, Case, corpus_terraform_env, nothing_first, prepare_run, run_until_failure
from failure_corpus import state_key as key_of

from bot.adapters.local_aws import InProcessEmulator, LocalAws
from bot.domain.fixes.failure_classes import classify

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def aws() -> Iterator[LocalAws]:
    with InProcessEmulator() as emulator:
        yield emulator


@pytest.fixture(scope="module")
def terraform_env(aws: LocalAws, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return corpus_terraform_env(aws, tmp_path_factory.mktemp("corpus-cache"))


def test_every_setup_is_for_a_case_of_the_corpus() -> None:
    assert set(SETUPS) <= set(CASES)


@pytest.mark.parametrize("name", CASES)
def test_the_failing_step_fails_and_is_classified(
    name: str, aws: LocalAws, terraform_env: dict[str, str], tmp_path: Path
) -> None:
    case = Case.load(name)
    assert case.id == name
    project = prepare_run(name, aws, tmp_path / name)
    setup = SETUPS.get(name, nothing_first)
    with setup(aws, key_of(name)) as extra:
        failed = run_until_failure(case.step, project, {**terraform_env, **extra})
    found = classify(failed.step, failed.output)
    assert (found.code, found.site) == (case.failure_class, case.site), found
