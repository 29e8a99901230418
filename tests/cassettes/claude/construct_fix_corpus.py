"""Write the fix loop's corpus cassettes, fix_corpus_<case>.yaml: Claude's answers for each case of
tests/fixes/corpus whose class a code change may fix, in the Messages API's exact response shapes.

No Anthropic endpoint is reachable where these were made, so the answers are constructed, not recorded: each is
written as a careful model would answer from the evidence the loop sends (the error, the project's files), and a few
cases open with a plausible wrong try (one that still fails, adds a provisioner, adds a scanner finding, or leaves
the name the apply refused) so that the loop's refusal and retry are exercised. The files they propose are made from
the corpus's own main.tf, so the cassettes follow the corpus. With ANTHROPIC_API_KEY set, `pytest --record-mode=all
tests/fixes/test_corpus_fix_loop.py` records them from the API instead.

It also writes fix_tool_calls_<case>.yaml, the answers for tests/fixes/test_tool_call_fix.py: a fix proposed as
change-tool calls (propose_tool_calls) on an env Olympus's own generator wrote, not a corpus case.

Run: python tests/cassettes/claude/construct_fix_corpus.py (it rewrites every fix_corpus_*.yaml and
fix_tool_calls_*.yaml).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent.parent / "fixes" / "corpus"
MODEL = "claude-sonnet-4-6"
HEADER = (
    "# constructed: written for Olympus's tests in the Messages API's response shapes\n"
    "# (https://docs.anthropic.com/en/api/messages) by tests/cassettes/claude/construct_fix_corpus.py, not recorded:\n"
    "# {what}\n"
    "# Requests are matched on method and path only, so their bodies here are placeholders. Re-record against the\n"
    "# API: ANTHROPIC_API_KEY=... pytest --record-mode=all tests/fixes/test_corpus_fix_loop.py\n"
)


@dataclass(frozen=True)
class Turn:
    """One reply: what the model says, and its one tool call."""

    text: str
    tool: str
    arguments: dict[str, object]


def main_tf(case: str) -> str:
    return (CORPUS / case / "main.tf").read_text()


def path_of(case: str) -> str:
    return f"infra/{case}/main.tf"


def fix(case: str, cause: str, edit: Callable[[str], str], text: str) -> Turn:
    content = edit(main_tf(case))
    assert content != main_tf(case), case
    return Turn(text, "propose_fix", {"root_cause": cause, "files": [{"path": path_of(case), "content": content}]})


def read(case: str, text: str) -> Turn:
    return Turn(text, "read_file", {"path": path_of(case)})


def replaced(old: str, new: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert old in text, old
        return text.replace(old, new)

    return edit


IMPORT_CI = '\nimport {\n  to = aws_iam_role.ci\n  id = "corpus-ci"\n}\n'
AMI_LOOKUP = (
    'data "aws_ami" "amazon_linux" {\n'
    "  most_recent = true\n"
    '  owners      = ["137112412989"]\n\n'
    "  filter {\n"
    '    name   = "name"\n'
    '    values = ["amzn2-ami-hvm-*-x86_64-gp2"]\n'
    "  }\n"
    "}\n\n"
)

ANSWERS: dict[str, tuple[str, list[Turn]]] = {
    "bucket-name-taken": (
        "a first try that renames the resource's address but keeps the bucket name the apply refused, then a new name",
        [
            fix(
                "bucket-name-taken",
                "The apply failed with BucketAlreadyExists for aws_s3_bucket.assets: the name clashes.",
                replaced('resource "aws_s3_bucket" "assets"', 'resource "aws_s3_bucket" "site_assets"'),
                "S3 refused to create the bucket: BucketAlreadyExists. I will rename the resource.",
            ),
            fix(
                "bucket-name-taken",
                "S3 bucket names are global and corpus-assets belongs to another account (BucketAlreadyExists): the "
                "bucket needs a name of its own, so the fix prefixes it with the team and region.",
                replaced('bucket = "corpus-assets"', 'bucket = "acme-corpus-assets-eu-west-1"'),
                "Renaming the address kept the same bucket name; the bucket itself needs a new, more specific name.",
            ),
        ],
    ),
    "deprecated-lambda-runtime": (
        "one verified fix",
        [
            fix(
                "deprecated-lambda-runtime",
                "python2.6 is not a runtime hashicorp/aws 3.39 accepts (the error lists the valid ones): the function "
                "moves to python3.8, the newest Python runtime that list holds.",
                replaced('runtime       = "python2.6"', 'runtime       = "python3.8"'),
                "The provider rejects runtime python2.6 at plan; python3.8 is in the list it prints.",
            )
        ],
    ),
    "invalid-ami": (
        "the file read first, then one verified fix that looks the AMI up instead of naming a literal",
        [
            read("invalid-ami", "RunInstances answered InvalidAMIID.NotFound. Let me read the instance's file."),
            fix(
                "invalid-ami",
                "ami-0000000000deadbee does not exist in eu-west-1 (InvalidAMIID.NotFound): AMIs are regional, so the "
                "fix looks the image up with an aws_ami data source (Amazon Linux 2) instead of a literal ID.",
                lambda text: replaced('resource "aws_instance" "web"', AMI_LOOKUP + 'resource "aws_instance" "web"')(
                    replaced('ami           = "ami-0000000000deadbee"', "ami           = data.aws_ami.amazon_linux.id")(
                        text
                    )
                ),
                "The literal AMI ID is not an image of this region; a data source finds a current one.",
            ),
        ],
    ),
    "invalid-instance-type": (
        "one verified fix",
        [
            fix(
                "invalid-instance-type",
                "t9.mega is not an EC2 instance type (InvalidInstanceType): the fix uses t3.micro, a current "
                "general-purpose type offered in eu-west-1.",
                replaced('instance_type = "t9.mega"', 'instance_type = "t3.micro"'),
                "EC2 refused the instance type t9.mega.",
            )
        ],
    ),
    "invalid-variable": (
        "one verified fix",
        [
            fix(
                "invalid-variable",
                'var.environment defaults to "production", which its own validation rule rejects (dev, staging or '
                'prod): the default becomes "prod".',
                replaced('default = "production"', 'default = "prod"'),
                "The variable's default fails its validation rule.",
            )
        ],
    ),
    "missing-argument": (
        "one verified fix",
        [
            fix(
                "missing-argument",
                "aws_iam_role.deploy lacks assume_role_policy, which the resource requires: the fix adds a trust "
                "policy letting EC2 assume the role.",
                replaced(
                    'name = "corpus-deploy"\n',
                    'name = "corpus-deploy"\n'
                    "  assume_role_policy = jsonencode({\n"
                    '    Version   = "2012-10-17"\n'
                    '    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = '
                    '"ec2.amazonaws.com" } }]\n'
                    "  })\n",
                ),
                "The role is missing its required trust policy.",
            )
        ],
    ),
    "policy-provisioner": (
        "a first try that swaps the local-exec provisioner for a remote-exec one (refused: no provisioner), then one "
        "that removes it",
        [
            fix(
                "policy-provisioner",
                "Olympus's default policy denies local-exec provisioners on aws_s3_bucket.site.",
                replaced(
                    'provisioner "local-exec" {\n    command = "echo uploaded"\n  }',
                    'provisioner "remote-exec" {\n    inline = ["echo uploaded"]\n  }',
                ),
                "The blocking policy set denies the local-exec provisioner.",
            ),
            fix(
                "policy-provisioner",
                "The bucket runs a local-exec provisioner, which Olympus's blocking default policy denies (it runs a "
                "command where Terraform applies): the fix removes it; the echo did no work a resource needs.",
                replaced('\n  provisioner "local-exec" {\n    command = "echo uploaded"\n  }\n', ""),
                "No provisioner may be added; the provisioner only echoes, so it can go.",
            ),
        ],
    ),
    "provider-constraint": (
        "a first try that asks for a release the offline mirror does not hold (init fails), then one it holds",
        [
            fix(
                "provider-constraint",
                "required_providers asks for hashicorp/aws >= 99.0, which no release satisfies.",
                replaced('version = ">= 99.0"', 'version = "~> 5.0"'),
                "No release of hashicorp/aws matches >= 99.0; 5.x is the current major version.",
            ),
            fix(
                "provider-constraint",
                "required_providers asks for hashicorp/aws >= 99.0, which no release satisfies, and where Olympus "
                "runs only 3.39.0 can be installed (the lock file's version): the constraint becomes ~> 3.39.",
                replaced('version = ">= 99.0"', 'version = "~> 3.39"'),
                "Init could not install any 5.x release here; the project's lock file and mirror hold 3.39.0.",
            ),
        ],
    ),
    "role-exists-outside": (
        "one verified fix: an import block for the role that exists outside Terraform",
        [
            fix(
                "role-exists-outside",
                "The role corpus-ci already exists in this account but not in Terraform's state (EntityAlreadyExists): "
                "the fix imports it into aws_iam_role.ci with an import block, so the apply adopts it.",
                lambda text: text + IMPORT_CI,
                "IAM says the role exists already; it is this code's role, so import it rather than rename it.",
            )
        ],
    ),
    "undeclared-reference": (
        "one verified fix",
        [
            fix(
                "undeclared-reference",
                "The public access block refers to aws_s3_bucket.backup, but the bucket is declared as backups.",
                replaced("aws_s3_bucket.backup.id", "aws_s3_bucket.backups.id"),
                "A typo in the reference: backup for backups.",
            )
        ],
    ),
    "undeclared-variable": (
        "a first try that declares the wrong variable (validate still fails), then the right one",
        [
            fix(
                "undeclared-variable",
                "The bucket's name reads a variable that is not declared.",
                lambda text: text + '\nvariable "env" {\n  type    = string\n  default = "dev"\n}\n',
                "The bucket name interpolates an undeclared variable.",
            ),
            fix(
                "undeclared-variable",
                "aws_s3_bucket.exports reads var.environment, which no variable block declares: the fix declares it "
                '(a string, "dev" by default).',
                lambda text: text + '\nvariable "environment" {\n  type    = string\n  default = "dev"\n}\n',
                "I declared env, but the code reads var.environment: declare that one.",
            ),
        ],
    ),
    "unsupported-argument": (
        "a first try that also makes the bucket public-read (a new Checkov finding), then the rename alone",
        [
            fix(
                "unsupported-argument",
                "aws_s3_bucket has no bucket_name argument; it is bucket.",
                replaced('bucket_name = "corpus-reports"', 'bucket = "corpus-reports"\n  acl    = "public-read"'),
                "bucket_name is not an argument of aws_s3_bucket. Reports are shared, so I make them readable too.",
            ),
            fix(
                "unsupported-argument",
                "aws_s3_bucket has no argument bucket_name (a typo of bucket): the fix renames it, and nothing else.",
                replaced('bucket_name = "corpus-reports"', 'bucket = "corpus-reports"'),
                "Making the bucket public was not asked for; only the argument's name changes.",
            ),
        ],
    ),
}


# The env test_tool_call_fix.py builds: the generator's instance web-1 in infra/aws/envs/dev, its type set to t9.mega.
INSTANCE_CALL = "infra/aws/envs/dev/ec2_instance_web_1.tf"


def update_instance(name: str, instance_type: str) -> dict[str, object]:
    arguments = {"cloud": "aws", "kind": "instance", "name": name, "env": "dev", "instance_type": instance_type}
    return {"tool": "update_resource", "arguments": arguments}


TOOL_CALL_ANSWERS: dict[str, tuple[str, list[Turn]]] = {
    "invalid-instance-type": (
        "the module call read, a first try naming the instance by its module (the tool refuses: no such instance), "
        "then update_resource on web-1",
        [
            Turn(
                "RunInstances answered InvalidInstanceType.NotFound for module.ec2_instance_web_1. Let me read the "
                "module call.",
                "read_file",
                {"path": INSTANCE_CALL},
            ),
            Turn(
                "The instance is an Olympus-generated module call, so update_resource can set its type.",
                "propose_tool_calls",
                {
                    "root_cause": "t9.mega is not an EC2 instance type (InvalidInstanceType.NotFound).",
                    "calls": [update_instance("ec2_instance_web_1", "t3.micro")],
                },
            ),
            Turn(
                "The tool names the instance by its instance_name, web-1, not by its module.",
                "propose_tool_calls",
                {
                    "root_cause": "module.ec2_instance_web_1 asks for instance type t9.mega, which EC2 does not offer "
                    "(InvalidInstanceType.NotFound): the fix sets t3.micro, a current general-purpose type, with "
                    "the generator's own update of the module call.",
                    "calls": [update_instance("web-1", "t3.micro")],
                },
            ),
        ],
    ),
}


def interaction(case_number: int, turn_number: int, turn: Turn, input_tokens: int) -> dict[str, object]:
    ident = f"{case_number:02d}{turn_number:02d}"
    body = {
        "id": f"msg_01ConstructedCorpus{ident}",
        "type": "message",
        "role": "assistant",
        "model": MODEL,
        "content": [
            {"type": "text", "text": turn.text},
            {"type": "tool_use", "id": f"toolu_01ConstructedCorpus{ident}", "name": turn.tool, "input": turn.arguments},
        ],
        "stop_reason": "tool_use",
        "stop_sequence": None,
        "usage": {
            "input_tokens": input_tokens,
            "output_tokens": 60 + len(json.dumps(turn.arguments)) // 4,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
        },
    }
    return {
        "request": {
            "body": '{"constructed": true}',
            "headers": {"content-type": ["application/json"]},
            "method": "POST",
            "uri": "https://api.anthropic.com/v1/messages",
        },
        "response": {
            "body": {"string": json.dumps(body)},
            "headers": {"content-type": ["application/json"], "request-id": [f"req_01ConstructedCorpus{ident}"]},
            "status": {"code": 200, "message": "OK"},
        },
    }


def documents() -> dict[Path, str]:
    """Every corpus cassette's path and text, as this script writes it."""
    cases = {path.name for path in CORPUS.iterdir() if (path / "case.yaml").is_file()}
    unknown = set(ANSWERS) - cases
    if unknown:
        raise SystemExit(f"answers for cases the corpus lacks: {sorted(unknown)}")
    texts: dict[Path, str] = {}
    for number, (case, (what, turns)) in enumerate(sorted(ANSWERS.items()), start=1):
        texts[HERE / f"fix_corpus_{case}.yaml"] = cassette(number, what, turns, 1400 + len(main_tf(case)) // 3)
    return texts


def tool_call_documents() -> dict[Path, str]:
    """Every tool-call cassette's path and text (numbered after the corpus's, so no two share an id)."""
    first = len(ANSWERS) + 1
    return {
        HERE / f"fix_tool_calls_{case}.yaml": cassette(number, what, turns, 1900)
        for number, (case, (what, turns)) in enumerate(sorted(TOOL_CALL_ANSWERS.items()), start=first)
    }


def cassette(number: int, what: str, turns: list[Turn], tokens: int) -> str:
    interactions = []
    for turn_number, turn in enumerate(turns, start=1):
        interactions.append(interaction(number, turn_number, turn, tokens))
        tokens += 350 + len(json.dumps(turn.arguments)) // 4  # the conversation so far is sent again
    document = yaml.safe_dump({"interactions": interactions, "version": 1}, sort_keys=False, width=120)
    return HEADER.format(what=what) + document


def write_all() -> list[Path]:
    """Every corpus cassette written again; their paths."""
    written = documents() | tool_call_documents()
    for path, text in written.items():
        path.write_text(text)
    return list(written)


if __name__ == "__main__":
    for path in write_all():
        print(path.relative_to(HERE))
