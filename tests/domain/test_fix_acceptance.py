"""A fix has landed when the head's files hold the lines it adds (however they got there); a fix that only deletes
is judged by what it removed; punctuation-only lines, a moved line and an unreadable file never decide it."""

from __future__ import annotations

from bot.changes.fixes.patch_rules import FileEdit
from bot.domain.fixes.acceptance import fix_landed, patch_lines
from bot.domain.fixes.attempts import ClassRate
from bot.services.fix_loop import unified_patch

MAIN = "stacks/app/main.tf"
BROKEN = 'resource "terraform_data" "greeting" {\n  input = var.greeting\n}\n'
DECLARED = 'variable "greeting" {\n  type = string\n}\n\n'
FIX = unified_patch([FileEdit(MAIN, BROKEN, DECLARED + BROKEN)])


def test_the_added_lines_decide_whatever_else_the_head_holds() -> None:
    [lines] = patch_lines(FIX)
    assert lines.path == MAIN and lines.added == {'variable "greeting" {', "type = string"} and not lines.removed
    assert fix_landed(FIX, {MAIN: DECLARED + BROKEN}.get)
    # Committed with other edits and its own indentation: still the fix.
    edited = '# greeting\nvariable "greeting" {\n    type = string\n  default = "hi"\n}\n' + BROKEN
    assert fix_landed(FIX, {MAIN: edited}.get)
    assert not fix_landed(FIX, {MAIN: BROKEN}.get)  # not taken
    assert not fix_landed(FIX, {MAIN: 'variable "greeting" {\n}\n' + BROKEN}.get)  # half of it
    assert not fix_landed(FIX, {}.get)  # the file is gone


def test_a_fix_that_only_deletes_is_judged_by_what_it_removed() -> None:
    extra = BROKEN + 'resource "terraform_data" "stray" {\n  input = "x"\n}\n'
    deletion = unified_patch([FileEdit(MAIN, extra, BROKEN)])
    assert fix_landed(deletion, {MAIN: BROKEN}.get)
    assert not fix_landed(deletion, {MAIN: extra}.get)


def test_nothing_telling_decides_nothing() -> None:
    braces = unified_patch([FileEdit(MAIN, "a {\n", "a {\n}\n")])
    assert not fix_landed(braces, {MAIN: "a {\n}\n"}.get)
    moved = unified_patch([FileEdit(MAIN, "x = 1\ny = 2\n", "y = 2\nx = 1\n")])
    assert all(not f.added and not f.removed for f in patch_lines(moved))
    assert not fix_landed(moved, {MAIN: "y = 2\nx = 1\n"}.get)
    assert not fix_landed("", {}.get)


def test_the_rates_say_none_before_anyone_decided() -> None:
    waiting = ClassRate("name-taken", attempts=2, verified=1, accepted=0, applied=0)
    assert waiting.acceptance_rate is None and waiting.held_rate is None
    decided = ClassRate("name-taken", attempts=4, verified=3, accepted=2, applied=1, decided=3, applies=2)
    assert decided.acceptance_rate == 2 / 3 and decided.held_rate == 0.5
