"""The /infra grammar beside Atlantis's comment parser: its TestParse_* cases, and each place Olympus differs, why.

Each row follows a case group of runatlantis/atlantis server/events/comment_parser_test.go (written anew, with
`/infra` for `atlantis`). `differs` is empty when Olympus does what Atlantis does; otherwise it says what Atlantis
does and why Olympus does not. docs/commands.md carries the same table for people.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.domain.commands import (
    ATLANTIS_BLOCKED_EXTRA_ARGS,
    Apply,
    ApprovePolicies,
    Command,
    Help,
    Import,
    NotForMe,
    Plan,
    Reply,
    StateRm,
    parse,
    render_command,
)


@dataclass(frozen=True)
class Case:
    group: str  # the Atlantis test the row comes from
    comment: str
    # A command, NotForMe (Atlantis: Ignore), or text the reply must contain (Atlantis: CommentResponse).
    expected: Command | NotForMe | str
    differs: str = ""


ALONE = "Atlantis ignores the comment silently; Olympus replies once, saying nothing ran and what to comment"
PREFIX_ONLY = "Atlantis also answers `run` and `@its-user`; Olympus answers `/infra` only, so two bots never share one"
ABSOLUTE = "Atlantis reads `/adir` as `adir`; Olympus refuses an absolute path rather than guess what was meant"
DOTDOT = "Atlantis cleans `a/../b` to `b`; Olympus refuses any `..`, so a directory is always written plainly"
SHELL = (
    "Atlantis accepts them (it runs argv); Olympus refuses shell metacharacters anywhere, so no request looks like one"
)
WORKSPACE = "Atlantis allows more characters; Olympus takes what .olympus.yaml takes: letters, digits, `.`, `_`, `-`"
BLOCKED = "not on Atlantis's list; Olympus blocks flags that move state or the plan file, or that would wait for input"
NO_SUCH = "Atlantis has version and cancel; Olympus has no server version to show and cancels no queued run by comment"

CASES = [
    # TestParse_Ignored
    Case("Ignored", "", NotForMe()),
    Case("Ignored", "a", NotForMe()),
    Case("Ignored", "abc", NotForMe()),
    Case("Ignored", "This shouldn't error, but it does.", NotForMe()),
    Case("Ignored", "/infra plan\nbut with newlines", "Olympus did not run this comment", ALONE),
    Case("Ignored", "/infra apply\nnot yet, waiting for review", "comment `/infra apply` on its own", ALONE),
    Case("Ignored", "terraform plan\nbut with newlines", NotForMe()),
    # TestParse_ExecutableName, TestParse_VCSUsername
    Case("ExecutableName", "run help", NotForMe(), PREFIX_ONLY),
    Case("ExecutableName", "@olympus-bot help", NotForMe(), PREFIX_ONLY),
    Case("ExecutableName", "/Infra help", Help()),
    # TestParse_HelpResponse
    Case("HelpResponse", "/infra", Help()),
    Case("HelpResponse", "/infra help", Help()),
    Case("HelpResponse", "/infra --help", Help()),
    Case("HelpResponse", "/infra -h", Help()),
    Case("HelpResponse", "/infra help something else", Help()),
    Case(
        "HelpResponse",
        "/infra help plan",
        Help("plan"),
        "Atlantis shows the general help; Olympus shows plan's page, as `/infra plan --help` does",
    ),
    # TestParse_TrimCommandString
    Case("TrimCommandString", "`/infra help`", Help()),
    Case("TrimCommandString", "`  /infra help  `", Help()),
    Case("TrimCommandString", "`/infra help`  ", Help()),
    Case("TrimCommandString", "  `/infra help", Help()),
    Case(
        "TrimCommandString",
        "```\n/infra plan\n```",
        Plan(),
        "Atlantis ignores a fenced block (it still spans lines); Olympus trims the fence, the command is all there is",
    ),
    # TestParse_UnusedArguments, TestParse_UnknownShorthandFlag
    Case("UnusedArguments", "/infra plan -d . arg", "unexpected `arg` after `/infra plan`"),
    Case("UnusedArguments", "/infra plan arg -d .", "unexpected `arg`"),
    Case("UnusedArguments", "/infra apply arg arg2 -- useful", "unexpected `arg` after `/infra apply`"),
    Case("UnusedArguments", "/infra import arg --", "takes a resource address and the ID to import"),
    Case("UnusedArguments", "/infra import arg1 arg2 arg3 --", "takes a resource address and the ID to import"),
    Case("UnknownShorthandFlag", "/infra unlock -d .", "`/infra unlock` takes no arguments"),
    # TestParse_DidYouMeanAtlantis
    Case("DidYouMeanAtlantis", "terraform", "did you mean `/infra`?"),
    Case("DidYouMeanAtlantis", "terraform help", "did you mean `/infra help`?"),
    Case("DidYouMeanAtlantis", "terraform -h", "did you mean `/infra -h`?"),
    Case("DidYouMeanAtlantis", "terraform plan", "did you mean `/infra plan`?"),
    Case("DidYouMeanAtlantis", "terraform apply", "did you mean `/infra apply`?"),
    Case("DidYouMeanAtlantis", "terraform plan -w workspace -d . -- test", "`/infra plan -w workspace -d . -- test`"),
    Case(
        "DidYouMeanAtlantis",
        "/terraform plan",
        "did you mean `/infra plan`?",
        "Atlantis ignores `/terraform`; it is how people type a slash command they mean for Olympus",
    ),
    Case(
        "DidYouMeanAtlantis",
        "Terraform plan looks fine to me",
        NotForMe(),
        "Atlantis answers any one-line `terraform ...`; Olympus only when the `/infra` form is a valid command",
    ),
    Case(
        "DidYouMeanAtlantis",
        "atlantis plan",
        NotForMe(),
        "not a case of Atlantis's; a repository moving from Atlantis may run both, so Olympus leaves it alone",
    ),
    Case("DidYouMeanAtlantis", "/infar plan", "did you mean `/infra plan`?"),
    Case(
        "NoMisspellWarning",
        "/info help",
        NotForMe(),
        "Atlantis answers any name within 2 edits; Olympus not for a bare `help`, which may be another bot's",
    ),
    # TestParse_InvalidCommand
    Case(
        "InvalidCommand",
        "/infra paln",
        "did you mean `/infra plan`?",
        "Atlantis lists the commands; Olympus names the nearest one when it would be valid as written",
    ),
    Case(
        "InvalidCommand",
        "/infra appely apply",
        "the nearest is `apply`); `/infra help apply` shows its form",
        "Atlantis lists the commands; Olympus names the nearest verb, never a line that would not parse",
    ),
    # Atlantis's `approve_policies [--policy-set NAME]`, as Atlantis spells it.
    Case("ApprovePolicies", "/infra approve_policies", ApprovePolicies()),
    Case("ApprovePolicies", "/infra approve_policies --policy-set security", ApprovePolicies("security")),
    Case("InvalidCommand", "/infra version", "unknown verb `version`", NO_SUCH),
    # TestParse_SubcommandUsage
    Case("SubcommandUsage", "/infra plan -h", Help("plan")),
    Case("SubcommandUsage", "/infra plan --help", Help("plan")),
    Case("SubcommandUsage", "/infra apply -h", Help("apply")),
    Case("SubcommandUsage", "/infra apply --help", Help("apply")),
    Case("SubcommandUsage", "/infra import -h", Help("import")),
    Case("SubcommandUsage", "/infra state --help", Help("state")),
    Case("SubcommandUsage", "/infra state rm --help", Help("state")),
    # TestParse_InvalidFlags
    Case("InvalidFlags", "/infra plan -e", "`-e` is not a flag of `/infra plan`"),
    Case("InvalidFlags", "/infra plan --abc", "`--abc` is not a flag of `/infra plan`"),
    Case("InvalidFlags", "/infra apply -e", "`-e` is not a flag of `/infra apply`"),
    Case("InvalidFlags", "/infra import --abc", "`--abc` is not a flag of `/infra import`"),
    Case("InvalidFlags", "/infra state rm --abc", "`--abc` is not a flag of `/infra state`"),
    # TestParse_RelativeDirPath
    Case("RelativeDirPath", "/infra plan -d ..", "name the directory without `..`"),
    Case("RelativeDirPath", "/infra apply -d ..", "name the directory without `..`"),
    Case("RelativeDirPath", "/infra import -d .. aws_s3_bucket.a id", "name the directory without `..`"),
    Case("RelativeDirPath", "/infra state -d .. rm aws_s3_bucket.a", "name the directory without `..`"),
    Case("RelativeDirPath", "/infra plan -d ./..", "name the directory without `..`"),
    Case("RelativeDirPath", "/infra plan -d a/b/../../..", "name the directory without `..`"),
    Case("RelativeDirPath", "/infra plan -d a/../b", "name the directory without `..`", DOTDOT),
    Case("RelativeDirPath", "/infra plan -d /..", "is an absolute path", ABSOLUTE),
    # TestParse_GlobPatternDir and its invalid/relative variants
    Case(
        "GlobPatternDir",
        "/infra plan -d modules/*",
        "is a pattern",
        "Atlantis runs every matching directory; Olympus takes one directory or `-p`, and plans the change's own",
    ),
    Case("GlobPatternDirWithRelativePath", "/infra plan -d '../*'", "name the directory without `..`"),
    # TestParse_ValidCommand
    *(
        Case("ValidCommand", comment, Plan())
        for comment in (
            "/infra plan\n",
            "/infra plan\n\n",
            "/infra plan\r\n",
            "/infra plan\r\n\r\n",
            "\n/infra plan",
            "\r\n/infra plan",
            "\n/infra plan\n",
            "\r\n/infra plan\r\n",
            "/infra plan",
            "/Infra plan",
            "/Infra Plan",
            "/INFRA PLAN",
        )
    ),
    # TestParse_InvalidWorkspace, TestParse_WorkspaceTildeInvalid, TestParse_WorkspaceUnsafeForPathsInvalid
    *(
        Case("InvalidWorkspace", f"/infra {verb} -w {workspace}", "is not a workspace Olympus accepts")
        for verb in ("plan", "apply")
        for workspace in ("..", "/", "..abc", "abc..", "abc..abc", "../../../etc/passwd", "~", "~root")
    ),
    Case("InvalidWorkspace", "/infra import -w .. aws_s3_bucket.a id", "is not a workspace Olympus accepts"),
    Case("InvalidWorkspace", "/infra state -w / rm aws_s3_bucket.a", "is not a workspace Olympus accepts"),
    Case("WorkspaceUnsafeForPathsInvalid", "/infra plan -w a$HOME", "a dollar sign"),
    # TestParse_WorkspaceShellMetacharactersAllowed
    Case("WorkspaceShellMetacharactersAllowed", "/infra plan -w a;id", "a semicolon", SHELL),
    Case("WorkspaceShellMetacharactersAllowed", "/infra apply -w a&&id", "an ampersand", SHELL),
    Case("WorkspaceShellMetacharactersAllowed", "/infra plan -w a|id", "a pipe", SHELL),
    Case("WorkspaceShellMetacharactersAllowed", "/infra plan -w a>b", "a greater-than sign", SHELL),
    *(
        Case("WorkspaceShellMetacharactersAllowed", f"/infra plan -w {ws}", "not a workspace", WORKSPACE)
        for ws in ("a=b", "a:b", "a@b", "a+b", "_foo", ".hidden")
    ),
    Case("WorkspaceShellMetacharactersAllowed", "/infra plan -w staging-2.eu", Plan(workspace="staging-2.eu")),
    # TestParse_BlockedExtraArgs
    *(
        Case("BlockedExtraArgs", f"/infra plan -- {arg}", f"`{arg}` is not allowed after `--`")
        for arg in ("-chdir=../other", "--chdir=/tmp", "-chdir", "--chdir", "-plugin-dir=/tmp/evil")
    ),
    Case("BlockedExtraArgs", "/infra plan -- --plugin-dir=/tmp/evil", "is not allowed after `--`"),
    Case("BlockedExtraArgs", "/infra apply -- -chdir=../sensitive", "is not allowed after `--`"),
    Case("BlockedExtraArgs", "/infra import aws_s3_bucket.a id -- -chdir=..", "is not allowed after `--`"),
    *(
        Case("BlockedExtraArgs", f"/infra plan -- {arg}", f"`{arg}` is not allowed after `--`", BLOCKED)
        for arg in ("-out=/tmp/x", "-state=x.tfstate", "--state-out=y", "-backup=z", "-lock=false", "-input=true")
    ),
    Case(
        "BlockedExtraArgs",
        "/infra plan -- -var-file=/etc/passwd",
        "the file must be inside the project",
        "not on Atlantis's list; a variables file from outside the checkout could be the server's own",
    ),
    # TestParse_CustomBlockedExtraArgs: Atlantis's list can be replaced; Olympus's is fixed.
    Case("CustomBlockedExtraArgs", "/infra plan -- -var=foo=bar", Plan(extra_args=("-var=foo=bar",))),
    Case("CustomBlockedExtraArgs", "/infra plan -- -var-file=prod.tfvars", Plan(extra_args=("-var-file=prod.tfvars",))),
    # TestParse_UsingProjectAtSameTimeAsWorkspaceOrDir
    *(
        Case("UsingProjectAtSameTimeAsWorkspaceOrDir", f"/infra plan {flags}", "cannot be used at the same time")
        for flags in ("-w workspace -p project", "-d dir -p project", "-d dir -w workspace -p project")
    ),
    # Import and state rm (TestParse_Parsing runs every case for them too)
    Case(
        "Parsing",
        "/infra import aws_s3_bucket.logs logs-archive",
        Import(address="aws_s3_bucket.logs", id="logs-archive"),
    ),
    Case(
        "Parsing",
        "/infra import 'module.m.aws_iam_user.u[\"ci\"]' ci -d infra",
        Import(address='module.m.aws_iam_user.u["ci"]', id="ci", dir="infra"),
    ),
    Case(
        "Parsing",
        "/infra state rm aws_s3_bucket.a aws_s3_bucket.b",
        StateRm(addresses=("aws_s3_bucket.a", "aws_s3_bucket.b")),
    ),
    Case("Parsing", "/infra state -d infra rm aws_s3_bucket.a", StateRm(addresses=("aws_s3_bucket.a",), dir="infra")),
    Case("Parsing", "/infra state", "runs `state rm` only"),
    Case("Parsing", "/infra state list", "`state list` is not one Olympus runs"),
    Case(
        "Parsing",
        "/infra import 'some[\"addr\"]' id",
        "is not a Terraform resource address",
        "Atlantis passes any word to Terraform; Olympus checks the address's form first and says how to write it",
    ),
]

# TestParse_Parsing: every flag combination, for each command that runs Terraform.
FLAG_CASES = [
    ("", {}),
    ("-w workspace", {"workspace": "workspace"}),
    ("-d dir", {"dir": "dir"}),
    ("-p project", {"project": "project"}),
    ("--verbose", {"verbose": True}),
    ("--workspace workspace", {"workspace": "workspace"}),
    ("--dir dir", {"dir": "dir"}),
    ("--project project", {"project": "project"}),
    ("-w workspace -d dir --verbose", {"workspace": "workspace", "dir": "dir", "verbose": True}),
    ("-d dir -w workspace --verbose", {"workspace": "workspace", "dir": "dir", "verbose": True}),
    ("--verbose -w workspace -d dir", {"workspace": "workspace", "dir": "dir", "verbose": True}),
    ("-p project --verbose", {"project": "project", "verbose": True}),
    ("--verbose -p project", {"project": "project", "verbose": True}),
    ("-w workspace -d dir -- --verbose", {"workspace": "workspace", "dir": "dir", "extra_args": ("--verbose",)}),
    ("-w workspace -- -d dir --verbose", {"workspace": "workspace", "extra_args": ("-d", "dir", "--verbose")}),
    ("--", {}),
    (
        "-w workspace -d dir --verbose -- arg one -two --three",
        {"workspace": "workspace", "dir": "dir", "verbose": True, "extra_args": ("arg", "one", "-two", "--three")},
    ),
    (
        "\t-w\tworkspace\t-d\tdir\t--verbose\t--\targ\tone\t-two\t--three",
        {"workspace": "workspace", "dir": "dir", "verbose": True, "extra_args": ("arg", "one", "-two", "--three")},
    ),
    (
        "   -w   workspace   -d   dir   --verbose   --   arg   one   -two   --three",
        {"workspace": "workspace", "dir": "dir", "verbose": True, "extra_args": ("arg", "one", "-two", "--three")},
    ),
    ("-d .", {"dir": "."}),
    ("-d ./", {"dir": "."}),
    ("-d ./adir", {"dir": "adir"}),
    ('-d "dir with space"', {"dir": "dir with space"}),
    ("-d 'dir with space'", {"dir": "dir with space"}),
    ("--dir=adir -w=ws", {"dir": "adir", "workspace": "ws"}),
    ("-dadir", {"dir": "adir"}),
]
ADDRESS = 'aws_s3_bucket.b["addr"]'
RUN_FORMS = {
    "plan": lambda flags: Plan(**flags),
    "apply": lambda flags: Apply(**flags),
    f"import '{ADDRESS}' id": lambda flags: Import(address=ADDRESS, id="id", **flags),
    f"state rm '{ADDRESS}'": lambda flags: StateRm(addresses=(ADDRESS,), **flags),
}


def _check(comment: str, expected: Command | NotForMe | str) -> None:
    result = parse(comment)
    if isinstance(expected, str):
        assert isinstance(result, Reply), (comment, result)
        assert expected in result.text, (comment, result.text)
    else:
        assert result == expected, comment


@pytest.mark.parametrize("case", CASES, ids=lambda case: f"{case.group}: {case.comment!r}")
def test_like_atlantis_or_differs_on_purpose(case: Case) -> None:
    _check(case.comment, case.expected)


@pytest.mark.parametrize("form", RUN_FORMS, ids=str)
@pytest.mark.parametrize(("flags", "fields"), FLAG_CASES, ids=[flags or "(none)" for flags, _ in FLAG_CASES])
def test_parsing_every_flag_combination(form: str, flags: str, fields: dict[str, object]) -> None:
    expected = RUN_FORMS[form](fields)
    result = parse(f"/infra {form} {flags}")
    assert result == expected
    assert parse(render_command(result)) == result  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("command", "line"),
    [
        (Plan(dir="."), "/infra plan -d ."),
        (Plan(dir="dir"), "/infra plan -d dir"),
        (Plan(workspace="workspace"), "/infra plan -w workspace"),
        (Apply(dir="dir", workspace="workspace"), "/infra apply -d dir -w workspace"),
        (Plan(project="project"), "/infra plan -p project"),
        (Plan(dir=".", extra_args=("arg1", "arg2")), "/infra plan -d . -- arg1 arg2"),
        (Apply(dir="dir with spaces"), '/infra apply -d "dir with spaces"'),
    ],
)
def test_render_like_atlantis_builds_its_comments(command: Command, line: str) -> None:
    """TestBuildPlanApplyVersionComment: the line Olympus would write for a command, and reads back."""
    assert render_command(command) == line
    assert parse(line) == command


def test_atlantis_blocked_list_is_blocked_in_both_spellings() -> None:
    for flag in ATLANTIS_BLOCKED_EXTRA_ARGS:
        for arg in (flag, f"{flag}=x"):
            result = parse(f"/infra plan -- {arg}")
            assert isinstance(result, Reply) and "is not allowed after `--`" in result.text, arg


def test_every_difference_is_in_the_docs() -> None:
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[2] / "docs" / "commands.md").read_text()
    groups = {case.group for case in CASES if case.differs}
    missing = sorted(group for group in groups if f"TestParse_{group}" not in docs)
    assert not missing, f"docs/commands.md does not say how Olympus differs in {missing}"
