"""Help per door: the App's help speaks of the pull request, the CLI's of the change branch; one page per command."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Literal

from bot.domain.commands.apps import APP_USAGE, HELM_USAGE, SYNC_USAGE
from bot.domain.commands.ask import ASK_EXAMPLE
from bot.domain.commands.changes import change_usage
from bot.domain.commands.drift_fix import FIX_USAGE
from bot.domain.commands.kinds import LAMBDA_RUNTIMES, MEMORY_MB, TIMEOUT_S
from bot.domain.commands.run_flags import ATLANTIS_BLOCKED_EXTRA_ARGS, run_usage
from bot.domain.commands.types import PREFIX, VERBS
from bot.domain.models import ResourceKind

__all__ = ["HELP_TEXT", "TOPICS", "Door", "help_text"]

Door = Literal["app", "cli"]
TOPICS = (*(verb for verb in VERBS if verb != "help"), "help")

# Where the door's commands act, and how an approval is given there.
_WHERE: Mapping[Door, str] = {"app": "this pull request", "cli": "the change branch"}
_APPROVE: Mapping[Door, str] = {
    "app": "an approving review of the head commit by someone other than the requester",
    "cli": "an approval of the head commit by someone other than the requester (`olympus approve --by LOGIN`)",
}
_WHICH_BRANCH = (
    "The CLI acts on the current branch, else on the latest `infra/` branch (`olympus plan --branch B` picks one)."
)


def help_text(door: Door = "app", topic: str | None = None) -> str:
    """The list of commands, or one command's page, worded for the door the user typed it at."""
    if topic is not None and topic in _PAGES:
        return _PAGES[topic](door)
    where = _WHERE[door]
    run = "[-p PROJECT \\| -d DIR [-w WORKSPACE]]"
    rows = [
        ("create bucket NAME [cloud=aws\\|gcp] [region=R] [env=E] [versioning=on\\|off]", "an S3 or GCS bucket"),
        ("create instance NAME [type=T] [region=R] [env=E]", "an EC2 instance (default `t3.micro`)"),
        ("create function NAME [runtime=R] [memory=MB] [timeout=S] [region=R] [env=E]", "a Lambda function"),
        ("update instance NAME type=T [env=E]", "change an instance Olympus manages"),
        ("update function NAME [runtime=R] [memory=MB] [timeout=S] [env=E]", "change a function's settings"),
        ("update bucket NAME versioning=on\\|off [cloud=aws\\|gcp] [env=E]", "turn a bucket's versioning on or off"),
        ("destroy bucket\\|instance\\|function NAME [cloud=aws\\|gcp] [env=E]", "remove a resource Olympus manages"),
        ("create app NAME [chart=C] [namespace=NS] [env=E]", "a Helm release that Argo CD deploys"),
        ("helm set NAME KEY=VALUE... [env=E]", "change a release's values (checked against the chart's schema)"),
        ("helm upgrade NAME version=V [env=E]", "move a release to another chart version"),
        ("sync [NAME] [env=E]", _SYNC_ROW[door]),
        (f"plan {run} [-- ARGS]", f"run `terraform plan` on {where}"),
        (f"apply {run}", "apply the reviewed plan (needs an approval)"),
        (f"import ADDRESS ID {run}", "`terraform import`, where `.olympus.yaml` allows it (needs an approval)"),
        (f"state rm ADDRESS... {run}", "`terraform state rm`, where `.olympus.yaml` allows it (needs an approval)"),
        ("unlock", f"release {where}'s locks and discard its plans"),
        ("approve_policies [--policy-set NAME]", "an owner of a failing policy set lets the head commit past it"),
        ("status", _STATUS[door]),
        ("fix drift [restore\\|adopt]", _FIX_ROW[door]),
        ("diagnose [-p PROJECT]", _DIAGNOSE_ROW[door]),
        ("ask TEXT", _ASK_ROW[door]),
        ("help [COMMAND]", "this message, or one command's flags (also `/infra COMMAND --help`)"),
    ]
    table = "\n".join(f"| `{PREFIX} {form}` | {what} |" for form, what in rows)
    intro = (
        "**Olympus** turns `/infra` commands into reviewed Terraform, Helm and Argo CD pull requests."
        if door == "app"
        else '`olympus run "/infra ..."` runs an `/infra` command on this repository.'
    )
    lines = [
        intro,
        "A comment runs only when the command is all it says (the first line of a longer comment is not run); "
        "only the request of an `/infra ask` may take several lines."
        if door == "app"
        else _WHICH_BRANCH,
        "",
        "| command | what it does |",
        "|---|---|",
        table,
        "",
        "Defaults: `cloud=aws`, `region=us-east-1` (GCS: `US`), `env=dev`, `versioning=on`, "
        "`runtime=python3.12`, `memory=128`, `timeout=10`.",
        "",
        f"Example: `{PREFIX} create bucket logs-archive region=eu-west-1`",
    ]
    return "\n".join(lines) + "\n"


_ASK_ROW: Mapping[Door, str] = {
    "app": "a request in plain words, read by Claude into the commands above (so is a comment that starts with "
    "`@olympus`, and an issue labelled `infra-request`)",
    "cli": "a request in plain words, read by Claude into the commands above (as `olympus ask TEXT`)",
}
_FIX_ROW: Mapping[Door, str] = {
    "app": "in a drift issue: a pull request that puts reality back (`restore`) or changes the code to match it "
    "(`adopt`)",
    "cli": "in a drift issue on GitHub (the App): a change that restores or adopts the drift",
}
_SYNC_ROW: Mapping[Door, str] = {
    "app": "ask Argo CD again to deploy what a merged pull request changed",
    "cli": "ask Argo CD to deploy a merged change: on GitHub only (the App, or the Action's `sync` mode)",
}
_STATUS: Mapping[Door, str] = {
    "app": "show which projects of this repository are locked, and by which pull request",
    "cli": "show the repository's locks and Olympus's recent actions",
}
_FLAG_ROWS = (
    "| `-p`, `--project NAME` | only this project (its name in `.olympus.yaml`, or its directory); "
    "not with `-d`/`-w` |",
    "| `-d`, `--dir DIR` | only the project in this directory, relative to the repository root "
    '(`-d "dir with space"`); no absolute path, no `..`, no glob |',
    "| `-w`, `--workspace NAME` | only the projects in this Terraform workspace |",
    "| `--verbose` | accepted as Atlantis accepts it; Olympus's answer is as detailed either way |",
)


def _flags(verb: str) -> str:
    blocked = ", ".join(f"`{flag}`" for flag in ATLANTIS_BLOCKED_EXTRA_ARGS[::2])
    extra = (
        f"| `-- ARGS` | appended to `terraform {verb}`; {blocked}, `-out`, `-state`, `-state-out`, `-backup`, "
        "`-lock`, `-input` and a `-var-file` outside the project are refused |"
    )
    return "\n".join(["| flag | meaning |", "|---|---|", *_FLAG_ROWS, extra])


def _page(title: str, summary: str, usage: str, example: str, details: str = "") -> str:
    parts = [f"**`{PREFIX} {title}`**: {summary}", f"Usage: {usage}", *([details] if details else [])]
    return "\n\n".join([*parts, f"Example: `{PREFIX} {example}`"]) + "\n"


def _opens(door: Door) -> str:
    return "opens a pull request" if door == "app" else "makes a change branch"


def _create(door: Door) -> str:
    kinds = (
        f"- {change_usage('create', ResourceKind.BUCKET)}: `cloud=aws` (S3, the default) or `cloud=gcp` (GCS); "
        "`versioning=on` by default\n"
        f"- {change_usage('create', ResourceKind.INSTANCE)}: `type=t3.micro` by default\n"
        f"- {change_usage('create', ResourceKind.FUNCTION)}: `runtime=` one of the {len(LAMBDA_RUNTIMES)} current "
        f"Lambda runtimes (default `python3.12`), `memory` {MEMORY_MB[0]}-{MEMORY_MB[1]} MB (default 128), "
        f"`timeout` {TIMEOUT_S[0]}-{TIMEOUT_S[1]} s (default 10)\n"
        f"- {change_usage('create', ResourceKind.CLUSTER)}: `cloud=aws` (EKS and its VPC, subnets and NAT; "
        "`version=1.34` by default) or `cloud=gcp` (GKE and its VPC, subnets and Cloud NAT, on the REGULAR "
        "release channel); `node_type=` (default `t3.large`, GKE `e2-standard-2`), `min_nodes=1`, `max_nodes=3`, "
        "`cidr=10.0.0.0/16`\n\n"
        "Every kind takes `region=R` (default `us-east-1`, GCS `US`, GKE `us-central1`) and `env=E` (default `dev`)."
    )
    kinds += (
        f"\n\n- {APP_USAGE}: a Helm release of a chart in `helm/charts/` (default `example-data-app`, scaffolded "
        "with the first app), its values in `helm/values/ENV/NAME.yaml`, and an Argo CD Application in "
        "`argocd/apps/ENV/NAME.yaml`; `namespace` defaults to the name, `project` to `data-apps`"
    )
    usage = f"`{PREFIX} create bucket|instance|function|cluster|app NAME [key=value...]`"
    summary = f"{_opens(door)} that adds the resource, then plans it."
    return _page("create", summary, usage, "create bucket logs-archive region=eu-west-1", kinds)


def _update(door: Door) -> str:
    summary = (
        f"{_opens(door)} that changes the given settings of a resource Olympus manages, in its module call and "
        "nowhere else; the plan shows what changes. At least one setting is needed."
    )
    kinds = (
        f"- {change_usage('update', ResourceKind.BUCKET)}: `versioning=on|off`\n"
        f"- {change_usage('update', ResourceKind.INSTANCE)}: `type=` an EC2 instance type\n"
        f"- {change_usage('update', ResourceKind.FUNCTION)}: `runtime=` a current Lambda runtime, `memory` "
        f"{MEMORY_MB[0]}-{MEMORY_MB[1]} MB, `timeout` {TIMEOUT_S[0]}-{TIMEOUT_S[1]} s\n\n"
        "A resource that does not exist yet is made with `create`; settings already as asked change nothing."
    )
    usage = f"`{PREFIX} update bucket|instance|function NAME key=value... [env=E]`"
    return _page("update", summary, usage, "update function resize memory=512", kinds)


def _destroy(door: Door) -> str:
    summary = (
        f"{_opens(door)} that removes a resource Olympus manages; the plan shows what is destroyed, and nothing is "
        "destroyed before an approved apply."
    )
    usage = f"`{PREFIX} destroy bucket|instance|function NAME [cloud=aws|gcp] [env=E]`"
    return _page("destroy", summary, usage, "destroy bucket logs-archive env=dev")


def _helm(door: Door) -> str:
    summary = (
        f"{_opens(door)} that changes one Helm release: `set` edits its values file in place (comments and order "
        "kept), `upgrade` moves its chart version; the plan shows the rendered manifests' diff."
    )
    details = (
        "Values are dotted keys (`image.tag=1.4.2`), typed by the chart's `values.schema.json`: a key the schema "
        "does not know, or a value it refuses, is refused before anything is written. `upgrade` changes the "
        "Application's `targetRevision` for a chart from a Helm or OCI repository, the chart's `version` for one in "
        "`helm/charts/`. `env` defaults to `dev`."
    )
    return _page("helm", summary, HELM_USAGE, "helm set payments-api replicaCount=3 env=staging", details)


def _sync(door: Door) -> str:
    summary = (
        "asks Argo CD to sync the applications a merged change touched (a dry run, then the sync; prune only "
        "where the Application's policy says so) and reports their health. Olympus does this on its own after a "
        "merge; the command runs it again. Before the merge it is refused: git is the source of truth."
    )
    details = (
        "Only on a merged pull request (the App, or the Action's `sync` mode); `NAME` and `env` narrow it to one "
        "application."
        if door == "app"
        else "The CLI has no Argo CD: comment it on GitHub after the merge, or run the Action's `sync` mode."
    )
    return _page("sync", summary, SYNC_USAGE, "sync payments-api env=staging", details)


def _plan(door: Door) -> str:
    summary = (
        f"runs `terraform plan` in each project {_WHERE[door]} changes, and the scanners; the saved plan is what "
        f"`{PREFIX} apply` applies. It takes each project's lock."
    )
    return _page(
        "plan", summary, run_usage("plan"), "plan -d infra/aws/envs/dev -- -target=module.logs", _flags("plan")
    )


def _apply(door: Door) -> str:
    summary = (
        f"applies the saved plan of each project, exactly as reviewed. It needs {_APPROVE[door]}, a plan of that "
        "commit, and the project's lock."
    )
    return _page("apply", summary, run_usage("apply"), "apply -p infra/aws/envs/dev", _flags("apply"))


def _state_page(verb: str, door: Door) -> str:
    command, setting = ("import", "import") if verb == "import" else ("state rm", "state_rm")
    what = "imports an existing object into" if verb == "import" else "removes resources from"
    summary = (
        f"{what} one project's Terraform state (`terraform {command}`). Off unless `.olympus.yaml` on the base "
        f"branch says `allow_commands: [{setting}]`. Gated like apply: it needs {_APPROVE[door]}, and it takes the "
        "project's lock. The saved plans are discarded afterwards: plan again."
    )
    example = "import aws_s3_bucket.logs logs-archive" if verb == "import" else "state rm aws_s3_bucket.logs"
    return _page(command, summary, run_usage(verb), example, _flags(command))


def _unlock(door: Door) -> str:
    summary = f"releases the locks {_WHERE[door]} holds and discards its saved plans. It takes no arguments."
    return _page("unlock", summary, f"`{PREFIX} unlock`", "unlock")


def _approve_policies(door: Door) -> str:
    summary = (
        "approves the blocking policy failures of the head commit, for one policy set or every failing set the "
        "commenter owns. Owners (users or `org/team`) are listed under `policies` in the base branch's "
        "`.olympus.yaml`; someone who asked for, opened, wrote or pushed the change cannot approve it. A new push "
        "is judged again and needs a new approval."
    )
    details = "" if door == "app" else "Locally: `olympus approve-policies --by LOGIN [--policy-set NAME]`."
    return _page(
        "approve_policies",
        summary,
        f"`{PREFIX} approve_policies [--policy-set NAME]`",
        "approve_policies --policy-set olympus",
        details,
    )


def _status(door: Door) -> str:
    return _page("status", _STATUS[door] + ".", f"`{PREFIX} status`", "status")


def _fix(door: Door) -> str:
    change = "a pull request" if door == "app" else "a change"
    summary = (
        f"in a drift issue Olympus opened, {change} out of the drift: `restore` keeps the code, and the plan shows "
        "what the apply puts back; `adopt` changes the module calls of the drifted resources (inside modules Olympus "
        "generated) to match reality, and the plan shows no changes. Without a way, the one the issue proposes. "
        "Either is planned, approved and applied through the gate as usual; the issue closes once a drift check "
        "finds the project clean."
    )
    details = (
        "Only as a comment on a drift issue of this repository; it needs what `create` needs."
        if door == "app"
        else "Locally there is no drift issue: comment it in the issue on GitHub."
    )
    return _page("fix", summary, FIX_USAGE, "fix drift restore", details)


_DIAGNOSE_ROW: Mapping[Door, str] = {
    "app": "find why this pull request's plan fails, and offer a fix verified by a new plan",
    "cli": "on GitHub only; locally, `olympus diagnose` does it",
}


def _diagnose(door: Door) -> str:
    found = (
        f"reproduces the failing `init`, `validate` or `plan` of each project {_WHERE[door]} changes (or the one "
        "`-p` names), names the failure's class, and asks Claude for its root cause and a fix. A fix is offered "
        "only once it passed `terraform validate`, a plan, the scanners and the blocking policies in a scratch copy"
    )
    if door == "app":
        summary = (
            f"{found}: as review suggestions where it changes lines the pull request's diff shows, else as a pull "
            "request into this one's branch. A failure no code can fix (a lock held, credentials) is answered with "
            "what a person must check. Nothing is applied; it needs what `plan` needs."
        )
        details = "Only on a pull request of this repository (not a fork's), and only when a model is set up."
    else:
        summary = f"{found}, on a branch `olympus/fix-BRANCH` of its own. Nothing is applied."
        details = "Locally the command is `olympus diagnose [--branch B] [--project P]`."
    return _page("diagnose", summary, "`/infra diagnose [-p PROJECT]`", "diagnose -p stacks/app", details)


def _ask(door: Door) -> str:
    summary = (
        "a request in plain words. Claude reads it with the same tools `create` and `destroy` use, and Olympus "
        f"{_opens(door)} for each command it means, exactly as if that command had been typed; a question or a "
        "refusal is the answer when the request is unclear or not something Olympus does. The request may take "
        "several lines. It needs what `create` needs, and nothing reaches the model before that is checked."
    )
    details = (
        "A comment that starts with `@olympus` (the App's name) and an issue labelled `infra-request` (the issue "
        "form the onboarding pull request adds) are read the same way. Text that is itself an `/infra` command is "
        "run as typed, never read by the model."
        if door == "app"
        else "`olympus ask TEXT` is the same. Text that is itself an `/infra` command is run as typed."
    )
    return _page("ask", summary, f"`{PREFIX} ask TEXT`", ASK_EXAMPLE, details)


def _help(door: Door) -> str:
    topics = ", ".join(f"`{topic}`" for topic in TOPICS)
    summary = f"lists the commands, or shows one command's page: {topics} (also `{PREFIX} COMMAND --help`)."
    return _page("help", summary, f"`{PREFIX} help [COMMAND]`", "help plan")


_PAGES: Mapping[str, Callable[[Door], str]] = {
    "create": _create,
    "update": _update,
    "destroy": _destroy,
    "helm": _helm,
    "sync": _sync,
    "plan": _plan,
    "apply": _apply,
    "import": lambda door: _state_page("import", door),
    "state": lambda door: _state_page("state", door),
    "unlock": _unlock,
    "approve_policies": _approve_policies,
    "status": _status,
    "fix": _fix,
    "diagnose": _diagnose,
    "ask": _ask,
    "help": _help,
}

HELP_TEXT = help_text("app")
