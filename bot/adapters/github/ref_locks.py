"""Project locks on GitHub itself: creating a git ref is atomic there, so the first job to create it holds the lock."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.adapters.github.codehost import GitHubCodeHost
from bot.domain.records import LockRecord
from bot.domain.ref_locks import LOCK_NAMESPACE, LockClaim, lock_message, lock_ref, parse_lock_message
from bot.ports import CodeHostError

# A lock released between our failed create and our read is raced for again, this many times at most.
_ATTEMPTS = 3


class GitHubRefLocks:
    """The lock methods of the store (acquire_lock, lock_for, release_locks_of), kept as refs in one repository.

    Each lock is `refs/olympus/locks/<project>` pointing at a commit whose message names the holder; the commit has
    the planned head as parent and its tree, so it needs no object of its own. Any job with `contents: read` can
    re-read a lock; taking or releasing one needs `contents: write`.
    """

    def __init__(self, codehost: GitHubCodeHost, repo: str, *, head: str = "", run_url: str = "") -> None:
        self.codehost = codehost
        self.repo = repo
        self.head = head  # the commit being planned: the lock commit's parent
        self.run_url = run_url
        self._head_tree = ""

    def acquire_lock(self, repo: str, dir: str, workspace: str, holder: str) -> LockRecord:
        """Take the lock, or return it as it stands; the ref's creation decides a race, never a read before it."""
        ref = lock_ref(dir, workspace)
        for _ in range(_ATTEMPTS):
            existing = self.lock_for(repo, dir, workspace)
            if existing is not None:
                return existing
            claim = LockClaim(holder=holder, dir=dir, workspace=workspace, commit=self.head, run=self.run_url)
            commit = self._lock_commit(claim)
            if self._create_ref(ref, commit):
                return LockRecord(self.repo, dir, workspace, holder, datetime.now(UTC))
        raise CodeHostError(
            f"take the lock {ref} in {self.repo}",
            f"it changed hands {_ATTEMPTS} times while Olympus tried to take it",
            "plan again in a minute",
        )

    def lock_for(self, repo: str, dir: str, workspace: str) -> LockRecord | None:
        """The lock as GitHub holds it now; a ref that is not a readable lock still counts as held, by nobody known."""
        ref = lock_ref(dir, workspace)
        target = self._ref_target(ref)
        if target is None:
            return None
        claim, when = self._claim_at(target)
        holder = claim.holder if claim else f"an unreadable lock ({ref}); delete that ref to release it"
        return LockRecord(self.repo, dir, workspace, holder, when)

    def release_lock(self, repo: str, dir: str, workspace: str, holder: str) -> bool:
        """Delete the project's lock ref when its claim names holder."""
        ref = lock_ref(dir, workspace)
        target = self._ref_target(ref)
        if target is None:
            return False
        claim, _ = self._claim_at(target)
        return claim is not None and claim.holder == holder and self._delete_ref(ref)

    def release_locks_of(self, holder: str) -> int:
        """Delete every lock ref whose claim names holder; how many."""
        url = f"/repos/{self.repo}/git/matching-refs/{LOCK_NAMESPACE.removeprefix('refs/')}"
        refs = self.codehost.api(f"list the locks of {self.repo}", "GET", url) or []
        released = 0
        for entry in refs:
            claim, _ = self._claim_at(str(entry["object"]["sha"]))
            if claim is not None and claim.holder == holder and self._delete_ref(str(entry["ref"])):
                released += 1
        return released

    # --- git data -------------------------------------------------------------------------------------------

    def _lock_commit(self, claim: LockClaim) -> str:
        base = f"/repos/{self.repo}/git/commits"
        if not self._head_tree:  # read once: every project of the plan is locked on the same head
            head = self.codehost.api(f"read commit {self.head[:12]} of {self.repo}", "GET", f"{base}/{self.head}")
            self._head_tree = str(head["tree"]["sha"])
        body = {"message": lock_message(claim), "tree": self._head_tree, "parents": [self.head]}
        created = self.codehost.api(f"write the lock commit for {claim.dir} in {self.repo}", "POST", base, input=body)
        return str(created["sha"])

    def _create_ref(self, ref: str, sha: str) -> bool:
        try:
            self.codehost.api(
                f"create {ref} in {self.repo}", "POST", f"/repos/{self.repo}/git/refs", input={"ref": ref, "sha": sha}
            )
        except CodeHostError as error:
            if error.status == 422 and "already exists" in error.detail:
                return False
            raise
        return True

    def _ref_target(self, ref: str) -> str | None:
        try:
            data = self.codehost.api(
                f"read {ref} in {self.repo}", "GET", f"/repos/{self.repo}/git/ref/{ref.removeprefix('refs/')}"
            )
        except CodeHostError as error:
            if error.status == 404:
                return None
            raise
        return str(data["object"]["sha"])

    def _delete_ref(self, ref: str) -> bool:
        try:
            self.codehost.api(
                f"delete {ref} in {self.repo}", "DELETE", f"/repos/{self.repo}/git/refs/{ref.removeprefix('refs/')}"
            )
        except CodeHostError as error:
            if error.status in (404, 422):  # already gone
                return False
            raise
        return True

    def _claim_at(self, sha: str) -> tuple[LockClaim | None, datetime]:
        commit = self.codehost.api(
            f"read the lock commit {sha[:12]} in {self.repo}", "GET", f"/repos/{self.repo}/git/commits/{sha}"
        )
        date = str((commit.get("author") or {}).get("date") or "")
        when = datetime.fromisoformat(date.replace("Z", "+00:00")) if date else datetime.now(UTC)
        return parse_lock_message(str(commit.get("message") or "")), when
