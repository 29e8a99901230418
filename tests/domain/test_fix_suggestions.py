"""A verified fix becomes GitHub suggestions only when every hunk lies in the pull request's diff, each hunk one
comment over the head lines it replaces; anything else is left for a branch."""

from __future__ import annotations

from bot.domain.fixes.suggestions import Suggestion, diff_lines, suggestions_for

HEAD = 'module "logs" {\n  source      = "../modules/s3"\n  bucket_name = "logs"\n  versioning  = ture\n}\n'
PATCH = "@@ -0,0 +1,5 @@\n" + "".join(f"+{line}\n" for line in HEAD.splitlines())


def test_the_lines_a_diff_shows() -> None:
    assert diff_lines(PATCH) == {1, 2, 3, 4, 5}
    assert diff_lines("@@ -10,4 +12,6 @@ resource\n x\n@@ -40 +44 @@\n-y\n+z") == {12, 13, 14, 15, 16, 17, 44}
    assert diff_lines("") == set()


def test_a_changed_line_is_one_suggestion() -> None:
    after = HEAD.replace("ture", "true")
    assert suggestions_for("main.tf", HEAD, after, diff_lines(PATCH)) == [
        Suggestion("main.tf", 4, 4, "  versioning  = true\n")
    ]


def test_an_insertion_anchors_on_the_line_before_and_a_deletion_replaces_with_nothing() -> None:
    inserted = HEAD.replace('"logs"\n', '"logs"\n  tags        = { owner = "ops" }\n')
    (one,) = suggestions_for("main.tf", HEAD, inserted, {1, 2, 3, 4, 5}) or []
    assert (one.start_line, one.end_line) == (3, 3)
    assert one.replacement == '  bucket_name = "logs"\n  tags        = { owner = "ops" }\n'
    deleted = HEAD.replace("  versioning  = ture\n", "")
    assert suggestions_for("main.tf", HEAD, deleted, {1, 2, 3, 4, 5}) == [Suggestion("main.tf", 4, 4, "")]
    top = "# Logs of every service.\n" + HEAD
    assert suggestions_for("main.tf", HEAD, top, {1, 2, 3, 4, 5}) == [
        Suggestion("main.tf", 1, 1, '# Logs of every service.\nmodule "logs" {\n')
    ]


def test_a_hunk_outside_the_diff_or_overlapping_another_means_no_suggestions() -> None:
    after = HEAD.replace("ture", "true")
    assert suggestions_for("main.tf", HEAD, after, {1, 2, 3}) is None  # line 4 is not in the diff
    assert suggestions_for("main.tf", HEAD, HEAD, {1, 2, 3, 4, 5}) is None  # nothing to suggest
    assert suggestions_for("main.tf", HEAD, HEAD.rstrip("\n"), {1, 2, 3, 4, 5}) is None  # no final newline
    two = HEAD.replace('"logs"\n', '"logs"\n  a = 1\n').replace("ture", "true")
    # A line inserted before a changed one is one hunk: one comment replacing line 4 with both lines.
    assert suggestions_for("main.tf", HEAD, two, {1, 2, 3, 4, 5}) == [
        Suggestion("main.tf", 4, 4, "  a = 1\n  versioning  = true\n")
    ]
    apart = HEAD.replace('module "logs" {\n', 'module "logs" {\n  # x\n').replace("ture", "true")
    assert [(s.start_line, s.end_line) for s in suggestions_for("main.tf", HEAD, apart, {1, 2, 3, 4, 5}) or []] == [
        (1, 1),
        (4, 4),
    ]


def test_the_body_fences_the_suggestion_so_nothing_inside_closes_it() -> None:
    body = Suggestion("main.tf", 4, 4, "  # ``` not the end\n").body("Olympus's verified fix")
    assert body == "Olympus's verified fix\n\n````suggestion\n  # ``` not the end\n````\n"
