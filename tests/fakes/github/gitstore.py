"""Git objects of a fake repository: blobs, flat trees, commits and refs, with git's own SHA-1 object names."""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, field


def object_sha(kind: str, payload: bytes) -> str:
    """The SHA-1 git gives an object, so shas look and behave like GitHub's."""
    return hashlib.sha1(f"{kind} {len(payload)}\0".encode() + payload, usedforsecurity=False).hexdigest()


_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", re.MULTILINE)


def right_lines(patch: str) -> set[int]:
    """The head's line numbers a file's patch shows (added and context lines): where GitHub takes line comments."""
    shown: set[int] = set()
    for found in _HUNK.finditer(patch):
        start, length = int(found.group(1)), int(found.group(2) or "1")
        shown.update(range(start, start + length))
    return shown


@dataclass(frozen=True)
class TreeEntry:
    path: str
    mode: str
    type: str  # "blob" or "tree"
    sha: str


@dataclass(frozen=True)
class Commit:
    sha: str
    tree: str
    parents: tuple[str, ...]
    message: str
    author_name: str
    author_email: str
    date: str
    committer_name: str = ""  # "" : the author committed it
    committer_email: str = ""
    # GitHub's signature check: an app's own API commit (no custom author) is signed by GitHub and verified.
    verified: bool = False
    verification_reason: str = "unsigned"

    @property
    def committer(self) -> tuple[str, str]:
        return (self.committer_name or self.author_name, self.committer_email or self.author_email)


@dataclass
class GitStore:
    """Trees are stored flat (full path → blob); directory trees are derived on demand and stored too."""

    blobs: dict[str, bytes] = field(default_factory=dict)
    trees: dict[str, dict[str, TreeEntry]] = field(default_factory=dict)
    commits: dict[str, Commit] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)  # "refs/heads/main" → commit sha

    def put_blob(self, content: bytes) -> str:
        sha = object_sha("blob", content)
        self.blobs[sha] = content
        return sha

    def put_tree(self, entries: dict[str, TreeEntry]) -> str:
        listing = "\n".join(f"{e.mode} {e.type} {e.sha}\t{p}" for p, e in sorted(entries.items()))
        sha = object_sha("tree", listing.encode())
        self.trees[sha] = dict(entries)
        return sha

    def tree_from_files(self, files: dict[str, str], base: dict[str, TreeEntry] | None = None) -> str:
        entries = dict(base or {})
        for path, text in files.items():
            entries[path] = TreeEntry(path, "100644", "blob", self.put_blob(text.encode()))
        return self.put_tree(entries)

    def put_commit(
        self,
        tree: str,
        parents: list[str],
        message: str,
        author_name: str,
        author_email: str,
        date: str,
        *,
        committer: tuple[str, str] | None = None,
        verified: bool = False,
    ) -> str:
        committer_name, committer_email = committer or ("", "")
        text = f"tree {tree}\n" + "".join(f"parent {p}\n" for p in parents)
        text += f"author {author_name} <{author_email}> {date}\n"
        text += f"committer {committer_name or author_name} <{committer_email or author_email}> {date}\n"
        text += f"gpgsig {verified}\n\n{message}"
        sha = object_sha("commit", text.encode())
        self.commits[sha] = Commit(
            sha,
            tree,
            tuple(parents),
            message,
            author_name,
            author_email,
            date,
            committer_name,
            committer_email,
            verified,
            "valid" if verified else "unsigned",
        )
        return sha

    def commits_between(self, base: str, head: str) -> list[str]:
        """The commits of head that base lacks, oldest first: what GitHub lists as a pull request's commits."""
        known = set(self.ancestors(base))
        ours = [sha for sha in self.ancestors(head) if sha not in known]
        return list(reversed(ours))

    def blob_entries(self, tree_sha: str) -> dict[str, TreeEntry]:
        return self.trees[tree_sha]

    def listing(self, tree_sha: str, recursive: bool) -> list[TreeEntry]:
        """What GET /git/trees shows: the top level (directories as subtrees), or everything when recursive."""
        flat = self.trees[tree_sha]
        if recursive:
            dirs = {"/".join(p.split("/")[:i]) for p in flat for i in range(1, p.count("/") + 1)}
            subtrees = [TreeEntry(d, "040000", "tree", self._subtree(flat, d + "/")) for d in dirs]
            return sorted([*flat.values(), *subtrees], key=lambda e: e.path)
        top: dict[str, TreeEntry] = {}
        for path, entry in flat.items():
            head, sep, _ = path.partition("/")
            if sep:
                top[head] = TreeEntry(head, "040000", "tree", self._subtree(flat, head + "/"))
            else:
                top[path] = entry
        return sorted(top.values(), key=lambda e: e.path)

    def _subtree(self, flat: dict[str, TreeEntry], prefix: str) -> str:
        inner = {p[len(prefix) :]: e for p, e in flat.items() if p.startswith(prefix)}
        return self.put_tree({p: TreeEntry(p, e.mode, e.type, e.sha) for p, e in inner.items()})

    def files_at(self, commit_sha: str) -> dict[str, str]:
        tree = self.trees[self.commits[commit_sha].tree]
        return {path: self.blobs[e.sha].decode("utf-8", "replace") for path, e in sorted(tree.items())}

    def resolve(self, ref_or_sha: str) -> str | None:
        """A commit sha for a sha, a branch name, `heads/x` or `refs/heads/x`; None when nothing matches."""
        if ref_or_sha in self.commits:
            return ref_or_sha
        for candidate in (ref_or_sha, f"refs/{ref_or_sha}", f"refs/heads/{ref_or_sha}", f"refs/tags/{ref_or_sha}"):
            if candidate in self.refs:
                return self.refs[candidate]
        return None

    def ancestors(self, sha: str) -> list[str]:
        seen: list[str] = []
        queue = [sha]
        while queue:
            current = queue.pop(0)
            if current in seen or current not in self.commits:
                continue
            seen.append(current)
            queue.extend(self.commits[current].parents)
        return seen

    def merge_base(self, a: str, b: str) -> str | None:
        of_b = set(self.ancestors(b))
        return next((sha for sha in self.ancestors(a) if sha in of_b), None)

    def patch(self, before_sha: str | None, after_sha: str, path: str) -> str:
        """A file's `patch` as GitHub lists it: unified hunks (3 lines of context), no file headers."""
        before = self.trees[self.commits[before_sha].tree] if before_sha else {}
        after = self.trees[self.commits[after_sha].tree]
        old = self.blobs[before[path].sha].decode("utf-8", "replace") if path in before else ""
        new = self.blobs[after[path].sha].decode("utf-8", "replace") if path in after else ""
        lines = list(difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=3))
        return "\n".join(lines[2:])  # without the ---/+++ header lines

    def changes(self, before_sha: str | None, after_sha: str) -> list[tuple[str, str, str, tuple[int, int]]]:
        """(path, status, blob sha, (additions, deletions)) from one commit to another, as GitHub lists files."""
        before = self.trees[self.commits[before_sha].tree] if before_sha else {}
        after = self.trees[self.commits[after_sha].tree]
        found = []
        for path in sorted(set(before) | set(after)):
            old, new = before.get(path), after.get(path)
            if old == new:
                continue
            old_lines = self.blobs[old.sha].decode("utf-8", "replace").splitlines() if old else []
            new_lines = self.blobs[new.sha].decode("utf-8", "replace").splitlines() if new else []
            status = "added" if old is None else "removed" if new is None else "modified"
            counts = (
                len([x for x in new_lines if x not in old_lines]),
                len([x for x in old_lines if x not in new_lines]),
            )
            found.append((path, status, new.sha if new else old.sha if old else "", counts))
        return found
