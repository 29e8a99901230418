"""Every user error's code is in docs/errors.md's table, and the table names no code that Olympus never raises."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The calls that carry a user error's code as their first argument.
_CARRIERS = {
    "UserError",
    "ArgoCdError",
    "StoreOpenError",
    "TerraformFailure",
    "PlanStoreError",
    "print_user_error",
    "refused_by_gate",
}
_CODE = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)+|[a-z]+")


def _literal_codes(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _literal_codes(node.body) + _literal_codes(node.orelse)
    return []


def user_error_codes() -> dict[str, str]:
    """code → the first module that raises it, read from bot/'s source."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "bot").rglob("*.py")):
        module = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text())):
            codes: list[str] = []
            if isinstance(node, ast.Call) and node.args:
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                # A UserError subclass passes its fixed code up: super().__init__("plan-format", ...).
                is_super = name == "__init__" and isinstance(node.func, ast.Attribute)
                if name in _CARRIERS or is_super:
                    codes = _literal_codes(node.args[0])
            elif isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "reference" for t in node.targets):
                codes = _literal_codes(node.value)
            for code in codes:
                if _CODE.fullmatch(code):
                    found.setdefault(code, module)
    return found


def documented_codes() -> set[str]:
    text = (ROOT / "docs/errors.md").read_text()
    return set(re.findall(r"^\| `([a-z0-9-]+)` \|", text, re.MULTILINE))


def test_every_user_error_code_is_documented() -> None:
    codes = user_error_codes()
    assert len(codes) > 50  # the scan finds them: a broken scan must not pass by finding none
    missing = sorted(set(codes) - documented_codes())
    assert not missing, f"add these codes to docs/errors.md: {', '.join(f'{c} ({codes[c]})' for c in missing)}"


def test_the_table_lists_only_codes_olympus_raises() -> None:
    stale = sorted(documented_codes() - set(user_error_codes()))
    assert not stale, f"docs/errors.md lists codes nothing raises: {', '.join(stale)}"


def test_every_user_error_says_how_to_fix_it() -> None:
    bare = []
    for path in sorted((ROOT / "bot").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("UserError", "StoreOpenError"):
                hint = (
                    node.args[2]
                    if len(node.args) > 2
                    else next((k.value for k in node.keywords if k.arg == "hint"), None)
                )
                if hint is None or (isinstance(hint, ast.Constant) and not hint.value):
                    bare.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not bare, f"user errors without a hint: {', '.join(bare)}"
