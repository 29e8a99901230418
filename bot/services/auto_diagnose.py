"""The fix loop by itself after a failed plan or apply, where `.olympus.yaml` turns it on (`fixes: {auto: true}`).

It runs in the job that planned or applied (the App's worker, the CLI's command, the Action's step), never in a
webhook's request, and once per failed commit: a redelivered event, a re-run or a second failure of the same head
finds the diagnosis recorded in the store's runs and does nothing. The setting is read from the base branch, as the
policies are: a pull request cannot turn it on for itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Final

from bot.domain.markdown import code
from bot.domain.repo_config import RepoConfig, load_repo_config
from bot.ports import Store

AUTO_RUN: Final = "auto-diagnose"  # the store's run of one commit's automatic diagnosis


def fixes_auto(read_text: Callable[[str], str | None]) -> bool:
    """Whether the repository's `.olympus.yaml` (as read_text reads it) turns the automatic fix loop on; a file with
    errors turns nothing on (its errors are in the plan's comment)."""
    config = load_repo_config(read_text)
    return isinstance(config, RepoConfig) and config.fixes_auto


@contextmanager
def once_per_commit(store: Store, change_id: str, head: str, actor: str) -> Iterator[bool]:
    """Hold this commit's automatic diagnosis: True when it is the first (recorded, finished when the block ends),
    False when one ran or runs already. A diagnosis that raised is recorded as failed, so a retried job runs it."""
    with store.one_at_a_time(f"{AUTO_RUN} {change_id}"):
        done = any(
            r.command == AUTO_RUN and r.commit == head and r.result != "failed" for r in store.runs_for(change_id)
        )
        run = None if done else store.start_run(change_id, AUTO_RUN, actor, head)
    if run is None:
        yield False
        return
    try:
        yield True
    except BaseException:
        store.finish_run(run, "failed", {})
        raise
    store.finish_run(run, "completed", {})


def auto_heading(step: str, projects: Sequence[str], head: str, ask: str) -> str:
    """The first paragraph of an automatic diagnosis: what failed, and why Olympus diagnosed it unasked."""
    names = ", ".join(code(name) for name in projects)
    return (
        f"The {step} of {names} failed at `{head[:12]}`, so Olympus diagnosed it by itself (`fixes: {{auto: true}}` "
        f"in `.olympus.yaml`). Nothing is applied; {ask} asks again."
    )


def should_diagnose(failed: Sequence[str], model: object | None, read_text: Callable[[str], str | None]) -> bool:
    """A failure, a model to read it, and the repository's consent (read only when the first two hold)."""
    return bool(failed) and model is not None and fixes_auto(read_text)
