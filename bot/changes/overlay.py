"""A repository reader with files written (or deleted) over it: what the next of several generator calls sees."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.ports import RepoReader

__all__ = ["Overlay"]


@dataclass(frozen=True)
class Overlay:
    """`base` with `written` laid over it: a path's new text, or None where a call deleted it."""

    base: RepoReader
    written: Mapping[str, str | None]

    def list_files(self, prefix: str = "") -> list[str]:
        files = set(self.base.list_files(prefix))
        for path, text in self.written.items():
            if path.startswith(prefix):
                (files.add if text is not None else files.discard)(path)
        return sorted(files)

    def read_text(self, path: str) -> str | None:
        return self.written[path] if path in self.written else self.base.read_text(path)
